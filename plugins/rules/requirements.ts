// What a service tool requires before it changes anything: the states its record may be in (its
// name says `cancel_pending_order`; its description "loans that are overdue or lost cannot be
// renewed"; the policy "a hold can be cancelled only while it is waiting"), the values a parameter
// may take ("the reason must be either 'a' or 'b'"), bounds on amounts and counters, and that the
// records and entries its parameters name exist and belong to it.
import type { RuleSource } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { participle } from "../../lib/domain-model/lexicon.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { numberIn, quoted } from "../../lib/service-tools/tool-text.ts";
import { heldAt, here, type RuleContext } from "./context.ts";

/** The status values a text mentions, as whole words. */
export function statusesIn(text: string, values: readonly string[]): string[] {
  return values.filter((v) =>
    new RegExp(
      `(^|[^a-z_])${v
        .toLowerCase()
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replaceAll("_", "[_ ]")}($|[^a-z_])`,
    ).test(text),
  );
}

/** The status the tool moves its record to (found by effects.ts first; used here to tell it from a precondition). */
export function deriveRequirements(c: RuleContext, targetStatus: string | null): void {
  statusRequirements(c, targetStatus);
  parameterValues(c);
  amounts(c);
  belonging(c);
}

function statusRequirements(c: RuleContext, targetStatus: string | null): void {
  const status = c.target?.status;
  if (!status || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  if (c.subject.kind === "create") return;
  const values = status.values;
  const allowed = new Set<string>();
  const refused = new Set<string>();
  const sources: { source: RuleSource; text: string }[] = [];
  // The name: `renew_active_loan` acts on active loans (a status word that is not where it leads).
  const nameText = c.text.words.slice(1).join(" ");
  for (const v of statusesIn(nameText, values)) {
    if (v === targetStatus) continue;
    allowed.add(v);
    sources.push({ source: "name", text: `the name says ${c.text.name}: only a record that is ${v}` });
  }
  const entity = c.target?.entity ?? "";
  // The tool's own verb, and the words any edit goes by ("only placed orders can be changed").
  const edits = ["change", "changed", "modify", "modified", "edit", "edited", "update", "updated", "amend", "amended"];
  const forms = [...new Set([c.text.verb, participle(c.text.verb), `${c.text.verb}ed`, `${c.text.verb}d`, ...edits])].join("|");
  // The tool's own action, refused or limited: "cannot be renewed", "can be cancelled only while".
  const refusedAction = new RegExp(`\\b(cannot|can ?not|can't|may not|must not|not)\\s+(be\\s+)?(${forms})\\b`);
  const ownAction = new RegExp(`\\b(${forms})\\b`);
  for (const { sentence, source } of c.sentences()) {
    const mentioned = statusesIn(sentence, values).filter(
      (v) => !(v === targetStatus && /\b(becomes?|changed? to|set to|moves? to|marked)\b/.test(sentence)),
    );
    if (mentioned.length === 0) continue;
    if (refusedAction.test(sentence)) {
      for (const v of mentioned) refused.add(v);
      sources.push({ source, text: sentence });
      continue;
    }
    // The states that qualify the record: "of an active or overdue loan", "only while it is waiting".
    const qualified = qualifyingStatuses(sentence, mentioned, entity);
    // The description's first sentence says what the tool does, whatever verb it uses ("Turn on
    // roaming for an active line"): the record it qualifies is the one it acts on.
    const summary = source === "description" && sentence === c.text.sentences[0] && !/\b(not|never|cannot)\b/.test(sentence);
    if (qualified.length > 0 && (ownAction.test(sentence) || summary)) {
      for (const v of qualified) if (v !== targetStatus) allowed.add(v);
      sources.push({ source, text: sentence });
    }
  }
  // Nothing says which states qualify: at least a record already in the state the tool leads to
  // is refused (a cancelled reservation is not cancelled, and refunded, again).
  if (allowed.size === 0 && targetStatus && values.includes(targetStatus) && !refused.has(targetStatus)) {
    refused.add(targetStatus);
    sources.push({ source: "name", text: `${c.text.name} leads to ${targetStatus}: a ${entity} already ${targetStatus} is refused` });
  }
  if (allowed.size === 0 && refused.size === 0) return;
  const final = (allowed.size > 0 ? [...allowed] : values).filter((v) => !refused.has(v));
  if (final.length === 0 || final.length === values.length) return;
  const first = sources[0] as (typeof sources)[number];
  c.require(
    { kind: "status-in", place: here([status.field]), values: final.sort() },
    first.source,
    `only ${/^[aeiou]/i.test(entity) ? "an" : "a"} ${entity} that is ${final.join(" or ")} (${sources.map((s) => s.text).join("; ")})`,
  );
}

/** The statuses a sentence puts right before the entity ("a paid invoice") or after "while it is". */
function qualifyingStatuses(sentence: string, mentioned: readonly string[], entity: string): string[] {
  if (mentioned.length === 0) return [];
  const alternatives = mentioned.map((v) => v.replaceAll("_", "[_ ]")).join("|");
  const list = `((?:${alternatives})(?:\\s*(?:,|or|and)\\s*(?:${alternatives}))*)`;
  const before = new RegExp(`\\b(?:an?|the|only)\\s+${list}\\s+${entity}`, "g");
  const after = new RegExp(
    `\\b(?:while|when|if|as long as|unless)\\s+(?:it|the ${entity})\\s+(?:is|has been)\\s+(?:still\\s+)?${list}`,
    "g",
  );
  // "orders that are still placed", "an invoice which is open".
  const that = new RegExp(`\\b${entity}s?\\s+(?:that|which)\\s+(?:is|are|has been|have been)\\s+(?:still\\s+)?${list}`, "g");
  const found = new Set<string>();
  for (const pattern of [before, after, that])
    for (const match of sentence.matchAll(pattern)) for (const v of statusesIn(match[1] ?? "", mentioned)) found.add(v);
  return [...found];
}

/** A parameter's values, when a sentence about it lists them ("must be either 'a' or 'b'"). */
function parameterValues(c: RuleContext): void {
  for (const p of c.text.parameters) {
    if (p.enum || p.type !== "string") continue;
    const words = nameWords(p.name);
    const sentences = [
      ...(p.description ? [{ sentence: p.description.toLowerCase(), source: "description" as const }] : []),
      ...c.sentences().filter(({ sentence }) => sentence.includes(p.name) || words.every((w) => sentence.includes(w))),
    ];
    for (const { sentence, source } of sentences) {
      if (/\b(such as|e\.g\.|for example|like|example)\b/.test(sentence)) continue;
      const options = quoted(sentence);
      if (options.length < 2 || !/\b(either|one of|must be|should be|only|or)\b/.test(sentence)) continue;
      c.require({ kind: "parameter-in", parameter: p.name, values: options }, source, sentence);
      break;
    }
  }
}

/** Amounts: positive, at most what is due; counters: at most N times. */
function amounts(c: RuleContext): void {
  const target = c.target;
  for (const { sentence, source } of c.sentences()) {
    for (const p of c.text.parameters.filter((q) => q.type === "number" || q.type === "integer")) {
      const named = sentence.includes(p.name.replaceAll("_", " ")) || sentence.includes(p.name);
      if (!named) continue;
      if (/\b(positive|greater than (0|zero)|more than (0|zero)|above zero)\b/.test(sentence))
        c.require({ kind: "positive", parameter: p.name }, source, sentence);
      const bound = /\b(at most|no more than|not more than|cannot exceed|must not exceed|up to)\s+(the\s+)?([a-z ]+?)(?:[.,;]|$)/.exec(
        sentence,
      );
      if (bound && target) {
        const place = c.numberNamed(bound[3] as string);
        if (place && !/^\d/.test(bound[3] as string))
          c.require({ kind: "at-most", parameter: p.name, limit: { kind: "read", place } }, source, sentence);
      }
    }
    // "can be renewed at most 2 times": a counter of the record, below the limit, up by one.
    const times = /\b(at most|up to|no more than|maximum of)\s+(\w+)\s+times\b|\b(at most|up to)\s+(once|twice|thrice)\b/.exec(sentence);
    if (times && target && c.subject.kind === "change") {
      const limit = numberIn(times[0]);
      const stem = c.text.verb.replace(/e$/, "");
      const counter = leaves(target.fields).find(
        (l) => l.field.type === "integer" && l.path.length === 1 && (l.path[0] as string).startsWith(stem),
      );
      if (limit !== null && counter) {
        c.require({ kind: "below", place: here(counter.path), limit }, source, sentence);
        c.effect(
          { kind: "add", place: here(counter.path), amount: { kind: "constant", value: 1 }, sign: 1 },
          source,
          `${counter.path.join(".")} goes up by one (${sentence})`,
        );
      }
    }
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
    if (map && p.type === "string") {
      c.require(
        { kind: "entry-of", parameter: p.name, ...heldAt(map) },
        "data",
        `${p.name} names one of the ${map.table.entity}'s ${map.field.name.replaceAll("_", " ")}`,
      );
      continue;
    }
    // item_ids: elements of the record's own array of items.
    if (p.type === "array" && c.target) {
      const stem = nameWords(p.name.replace(/_?ids?$/i, "")).join("_");
      for (const field of c.target.fields) {
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
