// Bursts of resets naming one episode id, over HTTP and WebSocket, under a small session cap: one
// reset wins, the others are refused, and every environment the sandbox holds open is an open
// session's or a warm one in the pool (counted through the sandbox's own statistics): none leaks,
// and the sessions never pass the cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { sharedExampleRun } from "../../support/example.ts";
import { connect, post, type Served, serve } from "../../support/server.ts";

let sandbox: Sandbox;
let served: Served;
const CAP = 3;

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
  served = await serve(sharedExampleRun().runDir, sandbox, { maxSessions: CAP });
}, 90_000);

afterAll(async () => {
  await served?.server.close();
  await sandbox?.close();
});

/** Environments open in the sandbox processes, by their own count. */
async function openEnvironments(): Promise<number> {
  // Closes and evictions are asynchronous: let them land before counting.
  await new Promise((r) => setTimeout(r, 50));
  return (await sandbox.stats()).reduce((n, p) => n + p.environments, 0);
}

/** Every open environment is a session's or a warm one's, and the sessions stay within the cap. */
async function expectNoLeak(): Promise<void> {
  const { sessions } = served.server;
  expect(sessions.size).toBeLessThanOrEqual(CAP);
  expect(await openEnvironments()).toBe(sessions.size + sessions.pool.size);
}

async function closeAll(): Promise<void> {
  const { sessions } = served.server;
  await Promise.all(sessions.ids().map((id) => sessions.close(id)));
}

describe("concurrent resets naming one episode id", () => {
  it("over HTTP: one of twenty wins, the others are refused, no environment leaks", async () => {
    const task = served.tasks[0] as Task;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(served.base, "/reset", { task_id: task.id, episode_id: "burst" })),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect([403, 409]).toContain(refused.status);
      expect(["SESSION_BUSY", "NOT_OWNER"]).toContain(refused.json.error.code);
    }
    expect(served.server.sessions.size).toBe(1);
    await expectNoLeak();
    await closeAll();
    await expectNoLeak();
  });

  it("over WebSocket: one socket of ten gets the id, the others an error, no environment leaks", async () => {
    const task = served.tasks[0] as Task;
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(served.ws)));
    const answers = await Promise.all(sockets.map((ws) => ws.send({ type: "reset", data: { task_id: task.id, episode_id: "ws-burst" } })));
    expect(answers.filter((a) => a.type === "observation")).toHaveLength(1);
    for (const refused of answers.filter((a) => a.type !== "observation"))
      expect(["SESSION_BUSY", "NOT_OWNER"]).toContain(refused.data.code);
    expect(served.server.sessions.size).toBe(1);
    await expectNoLeak();
    for (const ws of sockets) ws.close();
    await closeAll();
  });

  it("a burst of resets past the cap, each naming its own id, opens at most the cap", async () => {
    const task = served.tasks[0] as Task;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(served.base, "/reset", { task_id: task.id, episode_id: `own-${i % 6}` })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(CAP);
    for (const refused of answers.filter((a) => a.status !== 200))
      expect(["CAPACITY_REACHED", "SESSION_BUSY", "NOT_OWNER"]).toContain(refused.json.error.code);
    await expectNoLeak();
    await closeAll();
  });

  it("the owner's concurrent resets of its own episode replace it one at a time, closing each old environment", async () => {
    const task = served.tasks[0] as Task;
    const first = await post(served.base, "/reset", { task_id: task.id, episode_id: "mine" });
    const secret = first.json.observation.metadata.session_secret as string;
    expect(typeof secret).toBe("string");
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(served.base, "/reset", { task_id: task.id, episode_id: "mine", session_secret: secret })),
    );
    for (const answer of answers) {
      if (answer.status === 200) expect(answer.json.observation.metadata.episode_id).toBe("mine");
      else expect(answer.json.error.code).toBe("SESSION_BUSY");
    }
    expect(answers.some((a) => a.status === 200)).toBe(true);
    expect(served.server.sessions.size).toBe(1);
    await expectNoLeak();
    await closeAll();
  });
});
