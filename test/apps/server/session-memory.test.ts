// A small, fast soak of the server's own memory (the server in this process, its heap measured
// after full collections): sessions opened and closed in rounds, each making calls with 256 KB
// arguments. While a session is open, the arguments of calls to tools its module does not declare
// are not kept; once it is closed, nothing of it is (its environment waits in the pool, reset); over
// the rounds the heap stays flat. bench/serve-soak.bench.ts and soak.test.ts soak a whole process.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { post, type Served, serveExampleRun } from "../../support/server.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let served: Served;
serveExampleRun((ready) => {
  served = ready;
});

const MB = 1024 * 1024;
const SESSIONS = 8;
const CALLS = 4;
const big = "x".repeat(256 * 1024);

/** Live heap (MB) after full collections. */
async function heapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / MB;
}

/** Open `SESSIONS` episodes of `task` over HTTP, each making `CALLS` calls of `tool` with `args`; their names, to close them. */
async function openSessions(
  task: Task,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ episode_id: string; session_secret: string }[]> {
  const opened = [];
  for (let n = 0; n < SESSIONS; n++) {
    const { episode_id, session_secret } = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    for (let c = 0; c < CALLS; c++) {
      const step = await post(served.base, "/step", { episode_id, session_secret, action: { tool, arguments: args } });
      expect(step.status).toBe(200);
    }
    opened.push({ episode_id, session_secret });
  }
  return opened;
}

async function closeSessions(sessions: { episode_id: string; session_secret: string }[]): Promise<void> {
  for (const named of sessions) expect((await post(served.base, "/close", named)).status).toBe(200);
}

describe("the server's memory over sessions opened and closed", () => {
  it("keeps no unknown tool's arguments, nothing of a closed session, and stays flat over the rounds", async () => {
    const task = served.tasks.find((t) => t.gold_calls.length > 0) as Task;
    const call = task.gold_calls[0] as Task["gold_calls"][number];
    // Warm-up: the pool fills with environments of the domain, the code paths are compiled.
    for (let round = 0; round < 2; round++) await closeSessions(await openSessions(task, call.tool, call.arguments));
    const baseline = await heapMb();
    const sent = (SESSIONS * CALLS * big.length) / MB;

    const unknown = await openSessions(task, "no_such_tool", { blob: big });
    const whileOpen = await heapMb();
    expect(whileOpen - baseline, `${sent} MB of arguments sent to an unknown tool`).toBeLessThan(1);
    await closeSessions(unknown);

    const samples: number[] = [];
    for (let round = 0; round < 4; round++) {
      // A declared tool, with an extra 256 KB argument: refused or served, the sandbox journals the call.
      await closeSessions(await openSessions(task, call.tool, { ...call.arguments, blob: big }));
      samples.push(await heapMb());
    }
    const report = `baseline ${baseline.toFixed(1)} MB, after each round ${samples.map((m) => m.toFixed(1)).join(", ")} MB`;
    for (const sample of samples) expect(sample - baseline, report).toBeLessThan(1);
    expect(served.server.sessions.size).toBe(0);
  }, 60_000);
});
