// What a service tool is about: stateless utility, a read (find a key, get a record, list records)
// or a write (change a record, create one), and the table of the record it acts on — from its
// verb, the keys it is given, the table its name speaks of and, failing those, the fields its
// parameters name. A record is reached by its key, by the fields a call gives (an inventory level
// by its item and location), or is the one record a collection holds (a session, a player).
import type { Field, Table } from "../contracts/domain-schema.ts";
import type { ServiceModel } from "../contracts/tool-rules.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { leaves, nameWords, overlap } from "../data-pack/places.ts";
import { singular } from "../domain-model/words.ts";
import { entrySubject } from "./entry-subject.ts";
import type { Parameter, ToolText } from "./tool-text.ts";

const READ_VERBS = new Set(
  "get fetch retrieve show view read describe list search find lookup look query browse count display lookup check inspect".split(" "),
);
const FIND_VERBS = new Set("find lookup look identify get search resolve".split(" "));
const LIST_VERBS = new Set("list search browse query filter".split(" "));
const CREATE_VERBS = new Set(
  "create add book place register open schedule make submit new insert issue file reserve request enroll start log post send invite upload generate draft connect apply".split(
    " ",
  ),
);
/** Words before a tool's verb that only qualify it (`batch_retrieve_…`, `bulk_update_…`). */
const MODIFIERS = new Set("batch bulk multi mass try quick".split(" "));
/** Verbs of signing in and out: they act on the one record of a session. */
const SESSION_VERBS = new Set("login logout signin signout sign log authenticate".split(" "));
/** Words that end the object of a tool's name (`find_customer_by_email`). */
const CONNECTIVES = new Set("by for to from of in on with at using via and".split(" "));

export interface Subject {
  kind: ServiceModel["kind"];
  utility?: NonNullable<ServiceModel["utility"]>;
  table: Table | null;
  keyParameter?: string;
  /** The key names an entry of this list of the record (by its key field), not the record itself (entry-subject.ts). */
  entry?: { path: string[]; keyField: string };
}

/** Words of an entity's name: `time off request` → [time, off, request]. */
const entityWords = (table: Table) => nameWords(table.entity.replaceAll(" ", "_"));

/**
 * The table whose keys a parameter holds: `loan_id` for loans; `request_id` for time off requests
 * (the parameter names the entity's last words); `origin_location_id` for locations (a role before
 * the entity); `customer` for customers when that is the name of the data's fields that hold their
 * keys. The exact name wins over a suffix; ambiguous suffixes name none.
 */
export function keyTable(
  parameter: Pick<Parameter, "name" | "type"> & { description?: string },
  tables: readonly Table[],
): Table | undefined {
  if (parameter.type === "array" || parameter.type === "object" || parameter.type === "boolean") return undefined;
  const name = parameter.name.toLowerCase();
  const exact = tables.filter(
    (t) => (t.key !== "" && name === t.key.toLowerCase() && t.key !== "id") || name === `${t.entity.replaceAll(" ", "_")}_id`,
  );
  if (exact.length === 1) return exact[0];
  // Named, without an id suffix, as the data names the field that holds such keys (`customer`,
  // `invoice`: Stripe's style). Names with one are read below, as their words say.
  const referenced = new Set(
    tables.flatMap((t) => t.fields.filter((f) => f.name === parameter.name && f.references).map((f) => f.references as string)),
  );
  if (referenced.size === 1 && !/(^|_)id$|Id$/.test(parameter.name)) {
    // Ids (`cus_1001`), not records keyed by what they are called (a time-off type "Vacation"), which a name may merely mention.
    const table = tables.find((t) => referenced.has(t.name));
    if (table && /(^|_)id$|Id$/.test(table.key)) return table;
  }
  if (!/(^|_)id$|Id$/.test(parameter.name)) return undefined;
  const stem = nameWords(parameter.name).filter((w, i, all) => !(w === "id" && i === all.length - 1));
  if (stem.length === 0) return undefined;
  const endsWith = (a: string[], b: string[]) => b.length <= a.length && b.every((w, i) => a[a.length - b.length + i] === w);
  let best: { table: Table; score: number } | undefined;
  let tied = false;
  for (const t of tables) {
    // A field of the entity's own records by that name is another of its identifiers (`sis_user_id`), not its key.
    if (t.storage === "single" || t.fields.some((f) => f.name === parameter.name && f.name !== t.key)) continue;
    const entity = entityWords(t);
    // request ⊂ time off request; origin location ⊃ location.
    const score = endsWith(entity, stem) ? stem.length * 2 : endsWith(stem, entity) ? entity.length * 2 - 1 : 0;
    if (score === 0) continue;
    if (!best || score > best.score) {
      best = { table: t, score };
      tied = false;
    } else if (score === best.score) tied = true;
  }
  if (best) return tied ? undefined : best.table;
  return describedKeyTable(parameter, tables);
}

/**
 * For an id whose name does not say its entity (`approver_id`), the table its description names as
 * what it is ("The employee who approves it", "Id of the customer…"): one entity, named whole.
 */
function describedKeyTable(parameter: { name: string; description?: string }, tables: readonly Table[]): Table | undefined {
  // The description's head: up to the first clause break ("The employee who approves it" → employee).
  const clause =
    (parameter.description ?? "").toLowerCase().split(/[.,;:(]|\s(?:who|that|which|whose|to|for|by|on|in|from|with|at|e\.g)\b/)[0] ?? "";
  const head = clause
    .trim()
    .replace(/^(?:the|an?)\s+/, "")
    .replace(/^(?:id|key|identifier)\s+of\s+(?:the\s+|an?\s+)?/, "")
    .replace(/(?:'s)?\s+(?:id|key|identifier)$/, "")
    .replace(/(?:\s+[a-z]+ing)+$/, "");
  if (!/^[a-z]+(?: [a-z]+)*$/.test(head) || /\b(?:id|key|identifier)\b/.test(head)) return undefined;
  const said = head.split(" ").map(singular);
  const hits = tables.filter((t) => t.storage !== "single" && entityWords(t).join(" ") === said.slice(-entityWords(t).length).join(" "));
  const longest = Math.max(0, ...hits.map((t) => entityWords(t).length));
  const best = hits.filter((t) => entityWords(t).length === longest);
  return best.length === 1 ? best[0] : undefined;
}

/**
 * The field of `table` a parameter names a record by when that field is a digest of another (a
 * `subscriber_hash`, the MD5 of the member's lowercase email): a text parameter whose name or
 * description says it is a hash or digest, of a table that holds one digest field.
 */
export function digestField(
  parameter: Pick<Parameter, "name" | "type"> & { description?: string },
  table: Table | null,
): string | undefined {
  if (!table || table.storage === "single" || parameter.type !== "string") return undefined;
  const digests = table.fields.filter((f) => f.digestOf);
  if (digests.length !== 1) return undefined;
  const says = (text: string) => /\b(hash|hashed|digest|md5|sha1|sha256)\b/i.test(text);
  return says(nameWords(parameter.name).join(" ")) || says(parameter.description ?? "") ? (digests[0] as Field).name : undefined;
}

/** Whether a parameter holds the key of `table`. */
export function isKeyOf(parameter: Pick<Parameter, "name" | "type">, table: Table, tables: readonly Table[] = [table]): boolean {
  return keyTable(parameter, tables) === table;
}

/** The index of a tool name's verb: its first word, unless that only qualifies the verb (`batch_retrieve`). */
function verbAt(words: readonly string[]): number {
  return MODIFIERS.has(words[0] ?? "") && words.length > 1 ? 1 : 0;
}

/** The words of the object a tool's name speaks of: after the verb, up to a connective (`by`, `for`…). */
export function objectWords(words: readonly string[]): string[] {
  const rest = words.slice(verbAt(words) + 1);
  const end = rest.findIndex((w) => CONNECTIVES.has(w));
  return (end < 0 ? rest : rest.slice(0, end)).map(singular);
}

/**
 * The table a tool's name speaks of: the one whose entity is among its object's words (all its
 * words, else its head word: `search_catalog_items` → catalog objects, by `catalog`), the last one
 * named winning; ties go to the table whose fields the parameters name.
 */
export function namedTable(text: ToolText, tables: readonly Table[]): Table | null {
  const words = objectWords(text.words);
  const all = text.words.slice(verbAt(text.words) + 1).map(singular);
  let best: { table: Table; score: number } | null = null;
  for (const table of tables) {
    const entity = entityWords(table);
    const whole = all.findIndex((_, i) => entity.every((w, j) => all[i + j] === w));
    let score = 0;
    if (whole >= 0) score = 100 + entity.length * 10 + whole + (words.includes(entity.at(-1) as string) ? 50 : 0);
    else {
      const shared = entity.filter((w) => words.includes(w) && w.length > 2).length;
      if (shared > 0) score = shared * 10 + fieldsNamed(text, table);
    }
    if (score > 0 && (!best || score > best.score)) best = { table, score };
  }
  return best?.table ?? null;
}

/** How many of the tool's parameters name a field of the table. */
function fieldsNamed(text: ToolText, table: Table): number {
  const paths = leaves(table.fields);
  return text.parameters.filter((p) => paths.some((l) => l.path.at(-1) === p.name || overlap(p.name, l.path.at(-1) as string) >= 1)).length;
}

/** Whether a parameter names a record of `table` by its digest field, the call's keys all naming records it refers to. */
function byDigest(text: ToolText, table: Table, keyed: readonly { table: Table }[]): boolean {
  return (
    !keyed.some((k) => k.table === table) &&
    keyed.every((k) => refersTo(table, k.table)) &&
    text.parameters.some((p) => p.required && digestField(p, table) !== undefined)
  );
}

/** Whether `holder`'s records name records of `other`: by a field, or by a field of the entries of a list they hold. */
function refersTo(holder: Table, other: Table): boolean {
  const visit = (fields: Table["fields"]): boolean =>
    fields.some(
      (f) =>
        f.references === other.name ||
        f.items?.references === other.name ||
        (f.items?.fields ? visit(f.items.fields) : false) ||
        (f.fields ? visit(f.fields) : false) ||
        (f.entries ? visit(f.entries) : false),
    );
  return visit(holder.fields);
}

/**
 * `modify_message(id)`, `send_draft(id)` ("Send an existing draft by its draft id"), `patch_task(task)`:
 * a required parameter named as the key field of the records the name speaks of (`id`, which names
 * no table by itself), or as their entity, names one of them — unless the call makes the record (`create_user(id, name)`), which a
 * verb of making says, when nothing says the record already exists.
 */
function bareKeyOf(text: ToolText, p: Parameter, named: Table | null): Table | undefined {
  if (!named || named.storage === "single" || !p.required || !["string", "integer", "number"].includes(p.type)) return undefined;
  // `id` as the records' key field, or the entity's own name (`patch_task(tasklist, task)`).
  const own = (p.name === "id" && named.key === "id") || nameWords(p.name).join(" ") === entityWords(named).join(" ");
  if (!own) return undefined;
  const verb = text.words[verbAt(text.words)] ?? "";
  const existing = [p.description.toLowerCase(), ...text.sentences].some((s) => /\bexisting\b|\bby (?:its|the) (?:[a-z]+ )?id\b/.test(s));
  return !CREATE_VERBS.has(verb) || existing ? named : undefined;
}

export function subjectOf(text: ToolText, tables: readonly Table[]): Subject {
  const utility = utilityOf(text);
  if (utility) return { kind: "utility", utility, table: null };
  const named = namedTable(text, tables);
  const keyed = text.parameters.flatMap((p) => {
    const table = keyTable(p, tables) ?? bareKeyOf(text, p, named);
    return table ? [{ table, parameter: p.name }] : [];
  });
  const verb0 = text.words[verbAt(text.words)] ?? "";
  const verb = verb0 === "check" && ["in", "out"].includes(text.words[1] ?? "") ? "check_in" : verb0;
  const reads = READ_VERBS.has(verb) || (verb === "is" && text.words.length > 1);
  const single = (t: Table | null | undefined) => t?.storage === "single";

  if (reads) {
    // find_member_id_by_email, "Look up a customer's id by…": the key of a record found by its fields.
    const saysId = text.words.includes("id") || /\b(id|identifier)\b/.test(text.sentences[0] ?? "");
    if (FIND_VERBS.has(verb) && saysId && named && !keyed.some((k) => k.table === named)) return { kind: "find", table: named };
    const own = keyed.find((k) => k.table === named) ?? (named ? undefined : keyed.length === 1 ? keyed[0] : undefined);
    const plural = text.words.slice(verbAt(text.words) + 1).some((w) => w !== singular(w) && w.length > 3) || LIST_VERBS.has(verb);
    if (own && !(plural && LIST_VERBS.has(verb))) {
      // One record by its key, when the call names no more than that record.
      if (text.parameters.filter((p) => p.required).length <= 1 || own.table === named)
        return { kind: "get", table: own.table, keyParameter: own.parameter };
    }
    if (single(named)) return { kind: "get", table: named };
    // get_member(list_id, subscriber_hash): one record of its parent, named by a digest of its own.
    if (named && !plural && byDigest(text, named, keyed)) return { kind: "get", table: named };
    // get_customer_by_phone, "Find the customer who holds…": one record, found by the fields given.
    if (named && !plural && !LIST_VERBS.has(verb) && text.parameters.length > 0) return { kind: "get", table: named };
    if (named) return { kind: "list", table: named };
    const guessed = guessTable(text, tables);
    if (single(guessed) && text.parameters.length === 0) return { kind: "get", table: guessed };
    if (own) return { kind: "get", table: own.table, keyParameter: own.parameter };
    return { kind: "list", table: guessed };
  }

  // A write. Of two keyed records, the one that refers to the other is what changes
  // (change_line_plan: the line's plan; assign_policy: the employee's policies).
  // Two parameters name records of the holder's table (`employee_id`, `acting_employee_id`): the one
  // of its own key is the record, the other who acts.
  const holding = keyed.filter((a) => keyed.some((b) => b.table !== a.table && refersTo(a.table, b.table)));
  const ownKey = (k: (typeof keyed)[number]) => k.parameter === k.table.key || k.parameter === `${k.table.entity.replaceAll(" ", "_")}_id`;
  // Two holders of different tables (an enrolment holds its user and section; the section a list of
  // users): the one that holds the other is what changes, moved between such records (its section).
  const holdingHolder = holding.filter((a) => holding.some((b) => b.table !== a.table && refersTo(a.table, b.table)));
  const holders =
    holding.length > 1 && new Set(holding.map((h) => h.table)).size === 1 && holding.filter(ownKey).length === 1
      ? holding.filter(ownKey)
      : holding.length > 1 && holdingHolder.length === 1
        ? holdingHolder
        : holding;
  const creates = CREATE_VERBS.has(verb);
  // add_part_to_kit(kit_id, sku): the record after "to" keeps a list of what the name adds; it
  // changes, and no record of the added kind is made.
  const holder = creates ? listHolder(text, keyed) : undefined;
  if (holder) return { kind: "change", table: holder.table, keyParameter: holder.parameter };
  // update_member(list_id, subscriber_hash): the record the name speaks of, named by a digest of its
  // own text within the records the call's keys name (the list it is on), not those records.
  if (named && !creates && byDigest(text, named, keyed)) return { kind: "change", table: named };
  // insert_task(tasklist, title, parent?): of a call that makes a record, an optional parameter
  // naming a record of the same table is one the new record refers to, not the record it acts on.
  const namedKey = keyed.find((k) => k.table === named && !(creates && !text.parameters.find((p) => p.name === k.parameter)?.required));
  const target =
    (holders.length === 1 && !(creates && named && !single(named) && !namedKey) ? holders[0] : undefined) ??
    namedKey ??
    (keyed.length === 1 && !(creates && named && !keyed.some((k) => k.table === named) && !single(named)) ? keyed[0] : undefined);
  // start_resume_playback(device_id?): a key the call may leave out says where it acts, not what
  // changes; that is the one record whose fields the description names (the player).
  const optionalKey = target && target !== namedKey && !holders.includes(target);
  if (optionalKey && text.parameters.find((p) => p.name === target.parameter)?.required === false) {
    const described = describedSingle(text, tables);
    if (described) return { kind: "change", table: described };
  }
  if (target) return { kind: "change", table: target.table, keyParameter: target.parameter };
  // change_booking_seat(seat, row): no record of its own, an entry of a list records hold.
  const entry = keyed.length === 0 && !creates ? entrySubject(text.parameters, tables) : null;
  if (entry)
    return { kind: "change", table: entry.table, keyParameter: entry.parameter, entry: { path: entry.path, keyField: entry.keyField } };
  // Signing in and out acts on the one record a session is kept in.
  if (SESSION_VERBS.has(verb)) {
    const session = tables.find((t) => single(t) && /(session|auth|login|token|account)/.test(t.name));
    if (session) return { kind: "change", table: session };
  }
  if (single(named)) return { kind: "change", table: named };
  if (named && creates) return { kind: "create", table: named };
  // adjust_time_off_balance(employee_id, acting_employee_id, …): of records of one table, the one the
  // parameter of its own key names is what changes; the others name who acts.
  const own = keyed.filter((k) => k.parameter === k.table.key || k.parameter === `${k.table.entity.replaceAll(" ", "_")}_id`);
  if (!single(named) && !namedKey && own.length === 1 && keyed.every((k) => k.table === own[0]?.table) && keyed.length > 1)
    return { kind: "change", table: (own[0] as (typeof keyed)[number]).table, keyParameter: (own[0] as (typeof keyed)[number]).parameter };
  // None named whole (`move_inventory`): the record of a table that refers, field by field, to each record the call
  // names (move_inventory(item, from, to): a stock level), not a table it writes history entries into.
  const namedWhole = named !== null && entityWords(named).every((w) => text.words.map(singular).includes(w));
  if (!namedWhole && new Set(keyed.map((k) => k.table)).size >= 2) {
    const logged = loggedTables(text, tables);
    const direct = tables.filter(
      (t) => !single(t) && !logged.has(t) && keyed.every((k) => k.table !== t && t.fields.some((f) => f.references === k.table.name)),
    );
    if (direct.length === 1) return { kind: "change", table: direct[0] as Table };
  }
  // A record found by the fields a call gives (an inventory level by its item and location).
  if (named && keyed.length >= 2 && keyed.every((k) => refersTo(named, k.table))) return { kind: "change", table: named };
  // No record named: the one record whose fields the parameters set (the player's volume).
  const guessed = guessTable(text, tables);
  if (single(guessed)) return { kind: "change", table: guessed };
  if (named) return { kind: creates || keyed.length === 0 ? "create" : "change", table: named };
  if (guessed) return { kind: "change", table: guessed };
  // pause_playback(): the one record whose fields the description names (`is_playing becomes false`).
  const described = describedSingle(text, tables);
  if (described) return { kind: "change", table: described };
  return { kind: "utility", utility: "think", table: null };
}

/**
 * `add_part_to_kit(kit_id, …)`: of the records the call names by key, the one the words after the
 * name's "to" (`into`, `onto`) name, when its records keep a list called as the words between the
 * verb and "to" (a kit's `parts`). None when the name has no such "to".
 */
function listHolder(
  text: ToolText,
  keyed: readonly { table: Table; parameter: string }[],
): { table: Table; parameter: string } | undefined {
  const words = text.words.slice(verbAt(text.words) + 1).map(singular);
  const at = words.findIndex((w) => w === "to" || w === "into" || w === "onto");
  if (at <= 0) return undefined;
  const object = words.slice(0, at);
  const place = words.slice(at + 1);
  const hits = keyed.filter((k) => {
    const entity = entityWords(k.table);
    if (entity.length === 0 || entity.join(" ") !== place.slice(0, entity.length).join(" ")) return false;
    return k.table.fields.some((f) => f.type === "array" && nameWords(f.name).map(singular).join(" ") === object.join(" "));
  });
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * The single-record table whose fields a tool's description names by their own names: the only one,
 * or the one named first ("Sets is_playing to false … requires a session whose user_id is set": the
 * player, the session being a condition).
 */
function describedSingle(text: ToolText, tables: readonly Table[]): Table | null {
  const all = text.sentences.join(" ");
  const said: string[] = all.match(/[a-z][a-z0-9]*(?:_[a-z0-9]+)+/g) ?? [];
  const first = (t: Table) => Math.min(...t.fields.map((f) => said.indexOf(f.name)).filter((i) => i >= 0));
  const hits = tables
    .filter((t) => t.storage === "single" && t.fields.some((f) => said.includes(f.name)))
    .sort((a, b) => first(a) - first(b));
  if (hits.length === 1) return hits[0] as Table;
  return hits.length > 1 && first(hits[0] as Table) < first(hits[1] as Table) ? (hits[0] as Table) : null;
}

/** Tables a tool's description says it writes entries into ("appends an entry to the stock adjustment history"). */
function loggedTables(text: ToolText, tables: readonly Table[]): Set<Table> {
  const all = text.sentences.join(" ").replaceAll("`", "");
  return new Set(
    tables.filter((t) => {
      const entity = entityWords(t).join("[ _]");
      return new RegExp(
        String.raw`\b(?:appends?|adds?|records?|writes?|inserts?|logs?)\b[^.;]*?\b(?:to|in|into)\s+(?:the\s+|its\s+)?${entity}s?\s+(?:history|log|ledger|journal)\b`,
      ).test(all);
    }),
  );
}

/** Calculators, scratchpads and hand-offs to people: tools that touch no data. */
export function utilityOf(text: ToolText): Subject["utility"] | null {
  const { verb, words, parameters } = text;
  const strings = parameters.filter((p) => p.type === "string");
  if (["calculate", "compute", "evaluate", "calc"].includes(verb) && strings.length === 1 && parameters.length === 1) return "calculate";
  if (verb === "think" || (words.length === 1 && words[0] === "think")) return "think";
  if (
    ["transfer", "escalate", "handoff", "hand", "forward"].includes(verb) &&
    words.some((w) => ["human", "agent", "agents", "person", "staff", "desk", "support", "librarian", "representative"].includes(w)) &&
    parameters.every((p) => p.type === "string" && !/(_id|amount)$/.test(p.name))
  )
    return "handoff";
  return null;
}

/** A table for a tool that names none: the one whose fields its parameters (and name) match best. */
function guessTable(text: ToolText, tables: readonly Table[]): Table | null {
  let best: { table: Table; score: number } | null = null;
  const words = new Set(text.words.map(singular));
  for (const table of tables) {
    const paths = leaves(table.fields);
    const named = text.parameters.filter((p) => paths.some((l) => overlap(p.name, l.path.at(-1) as string) >= 1)).length;
    // The words of its name in the table's field names (`playback` volume → a player's `volume_percent`).
    const echoed = paths.filter((l) => nameWords(l.path.at(-1) as string).some((w) => words.has(w) && w.length > 3)).length > 0 ? 1 : 0;
    const score = named * 2 + echoed;
    if (score > 0 && (!best || score > best.score)) best = { table, score };
  }
  return best?.table ?? null;
}

/** A tool's model from its subject alone: what it acts on and answers, no rules yet. */
export function bareServiceModel(subject: Subject, spec: ToolSpec): ServiceModel {
  return {
    kind: subject.kind,
    ...(subject.utility ? { utility: subject.utility } : {}),
    ...(subject.table ? { table: subject.table.name } : {}),
    ...(subject.keyParameter ? { keyParameter: subject.keyParameter } : {}),
    ...(subject.entry ? { entry: subject.entry } : {}),
    match: [],
    returns: returnsOf(subject, spec),
    requires: [],
    effects: [],
  };
}

/** What a tool of this subject answers: a find the key it found, a list its records (or a name → key mapping), the others a record. */
export function returnsOf(subject: Subject, spec: ToolSpec): ServiceModel["returns"] {
  switch (subject.kind) {
    case "utility":
      return subject.utility === "calculate" ? "number" : subject.utility === "handoff" ? "message" : "nothing";
    case "find":
      return "key";
    case "list":
      return /\b(mapping|map|dict|dictionary)\b/i.test(spec.description) ? "mapping" : "records";
    default:
      return "record";
  }
}

/** A mapping's fields: the record's name-like field, then its key. */
export function mappingFields(table: Table): string[] {
  const name =
    table.fields.find((f) => /^(name|title|label)$/.test(f.name)) ?? table.fields.find((f) => f.type === "string" && f.name !== table.key);
  return [name?.name ?? table.key, table.key];
}
