// Running a tool's cases in the sandbox, one episode per case on the sample state, and judging them.

import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { SandboxEnvironment } from "../../sandbox/index.ts";
import type { TestCase } from "./cases.ts";
import { type CaseResult, judge } from "./classify.ts";

export interface ToolRun {
  results: CaseResult[];
  /** Why the tool fails verification (empty: it passes). */
  failures: string[];
}

export async function runCases(
  env: SandboxEnvironment,
  state: JsonObject,
  initialHash: string,
  clock: string,
  cases: readonly TestCase[],
  writes: boolean,
): Promise<ToolRun> {
  const results: CaseResult[] = [];
  // Every case in one message. The sandbox stops after two cases that hit a time or memory limit
  // (each costs the limit): both are unexpected failures, where the loop below stops anyway.
  const episodes = await env.runEpisodes({
    state,
    options: { clock, seed: 0 },
    episodes: cases.map((test) => ({ calls: [...test.setup, test.call], exportState: writes && test.effects.length > 0 })),
    stopAfterFatal: 2,
  });
  for (const [i, episode] of episodes.entries()) {
    const test = cases[i] as TestCase;
    const outcomes = episode.outcomes;
    const outcome = outcomes.at(-1);
    if (!outcome) continue;
    results.push(
      judge(test, outcomes.slice(0, -1), outcome, {
        before: state,
        ...(episode.state ? { after: episode.state } : {}),
        changed: episode.stateHash !== initialHash,
      }),
    );
    // A crash is enough to know: the remaining cases would only cost time (a hanging tool, each one its time limit).
    if (results.at(-1)?.category === "unexpected" && results.filter((r) => r.category === "unexpected").length >= 2) break;
  }
  return { results, failures: failuresOf(results) };
}

function failuresOf(results: readonly CaseResult[]): string[] {
  const failures = results.filter((r) => r.verdict === "fail").map((r) => `${r.id}: ${r.message ?? "failed"}`);
  const positive = results.filter(
    (r) => (r.kind === "valid" || r.kind === "model") && (r.verdict === "pass" || r.verdict === "refused") && r.category !== "unexpected",
  );
  const wanted = results.filter((r) => r.kind === "valid");
  if (wanted.length === 0 && failures.length === 0) failures.push("no valid call could be built from the sample state");
  else if (wanted.length > 0 && !positive.some((r) => r.verdict === "pass")) {
    const refused = results.find((r) => r.kind === "valid" && r.verdict === "refused");
    failures.push(`refused every valid call${refused?.message ? ` (${refused.id}: ${refused.message})` : ""}`);
  }
  return failures;
}
