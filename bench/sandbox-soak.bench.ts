// Benchmark: what one sandbox process holds over many episodes, without the server.
//   node bench/sandbox-soak.bench.ts RUN_DIR [--per-domain 4] [--rounds 8]
//
// Opens `per-domain` environments of every domain of a finished run in one sandbox process and
// plays episodes on all of them at once (reset to a task's state, its gold calls, state, hash),
// 5,000 per round; after each round prints the process's resident set, what its isolates hold and
// its own heap (no collection: what the process really holds).

import type { JsonObject } from "../kernel/canonical-json.ts";
import { loadRun, storedModule } from "../lib/episodes/run-directory.ts";
import { Sandbox, type SandboxEnvironment } from "../sandbox/index.ts";
import { benchArgs } from "./support/args.ts";

const { flag, positional: runDir } = benchArgs("node bench/sandbox-soak.bench.ts RUN_DIR [--per-domain 4] [--rounds 8]");
const perDomain = Number(flag("--per-domain", "4"));
const rounds = Number(flag("--rounds", "8"));
const run = await loadRun(runDir);
const sandbox = await Sandbox.start({ processes: 1 });
const open: { domain: string; env: SandboxEnvironment }[] = [];
for (const domain of Object.keys(run.environments)) {
  const module = await storedModule(run, domain);
  const first = run.tasks.find((t) => t.domain === domain);
  if (!module || !first) continue;
  for (let k = 0; k < perDomain; k++)
    open.push({ domain, env: await sandbox.open(module, first.initial_state as JsonObject, { clock: first.clock, seed: first.seed }) });
}
console.log(`sandbox soak (node ${process.version}): ${open.length} environments of ${runDir} in one sandbox process`);
const perEnvironment = Math.ceil(5000 / open.length);
let episodes = 0;
try {
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      open.map(async ({ domain, env }, k) => {
        const tasks = run.tasks.filter((t) => t.domain === domain);
        for (let i = 0; i < perEnvironment; i++) {
          const task = tasks[(i + k) % tasks.length];
          if (!task) continue;
          await env.reset(task.initial_state as JsonObject, { seed: task.seed, clock: task.clock });
          for (const call of task.gold_calls) await env.call(call.tool, call.arguments);
          await env.state();
          await env.stateHash();
          episodes += 1;
        }
      }),
    );
    const [stats] = await sandbox.stats();
    const mb = (bytes = 0) => (bytes / 1024 / 1024).toFixed(0);
    console.log(
      `${String(episodes).padStart(7)} episodes: rss ${mb(stats?.rssBytes)} MB, isolates ${mb(stats?.isolateBytes)} MB, heap ${mb(stats?.processHeapBytes)} MB`,
    );
  }
} finally {
  await sandbox.close();
}
