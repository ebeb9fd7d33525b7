// `envscale run`: the whole pipeline on catalogs, with a summary table at the end.
import { basename, extname, resolve } from "node:path";
import type { EnvscaleConfig } from "../../kernel/config.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import { createLogger } from "../../kernel/log.ts";
import { streamProgress } from "../../kernel/progress.ts";
import { type RunResult, runPipeline } from "../../kernel/run.ts";
import type { PackSource } from "../../lib/contracts/domain-pack.ts";
import { llmSectionWithFlag } from "../../lib/llm/config.ts";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";
import { exampleCatalogDir } from "./paths.ts";
import { formatDuration, formatTable } from "./table.ts";

export interface RunFlags {
  catalogs: string[];
  out?: string;
  seed?: number;
  plugins?: string[];
  config?: string;
  only?: string;
  from?: string;
  concurrency?: number;
  /** Tasks in all (`--tasks`): the tasks stage's `limit`. */
  tasks?: number;
  verbose?: boolean;
  /** Stage options set from dedicated flags (e.g. `--theme`), merged over the config's. */
  stageOptions?: Record<string, Record<string, unknown>>;
  /** Domains to synthesise from scratch (stage propose-tools) instead of reading catalogs. */
  theme?: string[];
  /** Domain sketches to expand into tools (stage propose-tools). */
  sketch?: string[];
  /** The LLM provider (`--llm`), over the config's `llm` section. */
  llm?: string;
  /** Redis URL: stages' jobs go to `envscale worker`s through BullMQ (`--queue`, config `queue`). */
  queue?: string;
  /** A service's data (`--data`), per catalog in order, or one for all of them. */
  data?: string[];
  /** A service's policy document (`--policy`), paired with the catalogs as `--data` is. */
  policy?: string[];
  /** A rules file correcting a service's derived rules (`--rules`), paired with the catalogs as `--data` is. */
  rules?: string[];
}

/** Domain packs from `--data`/`--policy`/`--rules` (paired with the catalogs in order; one given applies to every catalog). */
function packsFromFlags(catalogs: readonly string[], flags: RunFlags, cwd: string): PackSource[] {
  const data = (flags.data ?? []).map((p) => resolve(cwd, p));
  const policy = (flags.policy ?? []).map((p) => resolve(cwd, p));
  const rules = (flags.rules ?? []).map((p) => resolve(cwd, p));
  if (data.length === 0 && policy.length === 0 && rules.length === 0) return [];
  for (const [flag, given] of [
    ["--data", data],
    ["--policy", policy],
    ["--rules", rules],
  ] as const)
    if (given.length > 1 && given.length !== catalogs.length)
      throw new EnvscaleError(
        "E_USAGE",
        `${given.length} ${flag} for ${catalogs.length} catalogs: give one for every catalog, in order, or a single one for all`,
      );
  return catalogs.map((catalog, i) => ({
    catalog,
    ...((data[i] ?? (data.length === 1 ? data[0] : undefined)) ? { data: (data[i] ?? data[0]) as string } : {}),
    ...((policy[i] ?? (policy.length === 1 ? policy[0] : undefined)) ? { policy: (policy[i] ?? policy[0]) as string } : {}),
    ...((rules[i] ?? (rules.length === 1 ? rules[0] : undefined)) ? { rules: (rules[i] ?? rules[0]) as string } : {}),
  }));
}

/** Default run directory: generated/<first catalog's name>-s<seed>, stable for the same command. */
export function defaultRunDir(cwd: string, sources: readonly string[], seed: number): string {
  const first = sources[0] ?? "run";
  const name =
    basename(first, extname(first))
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "run";
  return resolve(cwd, "generated", `${name}-s${seed}`);
}

export async function runCommand(flags: RunFlags, io: CliIo): Promise<void> {
  const cwd = process.cwd();
  const composition = await compose({
    ...(flags.config ? { config: flags.config } : {}),
    ...(flags.plugins ? { plugins: flags.plugins } : {}),
    cwd,
  });
  const config = composition.config;
  const seed = flags.seed ?? config.seed ?? 1;
  const themes = flags.theme ?? [];
  const sketches = (flags.sketch ?? []).map((file) => resolve(cwd, file));
  const synthesising = themes.length > 0 || sketches.length > 0;
  if (synthesising && flags.catalogs.length > 0) {
    throw new EnvscaleError("E_USAGE", "--theme and --sketch make the catalog; give them or catalog files, not both");
  }
  const given = flags.catalogs.length > 0 ? flags.catalogs.map((c) => resolve(cwd, c)) : (config.catalogs ?? [exampleCatalogDir]);
  const catalogs = given.map((c) => (typeof c === "string" ? c : resolve(cwd, c.catalog)));
  const packs: PackSource[] =
    flags.data || flags.policy || flags.rules
      ? packsFromFlags(catalogs, flags, cwd)
      : given.flatMap((c) =>
          typeof c === "string"
            ? []
            : [
                {
                  catalog: resolve(cwd, c.catalog),
                  ...(c.data ? { data: resolve(cwd, c.data) } : {}),
                  ...(c.policy ? { policy: resolve(cwd, c.policy) } : {}),
                  ...(c.rules ? { rules: resolve(cwd, c.rules) } : {}),
                },
              ],
        );
  if (synthesising && packs.length > 0)
    throw new EnvscaleError("E_USAGE", "--data, --policy and --rules go with catalogs, not with --theme or --sketch");
  const named = synthesising ? [...themes.map((t) => t.toLowerCase().replace(/[^a-z0-9]+/g, "-")), ...sketches] : catalogs;
  const runDir = flags.out ? resolve(cwd, flags.out) : config.out ? resolve(cwd, config.out) : defaultRunDir(cwd, named, seed);
  const llm = llmSectionWithFlag(config.llm, flags.llm);

  const merged: EnvscaleConfig = {
    ...config,
    ...(llm ? { llm } : {}),
    stages: {
      ...config.stages,
      ingest: { ...config.stages?.ingest, sources: catalogs, ...(packs.length > 0 ? { packs } : {}) },
      ...(synthesising ? { "propose-tools": { ...config.stages?.["propose-tools"], themes, sketches } } : {}),
      ...(flags.tasks !== undefined ? { tasks: { ...config.stages?.tasks, limit: flags.tasks } } : {}),
      ...Object.fromEntries(
        Object.entries(flags.stageOptions ?? {}).map(([stage, opts]) => [stage, { ...config.stages?.[stage], ...opts }]),
      ),
    },
  };
  const { logger, flush } = await createLogger({
    runDir,
    level: flags.verbose ? "debug" : (config.log?.level ?? "info"),
    pretty: Boolean(io.stderr.isTTY),
    ...(flags.verbose ? { stderrLevel: "debug" as const } : {}),
  });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.stderr.write(`\n${signal}: stopping after the items in flight (again to quit at once); re-run to resume\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const queueUrl = flags.queue ?? config.queue;
  const queue = queueUrl ? await (await import("../worker/bullmq-queue.ts")).BullMqJobQueue.connect(queueUrl) : undefined;
  try {
    io.stderr.write(
      `envscale: running in ${runDir}${queue ? ` (jobs through ${queueUrl}: start \`envscale worker --queue ${queueUrl}\` on any machine)` : ""}\n`,
    );
    const result = await runPipeline({
      stages: composition.stages,
      services: composition.services,
      codeVersions: composition.codeVersions,
      config: merged,
      runDir,
      seed,
      ...(flags.only ? { only: flags.only } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      logger,
      progress: streamProgress(io.stderr),
      signal: controller.signal,
      ...(queue ? { queue } : {}),
    });
    io.stdout.write(`${summarise(result)}\n`);
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof EnvscaleError && error.code === "E_ABORTED")) {
      throw new EnvscaleError("E_ABORTED", `run interrupted; finished work is kept in ${runDir}, re-run the same command to resume`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await queue?.close();
    flush();
  }
}

/** The table printed at the end of a run, then each stage's own summary lines if it wrote any. */
export function summarise(result: RunResult): string {
  const rows = result.outcomes.map((outcome) => [
    outcome.stage,
    outcome.status,
    outcome.status === "ran" ? formatDuration(outcome.wallMs) : "",
    Object.entries(outcome.outputs)
      .map(([kind, out]) => `${kind} ${out.count}`)
      .join(", "),
  ]);
  const lines = result.outcomes.flatMap((outcome) => outcome.summary ?? []);
  const summary = lines.length > 0 ? `\n\n${lines.join("\n")}` : "";
  return `\n${formatTable(["stage", "status", "time", "outputs (items)"], rows)}${summary}\n\nrun directory: ${result.runDir}`;
}
