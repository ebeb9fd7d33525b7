// `envs/<domain>/codegen.json`: who wrote a domain's tool module, and what the model's roles said of it.
import { z } from "zod";

export const modelTestSchema = z.object({
  tool: z.string(),
  arguments: z.record(z.string(), z.json()),
  expect: z.enum(["success", "rejection"]),
  note: z.string().optional(),
});

export type ModelTest = z.infer<typeof modelTestSchema>;

export const codegenReportSchema = z.object({
  domain: z.string(),
  /** Who wrote tools.ts: `templates` (offline) or `model`. */
  source: z.enum(["templates", "model"]),
  /** Catalog tool name → function name in tools.ts. */
  functions: z.record(z.string(), z.string()),
  /** The task clock the sample state's dates are drawn around (verify runs on it). */
  clock: z.string(),
  /**
   * How far the clock moves after each call, ms, when not the sandbox's default: 0 where the
   * service's own texts set the clock ("today is …"), since the service answers every call at that time.
   */
  clockStepMs: z.number().int().min(0).optional(),
  /** Model rounds used by the writer (0 offline). */
  rounds: z.number().int(),
  /** Why the model's code was not used, when it was asked and failed. */
  modelRejected: z.string().optional(),
  review: z.object({ approved: z.boolean(), problems: z.array(z.object({ tool: z.string(), problem: z.string() })) }).optional(),
  /** Cases written by the test-writer role (empty offline: verify generates its own). */
  tests: z.array(modelTestSchema),
});

export type CodegenReport = z.infer<typeof codegenReportSchema>;
