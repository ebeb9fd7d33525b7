// Rules from a tool's name: the state its words put the record in before (`cancel_pending_order`:
// only pending orders), a flag it turns on or off (`enable_roaming`), and a list of the record it
// adds to or takes from (`add_ticket_tags`, `remove_line`, `add_ticket_comment`).
import type { Field, Table } from "../../../lib/contracts/domain-schema.ts";
import type { Row } from "../../../lib/contracts/domain-state.ts";
import type { Condition, ValueExpr } from "../../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../../lib/data-pack/places.ts";
import { singular } from "../../../lib/domain-model/words.ts";
import { here, nowFor, type RuleContext } from "../context.ts";
import { toggleOf } from "../flags.ts";
import { statusesIn, undoneState } from "../statuses.ts";

const ADDS = new Set("add append attach tag insert push include".split(" "));
const REMOVES = new Set("remove delete detach untag drop pull exclude".split(" "));

export function namePass(c: RuleContext, to: string | null): void {
  nameStatus(c, to);
  const toggle = toggleOf(c);
  if (toggle)
    c.effect(
      { kind: "set", place: toggle.place, value: { kind: "constant", value: toggle.value } },
      "name",
      `${c.text.name} turns ${toggle.place.path.join(".")} ${toggle.value ? "on" : "off"} (true/false in the data)`,
    );
  namedList(c);
  listChangeParameters(c);
  namedEntry(c);
}

const GIVES = new Set("add send issue give grant award create open attach".split(" "));

/**
 * `send_certificate(user_id, amount)`, `add_note(customer_id, text)`: an entry of the kind the name
 * says goes into the record's map (or list) of entries, where the data's entries of that kind show
 * how one looks (its kind field, its key's prefix, the fields the call gives).
 */
function namedEntry(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change" || !GIVES.has(c.text.verb) || c.effects.length > 0) return;
  const entity = new Set(nameWords(target.entity.replaceAll(" ", "_")));
  const kind = c.text.words
    .slice(1)
    .map(singular)
    .filter((w) => !entity.has(w) && !["to", "for", "a", "an", "the", "new"].includes(w));
  if (kind.length === 0) return;
  for (const field of target.fields) {
    const map = field.entries;
    if (!map) continue;
    const entries = c.records(target).flatMap((r: Row) => Object.entries((r[field.name] as Record<string, Row> | undefined) ?? {}));
    const ofKind = entries.filter(([key, e]) =>
      kind.some((w) => key.toLowerCase().startsWith(w) || Object.values(e).some((v) => typeof v === "string" && v.toLowerCase() === w)),
    );
    if (ofKind.length === 0) continue;
    const kindField = map.find((f) =>
      ofKind.every(([, e]) => typeof e[f.name] === "string" && kind.includes((e[f.name] as string).toLowerCase())),
    );
    const prefix = /^(.*?)(\d+)$/.exec(ofKind[0]?.[0] ?? "");
    const fields: Record<string, ValueExpr> = {};
    const taken = new Set<string>([...c.identifying]);
    for (const f of map) {
      const param = c.text.parameters.find((p) => p.name === f.name) ?? c.parameterFor(f.name, taken);
      if (param && param.type !== "array") {
        fields[f.name] = { kind: "parameter", name: param.name };
        taken.add(param.name);
      } else if (f === kindField) fields[f.name] = { kind: "constant", value: ofKind[0]?.[1][f.name] };
      else if (/^(id|key)$/.test(f.name) || f.name === `${field.name.replace(/s$/, "")}_id`) fields[f.name] = { kind: "new-key" };
      else if (f.format === "date-time" || /_at$/.test(f.name)) fields[f.name] = nowFor({ ...f, wholeSeconds: true });
      else if (f.format === "date") fields[f.name] = { kind: "today" };
    }
    if (taken.size === c.identifying.size) continue;
    c.effect(
      {
        kind: "put",
        place: here([field.name]),
        key: { prefix: prefix?.[1] ?? `${kind.join("_")}_`, digits: prefix?.[2]?.length ?? 6, sequential: Boolean(prefix) },
        fields,
      },
      "name",
      `${c.text.name} adds a ${kind.join(" ")} to the ${target.entity}'s ${field.name.replaceAll("_", " ")} (the data's entries of that kind show its fields)`,
    );
    return;
  }
}

/** `renew_active_loan` acts on active loans: a status word of the name that is not where it leads. */
function nameStatus(c: RuleContext, to: string | null): void {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return;
  // unschedule_campaign: only a campaign in the state `schedule` leads to.
  const undone = undoneState(c.text.verb, status.values);
  if (undone && undone !== to) {
    c.require(
      { kind: "status-in", place: here([status.field]), values: [undone] },
      "name",
      `the name says ${c.text.name}: only a ${c.target?.entity ?? ""} that is ${undone} (${c.text.verb} undoes ${c.text.verb.slice(2)})`,
    );
    return;
  }
  const named = statusesIn(c.text.words.slice(1).join(" "), status.values).filter((v) => v !== to);
  if (named.length === 0 || named.length === status.values.length) return;
  const entity = c.target?.entity ?? "";
  c.require(
    { kind: "status-in", place: here([status.field]), values: [...named].sort() },
    "name",
    `the name says ${c.text.name}: only ${/^[aeiou]/i.test(entity) ? "an" : "a"} ${entity} that is ${named.join(" or ")}`,
  );
}

/**
 * `modify_message(id, addLabelIds, removeLabelIds)`, `update_contact(add_tags, remove_tags)`: array
 * parameters named for what they do to a list of the record (a verb of adding or taking, and the
 * list's own name): values named to go are taken out first, then those named to come are added
 * (each once, when the data's lists hold each value once).
 */
function listChangeParameters(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const found: { param: string; field: string; adds: boolean }[] = [];
  for (const p of c.text.parameters) {
    if (p.type !== "array" || c.identifying.has(p.name)) continue;
    const words = nameWords(p.name);
    const verbAt = words.findIndex((w) => ADDS.has(w) || REMOVES.has(w));
    // The verb first (`add_label_ids`) or last (`labels_to_add`, `tags_remove`).
    const rest = verbAt === 0 ? words.slice(1) : verbAt === words.length - 1 ? words.slice(0, -1).filter((w) => w !== "to") : null;
    if (!rest || rest.length === 0) continue;
    const field = target.fields.find((f) => f.type === "array" && f.items?.type !== "object" && nameWords(f.name).join() === rest.join());
    if (field) found.push({ param: p.name, field: field.name, adds: ADDS.has(words[verbAt] as string) });
  }
  for (const { param, field } of found.filter((f) => !f.adds))
    c.effect(
      { kind: "remove-values", place: here([field]), values: { kind: "parameter", name: param } },
      "name",
      `the values of ${param} leave the ${target.entity}'s ${field}`,
      givenOnly(c, param),
    );
  for (const { param, field } of found.filter((f) => f.adds))
    c.effect(
      { kind: "add-values", place: here([field]), value: { kind: "item" }, each: param, unique: distinctLists(c, target, field) },
      "name",
      `the values of ${param} join the ${target.entity}'s ${field}`,
      givenOnly(c, param),
    );
}

/** An optional parameter's effect applies only when the call gives it. */
function givenOnly(c: RuleContext, param: string): Condition[] {
  return c.parameter(param)?.required ? [] : [{ left: { kind: "parameter", name: param }, op: "given" }];
}

/**
 * A list of the record the name's object names, that the tool adds to or takes from: values of an
 * array parameter of that name (tags), or an entry made from the call (a comment).
 */
function namedList(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const verb = c.text.verb;
  const adds = ADDS.has(verb);
  if (!adds && !REMOVES.has(verb)) return;
  const object = c.text.words.slice(1).map(singular);
  const field = target.fields.find((f) => {
    if (f.type !== "array") return false;
    const words = nameWords(f.name);
    return words.length > 0 && words.every((w) => object.includes(w));
  });
  if (!field) return;
  const place = here([field.name]);
  const param = c.text.parameters.find(
    (p) => p.type === "array" && (p.name === field.name || nameWords(p.name).join() === nameWords(field.name).join()),
  );
  const records = field.items?.type === "object" ? field.items.fields : undefined;
  if (param && !records) {
    c.effect(
      adds
        ? { kind: "add-values", place, value: { kind: "item" }, each: param.name, unique: distinctLists(c, target, field.name) }
        : { kind: "remove-values", place, values: { kind: "parameter", name: param.name } },
      "name",
      `${c.text.name} ${adds ? "adds the given" : "takes the given"} ${param.name} ${adds ? "to" : "from"} the ${target.entity}'s ${field.name}`,
    );
    return;
  }
  if (records && adds) {
    const element =
      copiedEntry(c, records) ?? c.entryFromCall(records, [], { name: field.name, entries: c.entriesAt(target, [field.name]) });
    if (element)
      c.effect(
        { kind: "append", place, element },
        "name",
        `${c.text.name} appends an entry made from the call to the ${target.entity}'s ${field.name}`,
      );
    return;
  }
  if (records && !adds) {
    // remove_line(line_id): the entry whose key is given leaves the list.
    const key = records.find((f) => c.text.parameters.some((p) => p.name === f.name && !c.identifying.has(p.name)));
    if (key)
      c.effect(
        { kind: "remove-values", place, values: { kind: "parameter", name: key.name }, field: key.name },
        "name",
        `${c.text.name} takes the entry with the given ${key.name} from the ${target.entity}'s ${field.name}`,
      );
  }
}

/** Whether the data's lists of this field never repeat a value (tags): adding one already there adds nothing. */
function distinctLists(c: RuleContext, table: Table, field: string): boolean {
  return c.records(table).every((r: Row) => {
    const list = r[field];
    return !Array.isArray(list) || new Set(list.map((v) => JSON.stringify(v))).size === list.length;
  });
}

/**
 * An entry that copies a record of another table (a kit's parts, each `{id, name, price}` of a part
 * whose `id` refers to parts): the call names that record by one of the entry's fields that the
 * other table's records hold (`sku`), and each field of the entry is read off the record so found.
 * Null when the entry's fields are not all the other table's, or no parameter names such a field.
 */
function copiedEntry(c: RuleContext, fields: readonly Field[]): Record<string, ValueExpr> | null {
  const source = fields.map((f) => f.references).find((t) => t !== undefined && t !== c.target?.name);
  const table = source ? c.tables.get(source) : undefined;
  if (!table || table.storage === "single") return null;
  const names = new Set(table.fields.map((f) => f.name));
  if (!fields.every((f) => names.has(f.name))) return null;
  const by = c.text.parameters.find(
    (p) => !c.identifying.has(p.name) && p.type !== "array" && p.type !== "object" && fields.some((f) => f.name === p.name),
  );
  if (!by) return null;
  const on = [{ field: by.name, value: { kind: "parameter", name: by.name } as ValueExpr }];
  const key = table.key && names.has(table.key) ? table.key : by.name;
  c.require(
    { kind: "compare", condition: { left: { kind: "match", table: table.name, where: on, field: key }, op: "given" } },
    "name",
    `the ${by.name} must name a ${table.entity} (the entries of the list are copies of ${table.name})`,
  );
  return Object.fromEntries(fields.map((f) => [f.name, { kind: "match", table: table.name, where: on, field: f.name } as ValueExpr]));
}
