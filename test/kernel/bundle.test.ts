// The kernel is the driver alone: bundled from every one of its files, it pulls in no sandbox, no
// plugin, no app, no shared stage code, and none of the heavy dependencies those bring.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/helpers.ts";

describe("the kernel", () => {
  it("bundles from every one of its files without isolated-vm, esbuild, ts-morph, bullmq, openai, a plugin, an app or the sandbox", async () => {
    const files = readdirSync(join(repoRoot, "kernel"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("run.ts");
    const result = await build({
      entryPoints: files.map((f) => join(repoRoot, "kernel", f)),
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      outdir: "out",
      packages: "bundle",
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    const forbidden = inputs.filter((file) =>
      /node_modules\/(isolated-vm|esbuild|ts-morph|@ts-morph|typescript|openai|bullmq|ioredis|fastify)\/|^(plugins|sandbox|contracts|domain-model|episodes|llm|tool-code|cli|server|worker)\//.test(
        file,
      ),
    );
    expect(forbidden).toEqual([]);
    expect(inputs.filter((file) => file.startsWith("kernel/")).length).toBe(files.length);
  });
});
