// `envscale bench [--json]`: the sandbox benchmark, as a table or one JSON object.
import type { CliIo } from "./io.ts";
import { formatTable } from "./table.ts";

export async function benchCommand(flags: { json?: boolean; seconds: number; workers?: number }, io: CliIo): Promise<void> {
  const { runSandboxBenchmark, endBenchmark } = await import("./sandbox-benchmark.ts");
  try {
    const result = await runSandboxBenchmark({
      seconds: flags.seconds,
      ...(flags.workers ? { workers: flags.workers } : {}),
      ...(flags.json ? {} : { progress: (line: string) => io.stderr.write(`  ${line}\n`) }),
    });
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const n = (value: number) => Math.round(value).toLocaleString("en-US");
    const rows = [
      ["(1) raw applySync, trivial function", `${n(result.raw_calls_per_s)} /s`, "the ceiling"],
      ["(2) Environment.call, realistic tool", `${n(result.env_calls_per_s)} /s`, `${result.env_to_raw_ratio} × (1)`],
      [
        "    naive applySync + per-call timeout",
        `${n(result.naive_calls_per_s)} /s`,
        `${result.naive_to_raw_ratio} × (1), no validation or rollback`,
      ],
      ["(3) direct in-process call (unsafe)", `${n(result.direct_calls_per_s)} /s`, "the unsafe reference"],
      ["    callMany, trivial tool", `${n(result.batch_calls_per_s)} /s`, "one crossing per 10,000 calls"],
      ["(4) episode resets", `${n(result.resets_per_s)} /s`, `median ${result.reset_median_ms} ms`],
      ["    idle environment", `${result.idle_environment_mb} MB`, "resident memory per environment"],
      [
        `(5) ${result.workers} sandbox processes`,
        `${n(result.worker_calls_per_s)} /s`,
        `${result.worker_scaling} × 1 process (${n(result.single_worker_calls_per_s)} /s)`,
      ],
    ];
    io.stdout.write(`${formatTable(["measurement", "rate", "against"], rows)}\n\nnode ${result.node}, ${result.cores} cores\n`);
  } finally {
    endBenchmark();
  }
}
