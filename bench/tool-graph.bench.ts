// Benchmark: build the lexical tool graph and the domains of 10,000 real tools.
//   node bench/tool-graph.bench.ts [DATA_DIR] [--tools N]
//
// The three public catalogs hold 8,419 tools; to reach N the benchmark adds copies of the first
// tools under new names (`copy1_<name>`), which is the hard case for k-NN sparsification: a copy
// and its original are identical, so every copy's neighbourhood is dense.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Rng } from "../kernel/rng.ts";
import type { ToolSpec } from "../lib/contracts/tool-spec.ts";
import { partitionDomains } from "../plugins/domains/index.ts";
import { readCatalog } from "../plugins/ingest/index.ts";
import { buildToolGraph, toolGraphOptions } from "../plugins/tool-graph/index.ts";

const args = process.argv.slice(2);
const toolsFlag = args.indexOf("--tools");
const target = toolsFlag >= 0 ? Number(args[toolsFlag + 1]) : 10_000;
const positional = args.filter((_, i) => i !== toolsFlag && i !== toolsFlag + 1);
const dataDir = resolve(positional[0] ?? join(import.meta.dirname, "..", "..", "shared", "data"));
const files = ["catalog-stabletoolbench.jsonl", "catalog-seal-tools.jsonl", "catalog-bfcl.jsonl"].map((f) => join(dataDir, f));
if (!files.every((f) => existsSync(f))) {
  console.error(`catalogs not found in ${dataDir}; pass the folder holding catalog-*.jsonl`);
  process.exit(2);
}

const { tools: real } = await readCatalog(files);
const tools: ToolSpec[] = [...real];
for (let copy = 1; tools.length < target; copy++) {
  for (const tool of real) {
    if (tools.length >= target) break;
    tools.push({ ...tool, name: `copy${copy}_${tool.name}`.slice(0, 64) });
  }
}

const options = toolGraphOptions.parse({});
const graphStarted = performance.now();
const graph = buildToolGraph(tools, options);
const graphMs = performance.now() - graphStarted;

const domainsStarted = performance.now();
const rng = Rng.forRun(1).fork("stage:domains").fork("louvain");
const domains = partitionDomains(tools, graph, { minSize: 3, maxSize: 40, resolution: 1 }, () => rng.next());
const domainsMs = performance.now() - domainsStarted;

console.log(`tool-graph benchmark (node ${process.version}): ${tools.length} tools (${real.length} real)`);
console.log(`tool graph  ${(graphMs / 1000).toFixed(2)} s   ${graph.edges.length} edges (k ${options.k}, threshold ${options.threshold})`);
console.log(
  `domains     ${(domainsMs / 1000).toFixed(2)} s   ${domains.domains.length} domains, ${domains.rejected.length} tools rejected, modularity ${domains.modularity}`,
);
console.log(`heap used   ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
