// Benchmark: sandboxed tool calls (the same as `envscale bench`). `npm run bench` runs it.
//   node bench/sandbox.bench.ts [--json] [--seconds N]
import { main } from "../cli/main.ts";

process.exitCode = await main(["bench", ...process.argv.slice(2)]);
