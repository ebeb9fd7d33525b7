// Benchmark: sandboxed tool calls, through the public `envscale bench` command. `npm run bench` runs it.
//   node bench/sandbox.bench.ts [--json] [--seconds N] [--workers N]
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const binary = join(resolve(import.meta.dirname, ".."), "bin", "envscale.ts");
const { status, signal } = spawnSync(process.execPath, [binary, "bench", ...process.argv.slice(2)], { stdio: "inherit" });
process.exitCode = status ?? (signal ? 1 : 0);
