// Soaking a served run: episodes played back to back over HTTP as a trainer's workers would, and
// the memory the server and its sandbox processes hold between rounds (live sizes after a
// collection, and resident sizes), read from the server's /info?collect=1.
import type { Task } from "../../lib/contracts/task.ts";
import type { ServeProcess } from "./serve-process.ts";

export interface Played {
  episodes: number;
  /** Episodes by reward. */
  rewards: Record<string, number>;
  seconds: number;
}

/**
 * Play `count` episodes with `concurrency` workers: reset a task, make its gold calls, tell the
 * user its facts (what a read-only task asks for), end, close. Every one should earn 1.
 */
export async function playEpisodes(address: string, tasks: readonly Task[], count: number, concurrency: number): Promise<Played> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${address}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const rewards: Record<string, number> = {};
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) {
      const task = tasks[n % tasks.length] as Task;
      const reset = await post("/reset", { task_id: task.id });
      // The episode's id and the session secret every later request on it presents.
      const session = (reset.observation as { metadata: { episode_id: string; session_secret: string } }).metadata;
      const named = { episode_id: session.episode_id, session_secret: session.session_secret };
      for (const call of task.gold_calls) await post("/step", { ...named, action: { tool: call.tool, arguments: call.arguments } });
      const answer = (task.answer_facts ?? []).map((fact) => `${fact.path}: ${fact.value}`).join("; ") || "Done.";
      const end = await post("/step", { ...named, action: { message: answer, end: true } });
      const reward = String(end.reward);
      rewards[reward] = (rewards[reward] ?? 0) + 1;
      await post("/close", named);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { episodes: count, rewards, seconds: (performance.now() - started) / 1000 };
}

export interface SoakSample {
  /** The server's JS heap after a collection (when it runs with --expose-gc), and its resident set. */
  serverHeapMb: number;
  serverRssMb: number;
  /** The sandbox processes' own JS heaps after a collection, summed; their isolates' live heaps; what the isolates hold in all. */
  sandboxHeapMb: number;
  isolatesHeapMb: number;
  isolatesMb: number;
  sandboxRssMb: number;
  sessions: number;
  warmEnvironments: number;
}

interface Info {
  sessions: number;
  warm_environments: number;
  memory: {
    collected: boolean;
    server: { heap_mb: number; rss_mb: number };
    sandbox_processes: { isolates_heap_mb: number; isolates_mb: number; heap_mb: number; rss_mb: number }[];
  };
}

export async function sampleMemory(serve: ServeProcess): Promise<SoakSample> {
  const info = (await (await fetch(`${serve.address}/info?collect=1`)).json()) as Info;
  const sum = (pick: (p: Info["memory"]["sandbox_processes"][number]) => number) =>
    Math.round(info.memory.sandbox_processes.reduce((total, p) => total + pick(p), 0) * 10) / 10;
  return {
    serverHeapMb: info.memory.server.heap_mb,
    serverRssMb: info.memory.server.rss_mb,
    sandboxHeapMb: sum((p) => p.heap_mb),
    isolatesHeapMb: sum((p) => p.isolates_heap_mb),
    isolatesMb: sum((p) => p.isolates_mb),
    sandboxRssMb: sum((p) => p.rss_mb),
    sessions: info.sessions,
    warmEnvironments: info.warm_environments,
  };
}
