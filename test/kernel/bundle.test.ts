import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/helpers.ts";

describe("the kernel", () => {
  it("bundles without isolated-vm, esbuild, ts-morph, any plugin or the sandbox", async () => {
    const result = await build({
      entryPoints: [join(repoRoot, "kernel", "run.ts"), join(repoRoot, "kernel", "public.ts")],
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
      /node_modules\/(isolated-vm|esbuild|ts-morph|@ts-morph|typescript|openai)\/|^(plugins|sandbox)\//.test(file),
    );
    expect(forbidden).toEqual([]);
    expect(inputs.some((file) => file.startsWith("kernel/"))).toBe(true);
  });
});
