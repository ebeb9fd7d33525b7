// Rules from the tables read off the data and the tool's parameters: the records and entries its
// parameters name exist and belong to the record it acts on, a parameter that names the record's
// owner is checked against it (not written over it), and the fields its parameters set (an optional
// parameter only when it is given; a struct from its parts).
import type { Field, Table } from "../../../lib/contracts/domain-schema.ts";
import type { Row } from "../../../lib/contracts/domain-state.ts";
import type { Condition, Rule, ValueExpr } from "../../../lib/contracts/tool-rules.ts";
import { fieldAt, leaves, nameWords, overlap } from "../../../lib/data-pack/places.ts";
import { parametersIn } from "../../../lib/domain-model/service-arguments.ts";
import { keyTable } from "../../../lib/service-tools/subject.ts";
import { quoted } from "../../../lib/service-tools/tool-text.ts";
import { fitsField, heldAt, here, type RuleContext } from "../context.ts";
import { structKeyFromCounter } from "../counters.ts";

/** What the tables say a call needs: the records and entries it names exist and belong to its record's owner. */
export function schemaRequirements(c: RuleContext): void {
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  belonging(c);
  if (c.subject.kind === "change" && c.target) ownership(c);
}

/** What the parameters set, where no other source said what the tool changes there. */
export function schemaEffects(c: RuleContext): void {
  if (c.subject.kind === "change" && c.target) parameterFields(c);
}

/**
 * A parameter named as a field of the record that refers to another record (a bill's `customer_id`)
 * names the record's owner: the call is refused for a record of another owner, and the field is
 * never written over by it. Only where nothing else in the input says the field is what the tool changes.
 */
function ownership(c: RuleContext): void {
  const target = c.target as Table;
  for (const p of c.text.parameters) {
    if (c.identifying.has(p.name) || p.type === "array") continue;
    const field = target.fields.find((f) => f.name === p.name && f.references && f.references !== target.name);
    const owner = field ? c.tables.get(field.references as string) : undefined;
    if (!field || !owner) continue;
    // The owner's own key by its own name (`customer_id`), not a role (`assignee_id`, `requester_id`).
    // In any spelling: `calendarId` is `calendar_id`.
    const spelled = nameWords(p.name).join("_");
    if (
      p.name !== owner.key &&
      spelled !== nameWords(owner.key).join("_") &&
      spelled !== nameWords(`${owner.entity.replaceAll(" ", "_")}_id`).join("_")
    )
      continue;
    // change_line_plan(line_id, plan_id), "moves the ticket to another group": it is what the tool changes.
    const entity = nameWords(owner.entity.replaceAll(" ", "_"));
    if (entity.every((w) => c.text.words.includes(w))) continue;
    const reassigns = new RegExp(
      `\\b(change|changes|move|moves|reassign|reassigns|transfer|transfers|switch|switches)\\b[^.;]*\\b(${entity.join("|")})`,
    );
    if (c.text.sentences.some((s) => reassigns.test(s))) continue;
    c.identifying.add(p.name);
    c.require(
      {
        kind: "compare",
        condition: { left: { kind: "read", place: here([field.name]) }, op: "==", right: { kind: "parameter", name: p.name } },
      },
      "schema",
      `the ${target.entity} must belong to the given ${owner.entity} (${p.name} is its owner, not a new value)`,
    );
  }
}

/** The records and entries the parameters name exist, and entries belong to the record's owner. */
function belonging(c: RuleContext): void {
  for (const p of c.text.parameters) {
    if (p.name === c.subject.keyParameter) continue;
    const table = keyTable(p, [...c.tables.values()]);
    if (table) {
      c.require({ kind: "record-exists", parameter: p.name, table: table.name }, "schema", `${p.name} names a ${table.entity}`);
      continue;
    }
    const map = c.mapFor(p.name);
    // An enum's values are the schema's to say; a parameter whose own examples are no such entry
    // ('a card on file, e.g. "ccof:…", or a gift card id, e.g. "gftc:…"') names more than them.
    const keys = map ? [...c.entryKeys(map)] : [];
    const shape = (v: string) => /^[A-Za-z]+[:_-]/.exec(v)?.[0] ?? "";
    const beyond = quoted(p.description).some((e) => shape(e) !== "" && !keys.some((k) => shape(k) === shape(e)));
    if (map && p.type === "string" && !p.enum && !beyond) {
      c.require(
        { kind: "entry-of", parameter: p.name, ...heldAt(map) },
        "data",
        `${p.name} names one of the ${map.table.entity}'s ${map.field.name.replaceAll("_", " ")}`,
      );
      continue;
    }
    // item_ids: elements of the record's own array of items (ids, not records given whole).
    if (p.type === "array" && c.target && p.itemType !== "object") {
      const stem = nameWords(p.name.replace(/_?ids?$/i, "")).join("_");
      if (stem === "") continue;
      for (const field of c.target.fields) {
        // The list itself is named by the parameter (items ↔ item_ids), not a list that merely holds such keys.
        const listWords = nameWords(field.name);
        if (!listWords.every((w) => stem.split("_").includes(w)) && !stem.split("_").every((w) => listWords.includes(w))) continue;
        const element = field.items?.fields?.find(
          (f) => nameWords(f.name).join("_") === `${stem}_id` || f.name === p.name.replace(/s$/, ""),
        );
        if (field.type === "array" && element && !p.name.startsWith("new")) {
          c.require(
            { kind: "elements-of", parameter: p.name, place: here([field.name]), field: element.name },
            "data",
            `every id in ${p.name} is one of the ${c.target.entity}'s ${field.name}`,
          );
          break;
        }
      }
    }
  }
}

/** Fields the parameters set: a whole struct from its parts (an address), else each field named. */
function parameterFields(c: RuleContext): void {
  const target = c.target as Table;
  // A key of another record the target refers to by a same-named field is what it now refers to
  // (change_line_plan: the line's plan_id becomes the given plan).
  for (const p of c.text.parameters) {
    const field = target.fields.find((f) => f.name === p.name && f.references && f.references !== target.name);
    if (!field || c.identifying.has(p.name) || c.writes(here([field.name]))) continue;
    c.effect(
      { kind: "set", place: here([field.name]), value: { kind: "parameter", name: p.name } },
      "schema",
      `the ${target.entity}'s ${field.name.replaceAll("_", " ")} becomes the given one`,
      whenGiven(p),
    );
  }
  const used = new Set<string>([...c.identifying]);
  // Slots read the parameters without storing them: a new date and time are still the record's.
  // A bound on a new value of the record's field ("quantity_total (not below quantity_sold)") checks it, the value is still set.
  const bound = (r: Rule): boolean => {
    if (r.rule.kind !== "compare") return false;
    const { left, right } = r.rule.condition;
    return left.kind === "parameter" && right?.kind === "read" && target.fields.some((f) => f.name === left.name);
  };
  for (const p of parametersIn(
    [...c.requires.filter((r) => !bound(r)), ...c.effects].filter((r) => !r.rule.kind.startsWith("slot-")).map((r) => ({ rule: r.rule })),
  ))
    used.add(p);
  const free = c.text.parameters.filter((p) => !used.has(p.name) && !keyTable(p, [...c.tables.values()]));
  if (free.length === 0) return;
  // A struct whose parts the parameters are (street, city, zip → address).
  for (const field of target.fields) {
    if (field.type !== "object" || !field.fields) continue;
    const parts = field.fields.filter((f) => free.some((p) => p.name === f.name));
    if (parts.length >= 2 && parts.length >= field.fields.length - 1) {
      const fields: Record<string, ValueExpr> = {};
      for (const part of field.fields) {
        const param = free.find((p) => p.name === part.name);
        fields[part.name] = param
          ? { kind: "parameter", name: param.name }
          : (structKeyFromCounter(c.tables, c.data, target, field.name, part.name) ?? { kind: "constant", value: "" });
        if (param) used.add(param.name);
      }
      c.effect(
        { kind: "set", place: here([field.name]), value: { kind: "object", fields } },
        "schema",
        `the ${field.name.replaceAll("_", " ")} is replaced by the given ${parts.map((p) => p.name).join(", ")}`,
      );
    }
  }
  for (const p of free) {
    if (used.has(p.name)) continue;
    // By its name; else the field it shares words with that the tool's name speaks of too
    // (`set_repeat_mode(state)` sets `repeat_state`, not `shuffle_state`).
    const named = new Set(c.text.words);
    const near = leaves(target.fields)
      .filter((l) => overlap(p.name, l.path.at(-1) as string) >= 1 && l.path.length === 1 && fitsField(p, l.field))
      .map((l) => ({ l, score: nameWords(l.path.at(-1) as string).filter((w) => named.has(w)).length }))
      .sort((a, b) => b.score - a.score);
    const leaf = leaves(target.fields).find((l) => l.path.at(-1) === p.name) ?? near[0]?.l;
    const sameName = target.fields.find((f) => f.name === p.name);
    const field = leaf ?? (sameName && elementsFit(c, p.name, sameName) ? { path: [p.name] } : null);
    if (!field || field.path[0] === target.key) continue;
    // The status moves by the tool's own rules; a parameter sets it only when named as it (`update_card(status)`).
    const status = target.status?.field;
    if (status && field.path[0] === status && (p.name !== status || c.writes(here(field.path)))) continue;
    if (fieldAt(target, field.path)?.references) continue;
    used.add(p.name);
    // "The order's current version, as read from retrieve_order": the call names the value the record
    // holds (a check against a stale copy), not a new one.
    const current = new RegExp(`\\bcurrent\\s+${nameWords(p.name).join("[ _]")}\\b`, "i");
    if (field.path.at(-1) === p.name && current.test(p.description ?? "") && !/\bnew\b/i.test(p.description ?? "")) {
      c.require(
        {
          kind: "compare",
          condition: { left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "read", place: here(field.path) } },
        },
        "schema",
        `${p.name} must be the ${target.entity}'s current ${field.path.join(".")}`,
      );
      continue;
    }
    // A field the description already changes ("version goes up by 1") is not the parameter's to set.
    if (c.writes(here(field.path))) continue;
    const parts = objectParts(c, p, fieldAt(target, field.path));
    if (parts) {
      patchParts(c, p, field.path, parts);
      continue;
    }
    c.effect(
      { kind: "set", place: here(field.path), value: { kind: "parameter", name: p.name } },
      "schema",
      `${field.path.join(".")} is set to ${p.name}${p.required ? "" : " when it is given"}`,
      whenGiven(p),
    );
    // "Replace the settings (fields left out go back to their defaults)": a field whose parameter
    // the call leaves out is emptied, not kept.
    const emptied = emptyOf(fieldAt(target, field.path));
    // A time has no empty value: left out of a replacement, it is not there at all ("no dates").
    if (!p.required && emptied !== undefined && leftOutReset(c) && timeText(c, field.path))
      c.effect(
        { kind: "unset", place: here(field.path) },
        "description",
        `${field.path.join(".")} is removed when ${p.name} is left out (the call replaces the whole ${target.entity}, and a time has no empty value)`,
        [{ left: { kind: "parameter", name: p.name }, op: "absent" }],
      );
    else if (!p.required && emptied !== undefined && leftOutReset(c))
      c.effect(
        { kind: "set", place: here(field.path), value: { kind: "constant", value: emptied } },
        "description",
        `${field.path.join(".")} goes back to ${JSON.stringify(emptied)} when ${p.name} is left out (the call replaces the whole ${target.entity})`,
        [{ left: { kind: "parameter", name: p.name }, op: "absent" }],
      );
  }
}

/** "Fields to change; omitted fields keep their value": an object parameter that updates only the parts it gives. */
const KEEPS_OMITTED =
  /\b(?:omitted|missing|absent|unset|other|left[- ]out|unspecified)\s+(?:fields|keys|properties|parts)\s+(?:keep|retain|are kept|stay|remain|are left)|\bonly\s+the\s+(?:given|provided|supplied)\s+(?:fields|keys|properties)\b|\bfields\s+to\s+(?:change|update)\b/i;

/**
 * An object parameter that says only some of what the record's object of that name holds (settings:
 * subject and sender, where the record keeps a dozen more), whose parts are all optional, or whose
 * text says so ("omitted fields keep their value"): the call changes the parts it says and keeps the
 * rest, which a whole replacement would lose. The parts are `required`'s names and the others; with
 * none required, or the text saying so, the call is a patch (a part left out stays), else it says
 * every part it lists (one it leaves out is gone).
 */
function objectParts(
  c: RuleContext,
  p: { name: string; description?: string },
  field: Field | undefined,
): { names: string[]; patch: boolean } | null {
  if (field?.type !== "object" || !field.fields) return null;
  const properties = c.text.spec.parameters.properties as
    | Record<string, { type?: string; properties?: object; required?: string[] }>
    | undefined;
  const schema = properties?.[p.name];
  if (schema?.type !== "object" || !schema.properties) return null;
  const names = Object.keys(schema.properties);
  const held = new Set(field.fields.map((f) => f.name));
  if (names.length === 0 || !names.some((n) => held.has(n))) return null;
  // Said in words: the parts the record's object holds, each changed only when given.
  if (KEEPS_OMITTED.test(p.description ?? "")) return { names: names.filter((n) => held.has(n)), patch: true };
  const patch = !schema.required?.length;
  // An object that lists every part and requires some is the whole object, written as given; one
  // that requires none is a patch even when it could say every part (`{last_name}` keeps the first).
  if (!patch && field.fields.every((f) => names.includes(f.name))) return null;
  return { names, patch };
}

function patchParts(
  c: RuleContext,
  p: { name: string; required: boolean },
  path: string[],
  parts: { names: string[]; patch: boolean },
): void {
  for (const part of parts.names) {
    const value: ValueExpr = { kind: "parameter", name: p.name, path: [part] };
    const when: Condition[] = [...(whenGiven(p) ?? []), ...(parts.patch ? [{ left: value, op: "given" } as Condition] : [])];
    c.effect(
      { kind: "set", place: here([...path, part]), value },
      "schema",
      `${[...path, part].join(".")} is set to ${p.name}.${part}${parts.patch ? " when it is given (the rest of " + path.join(".") + " is kept)" : ` when ${p.name} is given (the rest of ${path.join(".")} is kept)`}`,
      when.length > 0 ? when : undefined,
    );
  }
}

/**
 * A list parameter of objects is the list the record holds only when its elements say nothing the
 * record's do not hold: `tags: [{name, status: active|inactive}]` asks to add or remove each tag,
 * which the record's `tags: [{id, name}]` cannot hold as given.
 */
function elementsFit(c: RuleContext, name: string, field: Field): boolean {
  const properties = c.text.spec.parameters.properties as Record<string, { items?: { properties?: object } }> | undefined;
  const said = Object.keys(properties?.[name]?.items?.properties ?? {});
  const held = field.items?.fields?.map((f) => f.name);
  if (said.length === 0 || !held) return true;
  return said.every((n) => held.includes(n));
}

/** An optional parameter's effect applies only when it is given: left out, the field stays as it is. */
/** The description says fields a call leaves out are reset, not kept (a replacement, not a patch). */
function leftOutReset(c: RuleContext): boolean {
  return c.text.sentences.some((s) =>
    /\b(?:left out|omitted|not given|not provided|not supplied|missing)\b[^.]*\b(?:defaults?|cleared|reset|emptied|removed|unset)\b/.test(
      s,
    ),
  );
}

/** A field's empty value, as a reset leaves it: no text, false, nothing in a list; undefined for what has none. */
/** A text field the data fills with Unix times (`"1745046000000"`, epoch seconds or milliseconds as digits). */
function timeText(c: RuleContext, path: readonly string[]): boolean {
  const values = c.records().map((r) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Row)[k] : undefined), r));
  const held = values.filter((v) => v !== undefined && v !== null && v !== "");
  return held.length > 0 && held.every((v) => typeof v === "string" && /^\d{10}(?:\d{3})?$/.test(v));
}

function emptyOf(field: Field | undefined): unknown {
  if (!field || field.format || field.references || field.enum) return undefined;
  if (field.type === "string") return "";
  if (field.type === "boolean") return false;
  if (field.type === "array") return [];
  return undefined;
}

function whenGiven(p: { name: string; required: boolean }): Condition[] | undefined {
  return p.required ? undefined : [{ left: { kind: "parameter", name: p.name }, op: "given" }];
}
