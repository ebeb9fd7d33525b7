// `envs/<domain>/verification.json`: per tool, its procedural test cases, how they came out, and the verdict.
import { z } from "zod";
import { ruleSources } from "./tool-rules.ts";

const toolVerificationSchema = z.object({
  tool: z.string(),
  function: z.string(),
  /** verified: passed as written; repaired: passed after repair; dropped: left out of the environment. */
  verdict: z.enum(["verified", "repaired", "dropped"]),
  cases: z.number().int(),
  success: z.number().int(),
  anticipated_rejection: z.number().int(),
  unexpected_failure: z.number().int(),
  /** Repair rounds used. */
  rounds: z.number().int(),
  /** How it was repaired (`model`, `generic list template (offline)`). */
  repair: z.string().optional(),
  /** Why it failed as written (and, for a tool dropped after a repair, why the repair failed). */
  failures: z.array(z.string()),
  /**
   * Cases the model showed to be wrong, not the tool: they contradict the tool's description or the
   * policy (made from a rule derived wrongly). Their failures are not the tool's; its code is kept.
   */
  case_faults: z.array(z.object({ case: z.string(), why: z.string() })).optional(),
  /** What a kept tool does not do that its kind suggests (a change with no effect derived). */
  warnings: z.array(z.string()).optional(),
  /**
   * A service tool's rules (modelled on a data pack): each requirement and effect it enforces,
   * where it came from, and the case that checked it (`rule-2`), if the data allowed one.
   */
  rules: z
    .array(
      z.object({
        kind: z.string(),
        source: z.enum(ruleSources),
        text: z.string(),
        /** The case that checked it, and whether it passed. */
        case: z.string().optional(),
        held: z.boolean().optional(),
      }),
    )
    .optional(),
});

export const verificationSchema = z.object({
  domain: z.string(),
  tools: z.array(toolVerificationSchema),
  summary: z.object({
    tools: z.number().int(),
    verified: z.number().int(),
    repaired: z.number().int(),
    dropped: z.number().int(),
    cases: z.number().int(),
    /** (verified + repaired) / tools. */
    pass_rate: z.number(),
  }),
  /** Set when the module as a whole could not be used (it did not compile). */
  moduleProblem: z.string().optional(),
});

export type Verification = z.infer<typeof verificationSchema>;
