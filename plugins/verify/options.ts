// The verify stage's options (config `stages.verify`).
import { z } from "zod";

export const verifyOptions = z.object({
  /** Valid cases per tool (built from different records of the sample state). */
  validCases: z.number().int().min(1).max(20).default(3),
  /** Repair rounds for a tool with unexpected failures before it is dropped. */
  repairRounds: z.number().int().min(0).max(10).default(2),
  /** Time limit of each test call, ms (a hanging tool costs this per case). */
  timeoutMs: z.number().int().min(10).max(60_000).default(300),
  memoryMb: z.number().int().min(8).max(1024).default(64),
});
export type VerifyOptions = z.infer<typeof verifyOptions>;
