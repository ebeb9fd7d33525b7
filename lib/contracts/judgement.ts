// What the filter decides of trajectories (`sft-candidates`, `rejected-trajectories`, `funnel`), and its stages.
import { z } from "zod";
import { trajectorySchema } from "./trajectory.ts";

export const filterStages = ["validity", "state-alignment", "exact-match"] as const;

export type FilterStage = (typeof filterStages)[number];

const diffSchema = z.object({ table: z.string(), key: z.string(), field: z.string().optional(), expected: z.json(), actual: z.json() });

export const keptTrajectorySchema = trajectorySchema.extend({
  judgement: z.object({ state: z.enum(["exact", "equivalent"]), tool_errors: z.number().int() }),
});

export type KeptTrajectory = z.infer<typeof keptTrajectorySchema>;

export const rejectedTrajectorySchema = z.object({
  id: z.string(),
  task_id: z.string(),
  domain: z.string(),
  stage: z.enum(filterStages),
  reasons: z.array(z.string()).min(1),
  diffs: z.array(diffSchema),
  trajectory: trajectorySchema,
});

export type RejectedTrajectory = z.infer<typeof rejectedTrajectorySchema>;

const countsSchema = z.object({
  trajectories: z.number().int(),
  valid: z.number().int(),
  aligned: z.number().int(),
  exact_match: z.number().int(),
  kept: z.number().int(),
});

export type Counts = z.infer<typeof countsSchema>;

export const funnelSchema = z.object({
  stages: z.array(z.string()),
  total: countsSchema,
  domains: z.record(z.string(), countsSchema),
  /** Rejections by stage and by reason (the reason's first words). */
  rejected: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Kept trajectories in which some call was refused before the goal was met. */
  kept_with_tool_errors: z.number().int(),
  /** Offline: planted mistakes and where the filter caught them (`kept` = missed, or harmless). */
  mistakes: z.record(z.string(), z.record(z.string(), z.number().int())),
});

export type Funnel = z.infer<typeof funnelSchema>;
