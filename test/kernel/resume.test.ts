import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEntry, fixtures, runCli, tempDir } from "../support/helpers.ts";

const plugins = join(fixtures, "plugins", "slow-notes");

/** Every file of a run directory except the log, by relative path. */
function artifactFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      // The log, the manifest and the report record wall times; every other file is an artifact.
      else if (!["logs.jsonl", "manifest.json", "report.html"].includes(entry.name))
        out.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** The hashes a manifest records (wall times differ between runs, hashes must not; the report shows wall times). */
function manifestHashes(dir: string) {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  return Object.fromEntries(
    Object.entries(
      manifest.stages as Record<string, { key: string; inputs: unknown; outputs: Record<string, { hash: string }>; status: string }>,
    )
      .filter(([name]) => name !== "report")
      .map(([name, s]) => [
        name,
        {
          key: s.key,
          status: s.status,
          inputs: s.inputs,
          outputs: Object.fromEntries(Object.entries(s.outputs).map(([k, o]) => [k, o.hash])),
        },
      ]),
  );
}

function journalLines(dir: string): number {
  const folder = join(dir, ".work", "tool-notes");
  if (!existsSync(folder)) return 0;
  return readdirSync(folder).reduce((n, file) => n + readFileSync(join(folder, file), "utf8").split("\n").length - 1, 0);
}

describe("a run killed with SIGKILL", () => {
  it("finishes on re-run with artifacts and manifest hashes identical to an uninterrupted run", async () => {
    const straight = tempDir();
    const first = await runCli(["run", "--plugins", plugins, "--out", straight, "--seed", "7"]);
    expect(first.code).toBe(0);

    const killed = tempDir();
    const child = spawn(process.execPath, [cliEntry, "run", "--plugins", plugins, "--out", killed, "--seed", "7"], {
      env: { ...process.env, ENVSCALE_TEST_ITEM_DELAY_MS: "40" },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Kill once a dozen of the 40 items are journaled: mid-stage, mid-write for all we know.
    const deadline = Date.now() + 20_000;
    while (journalLines(killed) < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await exited;
    const interrupted = JSON.parse(readFileSync(join(killed, "manifest.json"), "utf8"));
    expect(interrupted.stages["tool-notes"].status).toBe("running");
    expect(journalLines(killed)).toBeGreaterThanOrEqual(12);

    const resumed = await runCli(["run", "--plugins", plugins, "--out", killed, "--seed", "7"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/ingest\s+cached/);
    const resumedManifest = JSON.parse(readFileSync(join(killed, "manifest.json"), "utf8"));
    expect(resumedManifest.stages["tool-notes"].items.resumed).toBeGreaterThanOrEqual(12);

    expect(manifestHashes(killed)).toEqual(manifestHashes(straight));
    const a = artifactFiles(straight);
    const b = artifactFiles(killed);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, text] of a) expect(b.get(path), path).toBe(text);
  });
});
