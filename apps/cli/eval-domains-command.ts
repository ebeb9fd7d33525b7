// `envscale eval domains CATALOG --label-field FIELD`: how well offline domains recover labels.
//
// The catalog is ingested, graphed and split exactly as `envscale run` does (stage options from
// the config apply); labels are read only to score the result, never as features.
import { resolve } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import { Rng } from "../../kernel/rng.ts";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";
import { formatTable } from "./table.ts";

export interface EvalDomainsFlags {
  labelField: string;
  json?: boolean;
  config?: string;
  seed?: number;
}

export interface DomainEvaluation {
  ari: number;
  nmi: number;
  domains: number;
  labels: number;
  tools: number;
  /** Tools with no value in the label field (left out of the scores). */
  unlabelled: number;
  /** Tools no domain kept (each scored as its own cluster). */
  rejected: number;
  modularity: number;
}

/** The label of a tool: a ToolSpec field, a `meta` field, or a dotted path (`meta.tool_name`). */
export function labelOf(tool: Record<string, unknown>, field: string): string | undefined {
  const direct = field
    .split(".")
    .reduce<unknown>(
      (value, key) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined),
      tool,
    );
  const value = direct ?? (tool.meta as Record<string, unknown> | undefined)?.[field];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

export async function evaluateDomains(catalogs: readonly string[], flags: EvalDomainsFlags): Promise<DomainEvaluation> {
  const [{ readCatalog }, { buildToolGraph, toolGraphOptions }, { partitionDomains, domainsOptions }, agreement] = await Promise.all([
    import("../../plugins/ingest/index.ts"),
    import("../../plugins/tool-graph/index.ts"),
    import("../../plugins/domains/index.ts"),
    import("../../plugins/domains/cluster-agreement.ts"),
  ]);
  const { config } = await compose(flags.config ? { config: flags.config } : {});
  const { tools } = await readCatalog(catalogs.map((c) => resolve(c)));
  if (tools.length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `no usable tool in ${catalogs.join(", ")}`);
  const graph = buildToolGraph(tools, toolGraphOptions.parse(config.stages?.["tool-graph"] ?? {}));
  // The same stream the `domains` stage draws from in a run with this seed.
  const rng = Rng.forRun(flags.seed ?? config.seed ?? 1)
    .fork("stage:domains")
    .fork("louvain");
  const result = partitionDomains(tools, graph, domainsOptions.parse(config.stages?.domains ?? {}), () => rng.next());
  const domainOf = new Map<string, string>();
  for (const domain of result.domains) for (const tool of domain.tools) domainOf.set(tool, domain.name);
  const predicted: string[] = [];
  const truth: string[] = [];
  let unlabelled = 0;
  for (const tool of tools) {
    const label = labelOf(tool as unknown as Record<string, unknown>, flags.labelField);
    if (label === undefined) {
      unlabelled += 1;
      continue;
    }
    predicted.push(domainOf.get(tool.name) ?? `rejected:${tool.name}`);
    truth.push(label);
  }
  if (truth.length === 0) {
    throw new EnvscaleError("E_USAGE", `no tool has a value in label field "${flags.labelField}"`, {
      hint: "try category, subcategory, or a meta field such as meta.tool_name",
    });
  }
  const round = (x: number) => Number(x.toFixed(4));
  return {
    ari: round(agreement.adjustedRandIndex(predicted, truth)),
    nmi: round(agreement.normalizedMutualInformation(predicted, truth)),
    domains: result.domains.length,
    labels: new Set(truth).size,
    tools: truth.length,
    unlabelled,
    rejected: result.rejected.length,
    modularity: result.modularity,
  };
}

export async function evalDomainsCommand(catalogs: string[], flags: EvalDomainsFlags, io: CliIo): Promise<void> {
  const result = await evaluateDomains(catalogs, flags);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = Object.entries(result).map(([key, value]) => [key, String(value)]);
  io.stdout.write(`${formatTable(["measure", "value"], rows, [1])}\n`);
}
