// The same seed gives the same bytes: full offline runs of the example catalog and of a 500-tool
// slice of Seal-Tools, every artifact compared with the SHA-256 recorded in test/snapshots/. A change
// that moves any byte fails here, naming the files; when the change is meant, record the new bytes
// with `UPDATE_SNAPSHOTS=1 npx vitest run test/kernel/same-bytes.test.ts` and commit them with it.
// Left out: the files that hold wall times (manifest.json, logs.jsonl, report.html) and journals.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleCatalog } from "../support/example.ts";
import { fixtures, repoRoot } from "../support/helpers.ts";
import { runStages } from "../support/pipeline.ts";

const TIMED = new Set(["manifest.json", "logs.jsonl", "report.html"]);

/** `sha256  path` of every artifact of a run directory, sorted by path. */
function digest(dir: string): string {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile() && !TIMED.has(f) && !f.startsWith(".work"))
    .sort();
  return files
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}\n`,
    )
    .join("");
}

/** The files whose hash differs between two digests (missing or new ones included). */
function differences(expected: string, actual: string): string[] {
  const parse = (text: string) =>
    new Map(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(66), l.slice(0, 64)] as const),
    );
  const [a, b] = [parse(expected), parse(actual)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f)).sort();
}

async function compare(name: string, catalog: string): Promise<void> {
  const run = await runStages({ config: { stages: { ingest: { sources: [catalog] } } } });
  const actual = digest(run.runDir);
  const file = join(repoRoot, "test", "snapshots", `${name}.sha256`);
  if (process.env.UPDATE_SNAPSHOTS) writeFileSync(file, actual);
  expect(existsSync(file), `no snapshot ${file}: record it with UPDATE_SNAPSHOTS=1`).toBe(true);
  expect(differences(readFileSync(file, "utf8"), actual)).toEqual([]);
}

describe("the same seed, the same bytes", () => {
  it("on the example catalog, every artifact as recorded", async () => {
    await compare("example-catalog", exampleCatalog);
  }, 120_000);

  it("on 500 Seal-Tools functions, every artifact as recorded", async () => {
    await compare("seal-tools-500", join(fixtures, "catalogs", "seal-tools-500.jsonl"));
  }, 300_000);

  it("names the files that differ", () => {
    const a = `${"a".repeat(64)}  one.json\n${"b".repeat(64)}  two.json\n`;
    const b = `${"a".repeat(64)}  one.json\n${"c".repeat(64)}  two.json\n${"d".repeat(64)}  three.json\n`;
    expect(differences(a, b)).toEqual(["three.json", "two.json"]);
  });
});
