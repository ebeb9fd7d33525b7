// Two runs of the example catalog with the same seed write byte-identical artifacts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runExample } from "../support/example.ts";
import type { PipelineRun } from "../support/pipeline.ts";

let first: PipelineRun;
let second: PipelineRun;

beforeAll(async () => {
  first = await runExample();
  second = await runExample();
}, 120_000);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}

describe("determinism", () => {
  it("two runs with the same seed write byte-identical artifacts", () => {
    // The manifest, the log and the report hold timings; everything else is an artifact.
    const timed = new Set(["manifest.json", "logs.jsonl", "report.html"]);
    const artifacts = files(first.runDir).filter((f) => !timed.has(f) && !f.startsWith("versions/"));
    expect(artifacts).toContain("tasks.jsonl");
    expect(artifacts).toContain("cpt/packed-32k.jsonl");
    expect(files(second.runDir).filter((f) => !timed.has(f) && !f.startsWith("versions/"))).toEqual(artifacts);
    for (const file of artifacts)
      expect(readFileSync(join(second.runDir, file)).equals(readFileSync(join(first.runDir, file))), file).toBe(true);
  });
});
