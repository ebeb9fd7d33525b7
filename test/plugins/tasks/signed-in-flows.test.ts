// Tasks of a service that acts for whoever is signed in (examples/packs/player: a session record
// whose person a login sets, refused calls when nobody is signed in or the session expired): each
// task signs in first, as a person the tools accept, and the person's request says the sign-in's
// own values. Before, the gold calls of nearly every task were refused and the tasks dropped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { repoRoot, runCli, tempDir } from "../../support/helpers.ts";

const pack = join(repoRoot, "examples", "packs", "player");
let tasks: Task[];

beforeAll(async () => {
  const out = tempDir("envscale-signed-in-flows-");
  const args = ["run", join(pack, "tools.json"), "--data", join(pack, "data"), "--policy", join(pack, "policy.md")];
  const result = await runCli([...args, "--out", out, "--tasks", "10", "--seed", "3"], { timeoutMs: 180_000 });
  expect(result.code, result.stderr).toBe(0);
  tasks = readFileSync(join(out, "tasks.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Task);
}, 240_000);

describe("tasks of a service that acts for whoever is signed in", () => {
  it("sign in first, with values the person states, before any call that needs a session", () => {
    const acting = tasks.filter((t) => t.gold_calls.some((c) => !["login", "logout"].includes(c.tool)));
    expect(acting.length).toBeGreaterThanOrEqual(5);
    for (const task of acting) {
      const first = task.gold_calls[0];
      expect(first?.tool, task.instruction).toBe("login");
      for (const value of Object.values(first?.arguments ?? {})) expect(task.instruction).toContain(String(value));
    }
  });
});
