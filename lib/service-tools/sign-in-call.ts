// A tool that requires someone signed in (a session record's person field set, its expiry not past)
// is called after a sign-in, in verification's cases and in generated tasks alike: the data's own session may be expired or empty, and every valid case
// would then be refused and the requirement taken out as contradicted by the data. The sign-in is
// the sibling tool that sets the session's person to the record its arguments match (a login by
// email and password), called with a person's own values from the data.
import type { ToolCall } from "../../sandbox/index.ts";
import type { ToolModel } from "../contracts/domain-schema.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import type { Requirement, ServiceModel, ValueExpr } from "../contracts/tool-rules.ts";
import { valueIn } from "../domain-model/service-arguments.ts";

/** The single-record tables a tool's requirements read from their root (a session). */
function sessionTables(s: ServiceModel): Set<string> {
  const out = new Set<string>();
  for (const r of s.requires) {
    const rule = r.rule as Requirement;
    if (rule.kind !== "compare") continue;
    for (const side of [rule.condition.left, rule.condition.right])
      if (side?.kind === "read" && side.place.root && !side.place.root.key && !side.place.root.where) out.add(side.place.root.table);
  }
  return out;
}

/** Whether a person meets what the tool requires of the signed-in person's own fields (`plan` is not "free"). */
function accepts(s: ServiceModel, person: Row): boolean {
  return s.requires.every((r) => {
    const rule = r.rule as Requirement;
    if (rule.kind !== "compare" || r.when) return true;
    const { left, op, right } = rule.condition;
    if (left.kind !== "read" || !left.place.root || left.place.hops.length !== 1 || right?.kind !== "constant") return true;
    const value = valueIn(person, left.place.path);
    if (op === "==") return JSON.stringify(value) === JSON.stringify(right.value);
    if (op === "!=") return JSON.stringify(value) !== JSON.stringify(right.value);
    return true;
  });
}

/** Whether a requirement reads a session (a single-record table, from its root): a sign-in first would meet it. */
export function onSession(rule: Requirement): boolean {
  return (
    rule.kind === "compare" &&
    [rule.condition.left, rule.condition.right].some(
      (v) => v?.kind === "read" && v.place.root !== undefined && !v.place.root.key && !v.place.root.where,
    )
  );
}

/**
 * The sign-in call to run before a tool's calls, or null when it needs none or no tool signs in;
 * as `prefer` (the person a task is for) when the sign-in can find them and the tool accepts them.
 */
export function signInSetup(
  model: ToolModel,
  tools: readonly ToolModel[],
  state: DomainState,
  functionOf: (tool: string) => string | undefined,
  prefer?: Row,
): ToolCall | null {
  const s = model.service;
  if (!s) return null;
  const sessions = sessionTables(s);
  if (sessions.size === 0) return null;
  for (const other of tools) {
    const o = other.service;
    if (!o || other.tool === model.tool || !o.table || !sessions.has(o.table)) continue;
    const flagged = flagSignIn(o, state);
    const flagName = flagged ? functionOf(other.tool) : undefined;
    if (flagged && flagName) return { tool: flagName, arguments: flagged };
    for (const e of o.effects) {
      const rule = e.rule;
      if (rule.kind !== "set" || rule.place.hops.length > 0 || rule.place.root || e.when) continue;
      const match = rule.value as ValueExpr;
      if (match.kind !== "match") continue;
      // Every argument of the sign-in is a field of the matched record: take a record that holds them all.
      const given = match.where.filter((w) => w.value.kind === "parameter");
      if (given.length !== match.where.length || given.length === 0) continue;
      // One who holds them all, and whom the tool's own conditions on the signed-in person accept (a premium user).
      const fits = (r: Row) => given.every((w) => r[w.field] !== undefined && r[w.field] !== null) && accepts(s, r);
      const mine = prefer && Object.values(state[match.table] ?? {}).includes(prefer) && fits(prefer) ? prefer : undefined;
      const person = mine ?? Object.values(state[match.table] ?? {}).find(fits);
      const name = functionOf(other.tool);
      if (!person || !name) continue;
      const args = Object.fromEntries(given.map((w) => [(w.value as { name: string }).name, person[w.field]]));
      return { tool: name, arguments: args };
    }
  }
  return null;
}

/**
 * The arguments of a sign-in on a session kept as a flag (`auth_session(action: "sign_in", email)`):
 * the tool sets a field of the session to true on calls whose arguments equal constants (the action
 * that signs in), and requires any other argument to equal a field of the session (the account's
 * own address), which the data's session gives. Null when the tool is no such sign-in.
 */
function flagSignIn(o: ServiceModel, state: DomainState): Record<string, unknown> | null {
  const session = o.table ? Object.values(state[o.table] ?? {})[0] : undefined;
  for (const e of o.effects) {
    const rule = e.rule;
    if (rule.kind !== "set" || rule.value.kind !== "constant" || rule.value.value !== true || rule.place.hops.length > 0) continue;
    if (rule.place.root && rule.place.root.table !== o.table) continue;
    const when = e.when ?? [];
    if (!when.every((w) => w.op === "==" && w.left.kind === "parameter" && w.right?.kind === "constant")) continue;
    const args: Record<string, unknown> = {};
    for (const w of when) args[(w.left as { name: string }).name] = (w.right as { value: unknown }).value;
    // Each argument the sign-in checks against the session's own fields, on those same calls.
    for (const r of o.requires) {
      const req = r.rule as Requirement;
      if (req.kind !== "compare" || req.condition.op !== "==") continue;
      const { left, right } = req.condition;
      if (left.kind !== "parameter" || right?.kind !== "read" || right.place.hops.length > 0 || !session) continue;
      const value = valueIn(session, right.place.path);
      if (value !== undefined && value !== null) args[left.name] = value;
    }
    return args;
  }
  return null;
}
