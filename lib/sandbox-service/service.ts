// Service `sandbox`: the sandbox engine (supervised sandbox processes running tool modules, see
// sandbox/README.md) plugged into the kernel's service port. It lives in the shared layer because it
// joins the two bottom layers, which import nothing of each other.
// Config: `sandbox: { processes, memoryMb, timeoutMs, clockStepMs, maxResultBytes, idleEnvironments }`.
import { z } from "zod";
import { canonicalStringify } from "../../kernel/canonical-json.ts";
import { parseWithKnownKeys } from "../../kernel/config.ts";
import { defineService } from "../../kernel/stage.ts";
import type { Sandbox } from "../../sandbox/index.ts";

declare module "../../kernel/stage.ts" {
  interface ServiceTypes {
    sandbox: Sandbox;
  }
}

export const sandboxConfigSchema = z.strictObject({
  /** Sandbox processes (default: one per CPU core). */
  processes: z.number().int().min(1).max(256).optional(),
  /** Heap limit of each tool isolate, MB (default 64). */
  memoryMb: z.number().int().min(8).max(4096).optional(),
  /** Time limit of each tool call, ms (default 1000). */
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  /** How far the task clock moves after each successful call, ms (default 1000). */
  clockStepMs: z.number().int().min(0).optional(),
  /** Largest tool result, characters of JSON (default 1 MiB). */
  maxResultBytes: z.number().int().min(64).optional(),
  /** Closed environments each process keeps warm (default: a quarter of memory's worth, 64 to 1,024). */
  idleEnvironments: z.number().int().min(1).max(100_000).optional(),
});

export default defineService({
  service: "sandbox",
  description: "tool modules in isolated-vm, in supervised sandbox processes",
  // Limits change outcomes (a call near its time limit); the number of processes does not.
  fingerprint(config) {
    const { processes: _processes, idleEnvironments: _idle, ...limits } = (config.sandbox ?? {}) as Record<string, unknown>;
    return canonicalStringify(limits);
  },
  async create(ctx) {
    const config = parseWithKnownKeys(sandboxConfigSchema, ctx.config.sandbox ?? {}, "config sandbox");
    // The sandbox (isolated-vm, esbuild, ts-morph) loads only when a stage first asks for it.
    const { Sandbox } = await import("../../sandbox/index.ts");
    const { processes, idleEnvironments, ...environment } = config;
    return Sandbox.start({ ...(processes ? { processes } : {}), ...(idleEnvironments ? { idleEnvironments } : {}), environment });
  },
  close: (sandbox) => sandbox.close(),
});
