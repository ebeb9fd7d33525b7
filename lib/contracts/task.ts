// A task: what the user wants, the state the episode starts from, and the gold calls that do it.
// One line of `tasks.jsonl`; the contract of rollouts, the filter, the server and `eval rollouts`.
import { z } from "zod";
import { statePatchSchema } from "./state-patch.ts";

export const goldCallSchema = z.object({ tool: z.string(), arguments: z.record(z.string(), z.json()) });
export type GoldCall = z.infer<typeof goldCallSchema>;

/** An argument of a gold call that comes from an earlier call's result (an agent must look it up, not guess it). */
export const feedSchema = z.object({
  /** Index of the call in `gold_calls` that takes the value. */
  call: z.number().int().min(0),
  parameter: z.string(),
  /** Index of the earlier call whose result (or created record) gives it. */
  from: z.number().int().min(0),
  /** The field of that result (the key of the record it returned or created). */
  field: z.string(),
});
export type Feed = z.infer<typeof feedSchema>;

export const personaSchema = z.object({
  name: z.string(),
  /** How they write: `terse`, `chatty`, `precise`. */
  style: z.enum(["terse", "chatty", "precise"]),
  description: z.string(),
});
export type Persona = z.infer<typeof personaSchema>;

export const taskSchema = z.object({
  id: z.string(),
  domain: z.string(),
  /** Everything the user wants, in their words. */
  instruction: z.string().min(1),
  /** The instruction in the order a user reveals it, one intent per turn. */
  intents: z.array(z.string().min(1)).min(1),
  persona: personaSchema,
  /** Who wrote instruction and persona: rules (offline) or the model. */
  instruction_by: z.enum(["rules", "model"]),
  /** Only reads: the state cannot tell success, so the calls must match exactly. */
  read_only: z.boolean(),
  /** The seed walk on the dependency graph and the calls dependency-aware expansion added. */
  chain: z.object({ walk: z.array(z.string()).min(1), expanded: z.array(z.string()) }),
  gold_calls: z.array(goldCallSchema).min(1),
  feeds: z.array(feedSchema),
  /**
   * The database the episode starts from, inline (runs before base states were stored once). A
   * task now names `base_state` and carries `state_patch`; read either through `initialStateOf`
   * (lib/task-states).
   */
  initial_state: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.json()))).optional(),
  /** Content hash of the base state the task starts from: `states/<hash>.json` in the run directory. */
  base_state: z.string().optional(),
  /** The task's own changes to its base state: records it injects (distractors included), records it removes (null). */
  state_patch: statePatchSchema.optional(),
  /** Records planted to look like the ones the task is about (they must not be touched). */
  distractors: z.array(z.object({ table: z.string(), key: z.string(), resembles: z.string() })),
  initial_state_hash: z.string(),
  gold_state_hash: z.string(),
  /**
   * Read-only tasks: the facts the answer to the user must state (the salient values the answering
   * read returns). The state cannot tell a read-only task's success; these and the reads can.
   */
  answer_facts: z
    .array(z.object({ call: z.number().int().nonnegative(), path: z.string(), value: z.union([z.string(), z.number()]) }))
    .optional(),
  /** Seed of Math.random in the tools and the task clock: the episode is reproducible from them. */
  seed: z.number().int(),
  clock: z.string(),
});
export type Task = z.infer<typeof taskSchema>;

/** Why a candidate task was not kept (counted in `task-lint.json`). */
export const dropReasons = [
  "no-chain",
  "gold-call-refused",
  "duplicate",
  "replay-mismatch",
  "do-nothing-passes",
  /** An agent that makes the task's reads, none of its writes, and tells the user nothing would pass. */
  "silent-reads-pass",
  "unknown-id",
  /** The instruction recites a parameter's name or an internal id a person could not know. */
  "recites-parameters",
] as const;
export type DropReason = (typeof dropReasons)[number];

/** What a domain's kept tasks cover: its write tools, its flows (tool sequences), its records, and the diversity of their instructions. */
export const taskCoverageSchema = z.object({
  write_tools: z.object({ all: z.array(z.string()), covered: z.array(z.string()), missing: z.array(z.string()) }),
  /** Distinct tool sequences, and the commonest ones with their counts. */
  flows: z.object({ distinct: z.number().int(), top: z.array(z.object({ tools: z.array(z.string()), tasks: z.number().int() })) }),
  /** Distinct records the gold calls name (by their argument values). */
  records: z.number().int(),
  calls_per_task: z.number(),
  read_only: z.number().int(),
  instructions: z.object({
    distinct: z.number().int(),
    /** Distinct word trigrams over all trigrams: 1 when no phrase repeats, near 0 when every instruction is the same. */
    distinct_trigrams: z.number(),
    /** Distinct opening sentences. */
    distinct_openings: z.number().int(),
    mean_words: z.number(),
  }),
});
export type TaskCoverage = z.infer<typeof taskCoverageSchema>;

export const taskLintSchema = z.object({
  /** Candidate tasks built, kept, and dropped by reason, in all and per domain. */
  candidates: z.number().int(),
  kept: z.number().int(),
  dropped: z.record(z.string(), z.number().int()),
  domains: z.record(
    z.string(),
    z.object({ candidates: z.number().int(), kept: z.number().int(), dropped: z.record(z.string(), z.number().int()) }),
  ),
  /** A few examples of each reason, with the details. */
  examples: z.array(z.object({ domain: z.string(), reason: z.string(), detail: z.string() })),
  /** Per domain, what the kept tasks cover and how varied their instructions are. */
  coverage: z.record(z.string(), taskCoverageSchema).optional(),
});
export type TaskLint = z.infer<typeof taskLintSchema>;
