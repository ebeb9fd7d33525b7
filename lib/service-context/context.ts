// What every model role that builds a service's environment is told about the service (the rules
// reviser, the code writer, the reviewer, the test writer, the repairer, the task writer…): what
// day it is, the policy, and a representative sample of the data, so that no role works blind to
// what another saw. One text, made once per domain, put in each role's request.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { DomainState } from "../contracts/domain-state.ts";
import { dataSample } from "./data-sample.ts";

export interface ServiceFacts {
  /** The task clock (ISO 8601): the policy's "today", or the run's. */
  clock: string;
  policy?: string;
  data?: DomainState;
}

/** The task clock when a service's texts set none (codegen's `clock` option default). */
export const DEFAULT_CLOCK = "2025-03-03T09:00:00Z";

/** Token budgets: the data sample, and the policy (past it, whole paragraphs are kept and the cut said). */
export const SAMPLE_TOKENS = 4000;
export const POLICY_TOKENS = 6000;

function policyText(policy: string, budget: number): string {
  if (countTokens(policy) <= budget) return policy;
  const kept: string[] = [];
  let used = 0;
  for (const paragraph of policy.split(/\n\s*\n/)) {
    const cost = countTokens(paragraph) + 1;
    if (used + cost > budget) break;
    kept.push(paragraph);
    used += cost;
  }
  return `${kept.join("\n\n")}\n\n(the policy goes on; only its first ${kept.length} paragraphs fit here)`;
}

/** The block every role's request carries: the clock, the policy, the data sample. */
export function serviceContext(facts: ServiceFacts): string {
  const parts = [
    `Today is ${facts.clock.slice(0, 10)} (the service's clock: ${facts.clock}). Dates the tools write, and compare with "today", are relative to it.`,
  ];
  if (facts.policy) parts.push(`The service's policy (the tools must keep it):\n${policyText(facts.policy, POLICY_TOKENS)}`);
  if (facts.data) {
    const { sample, shown } = dataSample(facts.data, SAMPLE_TOKENS);
    const counts = Object.entries(shown)
      .map(([name, s]) => `${name} ${s.shown} of ${s.of}`)
      .join(", ");
    parts.push(
      `The service's data: db maps each collection to its records by key, in exactly this shape. A few whole records of every collection (${counts}):\n${JSON.stringify(sample, null, 1)}`,
    );
  }
  return parts.join("\n\n");
}
