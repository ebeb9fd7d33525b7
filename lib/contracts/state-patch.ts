// What a task changes of its base state: per table and key, a record set, or null for one removed
// (`state_patch` of a task; applied by lib/task-states).
import { z } from "zod";

export const statePatchSchema = z.record(z.string(), z.record(z.string(), z.union([z.record(z.string(), z.json()), z.null()])));
export type StatePatch = z.infer<typeof statePatchSchema>;
