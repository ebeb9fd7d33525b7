// Benchmark: memory of `envscale serve` over a long run of episodes.
//   node bench/serve-soak.bench.ts RUN_DIR [--rounds 20] [--episodes 1000] [--concurrency 8] [--processes 2]
//
// The server runs in its own process (with --expose-gc, so that /info?collect=1 reports live
// sizes); this process plays episodes over HTTP in rounds (reset, gold calls, the facts told, end,
// close) and prints after each round what the server and its sandbox processes hold: live heaps
// after a collection and resident sets. A leak shows as live sizes that climb round after round.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Task } from "../lib/contracts/task.ts";
import { benchArgs } from "./support/args.ts";
import { startServe } from "./support/serve-process.ts";
import { playEpisodes, sampleMemory } from "./support/soak.ts";

const { flag, positional: runDir } = benchArgs(
  "node bench/serve-soak.bench.ts RUN_DIR [--rounds 20] [--episodes 1000] [--concurrency 8] [--processes 2]",
);
const rounds = Number(flag("--rounds", "20"));
const perRound = Number(flag("--episodes", "1000"));
const concurrency = Number(flag("--concurrency", "8"));
const processes = flag("--processes", "2");
const tasks = readFileSync(join(resolve(runDir), "tasks.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Task);

const serve = await startServe(runDir, ["--processes", processes], { NODE_OPTIONS: "--expose-gc" });
try {
  console.log(
    `serve soak (node ${process.version}): ${tasks.length} tasks of ${runDir}, ${processes} sandbox processes, ${concurrency} clients`,
  );
  console.log("episodes  ep/s  server heap/rss MB  sandbox heap MB  isolates live/held MB  sandbox rss MB  rewards");
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const played = await playEpisodes(serve.address, tasks, perRound, concurrency);
    total += played.episodes;
    const m = await sampleMemory(serve);
    console.log(
      `${String(total).padStart(8)}  ${(played.episodes / played.seconds).toFixed(0).padStart(4)}  ${`${m.serverHeapMb} / ${m.serverRssMb}`.padStart(18)}  ${String(m.sandboxHeapMb).padStart(15)}  ${`${m.isolatesHeapMb} / ${m.isolatesMb}`.padStart(21)}  ${String(m.sandboxRssMb).padStart(14)}  ${JSON.stringify(played.rewards)}`,
    );
  }
} finally {
  await serve.stop();
}
