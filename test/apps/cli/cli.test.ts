import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtures, repoRoot, runCli, tempDir } from "../../support/helpers.ts";

const plugins = (name: string) => join(fixtures, "plugins", name);

describe("envscale CLI", () => {
  it("prints help with every command and the exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("run [options] [catalogs...]");
    expect(result.stdout).toContain("stages [options]");
    expect(result.stdout).toContain("Exit codes: 0 success");
  });

  it("prints help for a command", async () => {
    const result = await runCli(["run", "--help"]);
    expect(result.code).toBe(0);
    for (const flag of ["--out <dir>", "--seed <n>", "--plugins <dir>", "--config <file>", "--only <stage>", "--from <stage>"]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it("exits 2 on an unknown command or flag", async () => {
    expect((await runCli(["frobnicate"])).code).toBe(2);
    const flag = await runCli(["run", "--sed", "3"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--sed'");
  });

  it("exits 2 with one line and no stack trace on a usage error", async () => {
    const result = await runCli(["run", "--seed", "abc", "--out", tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("--seed must be an integer ≥ 0");
    const missing = await runCli(["run", "/no/such/catalog.json", "--out", tempDir()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^envscale: running in .*\nE_INPUT_UNREADABLE: catalog \/no\/such\/catalog\.json does not exist \(give a catalog file, a folder of them, or a glob\)\n$/,
    );
    expect(missing.stderr).not.toContain("    at ");
  });

  it("shows a user stage in its place among the built-ins", async () => {
    const result = await runCli(["stages", "--plugins", plugins("catalog-filter"), "--json"]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { steps: { stage: string; origin: string }[] };
    const order = plan.steps.map((s) => s.stage);
    expect(order.indexOf("drop-undescribed")).toBe(order.indexOf("ingest") + 1);
    expect(order.indexOf("catalog-census")).toBeGreaterThan(order.indexOf("drop-undescribed"));
    expect(plan.steps.find((s) => s.stage === "ingest")?.origin).toBe("built-in");
    const table = await runCli(["stages", "--plugins", plugins("catalog-filter")]);
    expect(table.stdout).toMatch(
      /2\s+drop-undescribed\s+catalog\s+catalog\s+test\/fixtures\/plugins\/catalog-filter\/drop-undescribed\.ts/,
    );
  });

  it("runs a drop-in stage and stores its artifact in the run directory", async () => {
    const out = tempDir();
    const result = await runCli(["run", "--plugins", plugins("catalog-filter"), "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/catalog-census\s+ran/);
    const census = JSON.parse(readFileSync(join(out, "catalog-census.json"), "utf8"));
    expect(census).toEqual({ tools: 40, byFormat: { bfcl: 8, function: 8, mcp: 8, openai: 8, openapi: 8 } });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.stages["catalog-census"].status).toBe("done");
    expect(manifest.stages["drop-undescribed"].inputs.catalog).toBe(manifest.stages.ingest.outputs.catalog.hash);
  });

  it("names the file and the problem when a plugin is not a stage or does not load", async () => {
    const invalid = await runCli(["stages", "--plugins", plugins("invalid")]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /^E_PLUGIN_INVALID: plugin .*not-a-stage\.mjs is not a valid stage: "consumes" of stage "half-stage" must be an array/,
    );
    const broken = await runCli(["stages", "--plugins", plugins("syntax-error")]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^E_PLUGIN_LOAD: plugin .*oops\.mjs failed to load: /);
  });

  it("refuses an unknown config key, naming the closest known one", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "envscale.config.json"), JSON.stringify({ sed: 4 }));
    const result = await runCli(["stages"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^E_CONFIG_UNKNOWN_KEY: config .*envscale\.config\.json: unknown key "sed" \(did you mean "seed"\?\)\n$/);
  });

  it("reads a TypeScript config with defineConfig", async () => {
    const dir = tempDir();
    const publicApi = join(import.meta.dirname, "..", "..", "..", "kernel", "public.ts");
    writeFileSync(
      join(dir, "envscale.config.ts"),
      `import { defineConfig } from ${JSON.stringify(publicApi)};\nexport default defineConfig({ seed: 9, out: "my-run" });\n`,
    );
    const result = await runCli(["run"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "my-run", "manifest.json"), "utf8")).seed).toBe(9);
  });

  it("runs a catalog with its data and policy given in config, per catalog source, and names broken data", async () => {
    const dir = tempDir();
    const pack = join(repoRoot, "examples", "packs", "library");
    writeFileSync(
      join(dir, "envscale.config.json"),
      JSON.stringify({
        catalogs: [{ catalog: join(pack, "tools.json"), data: join(pack, "data.json"), policy: join(pack, "policy.md") }],
      }),
    );
    const result = await runCli(["run", "--out", "out", "--only", "ingest"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const packs = JSON.parse(readFileSync(join(dir, "out", "packs.json"), "utf8"));
    expect(packs).toHaveLength(1);
    expect(packs[0]).toEqual(expect.objectContaining({ name: "library", policy: expect.stringContaining("Riverbend") }));
    expect(packs[0].tools).toHaveLength(18);
    expect(Object.keys(packs[0].data)).toEqual(expect.arrayContaining(["members", "loans", "holds"]));

    writeFileSync(join(dir, "bad.json"), JSON.stringify({ loans: [{ note: "a" }, "a"] }));
    const bad = await runCli(["run", join(pack, "tools.json"), "--data", "bad.json", "--out", "bad"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json, collection "loans": a list collection must hold records/);
    const mismatched = await runCli(["run", "a.json", "b.json", "c.json", "--data", "x.json", "--data", "y.json"], { cwd: dir });
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain("2 --data for 3 catalogs");
  });
});
