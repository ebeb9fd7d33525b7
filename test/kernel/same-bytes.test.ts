// The same seed gives the same bytes: full offline runs of the example catalog and of a 500-tool
// slice of Seal-Tools, every artifact compared with the SHA-256 recorded in test/snapshots/. A change
// that moves any byte fails here, naming the files; when the change is meant, record the new bytes
// with `UPDATE_SNAPSHOTS=1 npx vitest run test/kernel/same-bytes.test.ts` and commit them with it.
// Left out: the files that hold wall times (manifest.json, logs.jsonl, report.html) and journals.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artifactDigest, digestDifferences } from "../support/artifacts.ts";
import { exampleCatalog } from "../support/example.ts";
import { fixtures, repoRoot } from "../support/helpers.ts";
import { runStages } from "../support/pipeline.ts";

async function compare(name: string, catalog: string): Promise<void> {
  const run = await runStages({ config: { stages: { ingest: { sources: [catalog] } } } });
  const actual = artifactDigest(run.runDir);
  const file = join(repoRoot, "test", "snapshots", `${name}.sha256`);
  if (process.env.UPDATE_SNAPSHOTS) writeFileSync(file, actual);
  expect(existsSync(file), `no snapshot ${file}: record it with UPDATE_SNAPSHOTS=1`).toBe(true);
  expect(digestDifferences(readFileSync(file, "utf8"), actual)).toEqual([]);
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
    expect(digestDifferences(a, b)).toEqual(["three.json", "two.json"]);
  });
});
