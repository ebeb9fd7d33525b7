// Effects a description states for records in one state: 'A "waitlisted" enrollment can be dropped
// at any time: it becomes "deleted" and the user id is removed from the section's waitlist',
// "Dropping an active enrollment frees its seat: … otherwise enrolled_count decreases by 1". The
// sentence opens on the tool's record in a state; what it says the call does holds for a record in
// that state only (read before any effect runs).
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

/** The condition a sentence's opening puts on its effects (the record is in the state it names), or undefined. */
export function stateScope(c: RuleContext, sentence: string): Condition[] | undefined {
  const status = c.target?.status;
  const entity = c.target?.entity;
  if (!status || !entity || c.subject.kind !== "change" || status.values.length < 2) return undefined;
  const head = entity.split(" ").at(-1) as string;
  const states = status.values.map((v) => v.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const opening = new RegExp(
    String.raw`^(?:[a-z]+ing\s+)?(?:an?|the|each|every|any)\s+["'“‘]?(${states})["'”’]?\s+(?:${entity}|${head})s?\b`,
  ).exec(sentence.trim().toLowerCase());
  if (!opening) return undefined;
  const state = status.values.find((v) => v.toLowerCase() === opening[1]);
  return state === undefined
    ? undefined
    : [{ left: { kind: "read", place: { hops: [], path: [status.field] } }, op: "==", right: { kind: "constant", value: state } }];
}

/**
 * "On an open bill it lowers the amount still owed": a clause that opens on a record the tool's
 * record refers to, in a state; its rest holds for calls on such a record only (read before any
 * effect runs). The rest, and that condition; or null when the opening names no such record.
 */
export function referencedScope(c: RuleContext, body: string): { when: Condition[]; body: string } | null {
  if (!c.target || (c.subject.kind !== "create" && c.subject.kind !== "change")) return null;
  for (const field of c.target.fields) {
    const other = field.references ? c.tables.get(field.references) : undefined;
    const status = other?.status;
    if (!other || !status || status.values.length < 2 || other === c.target) continue;
    const head = other.entity.split(" ").at(-1) as string;
    const states = status.values.map((v) => v.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    const m = new RegExp(
      String.raw`^(?:on|for|to|against)\s+(?:an?|the)\s+(${states})\s+(?:${other.entity}|${head})s?,?\s+(?:it\s+|this\s+)?(.+)$`,
    ).exec(body);
    const state = m ? status.values.find((v) => v.toLowerCase() === m[1]) : undefined;
    if (!m || state === undefined) continue;
    const place = { hops: [{ field: field.name, table: other.name }], path: [status.field] };
    return { when: [{ left: { kind: "read", place }, op: "==", right: { kind: "constant", value: state } }], body: m[2] as string };
  }
  return null;
}

/**
 * "a canceled OUTGOING payout returns its amount to the wallet": a clause that opens on the tool's
 * record of one kind, a value of one of its fixed-list fields other than its status (`direction`);
 * its rest holds for calls on a record of that kind only (read before any effect runs). The rest,
 * and that condition; or null when the opening names no such kind.
 */
export function kindScope(c: RuleContext, body: string): { when: Condition[]; body: string } | null {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return null;
  const head = target.entity.split(" ").at(-1) as string;
  const m = new RegExp(String.raw`^(?:an?|the|each|every|any)\s+(?:[a-z_]+\s+)?([a-z_]+)\s+(?:${target.entity}|${head})s?\s+(.+)$`).exec(
    body,
  );
  if (!m) return null;
  const hits = target.fields.flatMap((f) =>
    f.name !== target.status?.field && f.type === "string" && (f.enum?.length ?? 0) >= 2
      ? (f.enum ?? []).filter((v) => String(v).toLowerCase() === m[1]).map((v) => ({ field: f.name, value: v }))
      : [],
  );
  if (hits.length !== 1) return null;
  const hit = hits[0] as { field: string; value: string | number };
  return {
    when: [{ left: { kind: "read", place: { hops: [], path: [hit.field] } }, op: "==", right: { kind: "constant", value: hit.value } }],
    body: m[2] as string,
  };
}
