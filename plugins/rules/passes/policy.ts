// Rules from the policy document, from the sentences that speak of the tool: the states it may act
// on (only where they name its own action: a policy speaks of many tools), the values its
// parameters may take, its bounds and what it needs. A policy says what an agent may do; what a
// call changes is the tool's own description's to say, so no effect comes from here but money drawn
// from a balance the policy names.
import { clausesOf, readClause } from "../clauses.ts";
import type { RuleContext } from "../context.ts";
import { statusRequirement } from "../statuses.ts";
import { bounds, parameterValues } from "../values.ts";
import { money } from "./description.ts";

export function policyPass(c: RuleContext, to: string | null): void {
  const texts = c.sentences("policy");
  if (texts.length === 0) return;
  statusRequirement(
    c,
    texts.map((t) => t.sentence),
    "policy",
    to,
    { own: true },
  );
  parameterValues(c, "policy");
  bounds(c, "policy");
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  for (const clause of clausesOf(texts)) readClause(c, clause, { effects: false });
  if (c.subject.kind === "change" && c.target) money(c, "policy");
}
