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
