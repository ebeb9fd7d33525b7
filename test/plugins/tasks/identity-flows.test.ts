// Tasks of a service whose people identify themselves by a `get` that searches a field (not a
// `find`), whose ids are integers though the data keys records by text, and whose write tools take
// another person's id (`approver_id`, "The employee who approves it"): a small leave desk of our own
// (test/fixtures/packs/leave-desk). Before, none of its write tasks survived the lint.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Task, TaskLint } from "../../../lib/contracts/task.ts";
import { recital } from "../../../plugins/tasks/lint.ts";
import { fixtures, runCli, tempDir } from "../../support/helpers.ts";

const pack = join(fixtures, "packs", "leave-desk");
let out: string;
let tasks: Task[];
let lint: TaskLint;

beforeAll(async () => {
  out = tempDir("envscale-identity-flows-");
  const args = ["run", join(pack, "tools.json"), "--data", join(pack, "data"), "--policy", join(pack, "policy.md")];
  const result = await runCli([...args, "--out", out, "--tasks", "20", "--seed", "3"], { timeoutMs: 180_000 });
  expect(result.code, result.stderr).toBe(0);
  tasks = readFileSync(join(out, "tasks.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Task);
  lint = JSON.parse(readFileSync(join(out, "task-lint.json"), "utf8")) as TaskLint;
}, 240_000);

describe("tasks of a service people enter by a search on their own field", () => {
  it("cover every write tool, each after the person is identified by their work email", () => {
    const coverage = lint.coverage?.["leave-desk"];
    expect(coverage?.write_tools.missing).toEqual([]);
    const writes = tasks.filter((t) => !t.read_only);
    expect(writes.length).toBeGreaterThan(5);
    for (const task of writes) {
      expect(task.gold_calls[0]?.tool, task.instruction).toBe("get_employee_by_email");
      expect(task.instruction).toContain(String(task.gold_calls[0]?.arguments.work_email));
    }
    expect(tasks.reduce((n, t) => n + t.gold_calls.length, 0) / tasks.length).toBeGreaterThanOrEqual(3);
  });

  it("pass integer ids as integers, though the data keys its records by text", () => {
    for (const task of tasks)
      for (const call of task.gold_calls)
        for (const name of ["employee_id", "request_id", "approver_id"])
          if (name in call.arguments) expect(typeof call.arguments[name], `${call.tool}.${name}`).toBe("number");
  });

  it("name another person by their name, never by the parameter that holds their id", () => {
    const state = JSON.parse(readFileSync(join(out, "states", `${tasks[0]?.base_state}.json`), "utf8")) as DomainState;
    for (const task of tasks) expect(recital(task.instruction, task.gold_calls, state), task.instruction).toBeNull();
    const approving = tasks.filter((t) => t.gold_calls.some((c) => c.tool === "approve_leave_request"));
    expect(approving.length).toBeGreaterThan(0);
    for (const task of approving) {
      const approver = task.gold_calls.find((c) => c.tool === "approve_leave_request")?.arguments.approver_id;
      const record = state.employees?.[String(approver)] as { first_name: string; last_name: string };
      expect(task.instruction).toContain(`${record.first_name} ${record.last_name}`);
    }
  });
});
