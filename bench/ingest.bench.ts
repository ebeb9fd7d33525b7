// Benchmark: ingest the real public catalogs (../shared/data by default) and print time and counts.
//   node bench/ingest.bench.ts [DATA_DIR]
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runPipeline } from "../kernel/run.ts";
import type { AnyStage } from "../kernel/stage.ts";
import ingest from "../plugins/ingest/index.ts";

const dataDir = resolve(process.argv[2] ?? join(import.meta.dirname, "..", "..", "shared", "data"));
const files = ["catalog-stabletoolbench.jsonl", "catalog-seal-tools.jsonl", "catalog-bfcl.jsonl"].map((f) => join(dataDir, f));
if (!files.every((f) => existsSync(f))) {
  console.error(`catalogs not found in ${dataDir}; pass the folder holding catalog-*.jsonl`);
  process.exit(2);
}

const rows: string[] = [];
let totalTools = 0;
let totalMs = 0;
for (const file of [...files, files]) {
  const sources = Array.isArray(file) ? file : [file];
  const dir = mkdtempSync(join(tmpdir(), "envscale-bench-ingest-"));
  const started = performance.now();
  const result = await runPipeline({ stages: [ingest as AnyStage], config: { stages: { ingest: { sources } } }, runDir: dir, seed: 1 });
  const ms = performance.now() - started;
  const outputs = result.outcomes[0]?.outputs ?? {};
  const tools = outputs.catalog?.count ?? 0;
  const rejected = outputs.rejected?.count ?? 0;
  const reasons = readFileSync(join(dir, "rejected.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .reduce<Record<string, number>>((acc, line) => {
      const code = (JSON.parse(line) as { code: string }).code;
      acc[code] = (acc[code] ?? 0) + 1;
      return acc;
    }, {});
  const label = Array.isArray(file) ? "all three at once" : file.split("/").pop();
  rows.push(
    `${String(label).padEnd(32)} ${String(tools).padStart(6)} tools ${String(rejected).padStart(4)} rejected ${JSON.stringify(reasons).padEnd(40)} ${(ms / 1000).toFixed(2)} s  ${Math.round(tools / (ms / 1000))} tools/s`,
  );
  if (!Array.isArray(file)) {
    totalTools += tools;
    totalMs += ms;
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(`ingest benchmark (node ${process.version})`);
for (const row of rows) console.log(row);
console.log(`sum of the three runs: ${totalTools} tools in ${(totalMs / 1000).toFixed(2)} s`);
