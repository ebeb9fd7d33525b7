// What every route of the server shares: the run, its episodes, the judge, and how a request names
// its task.
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { JudgeContext } from "../../lib/episodes/judge/judge.ts";
import type { LoadedRun } from "../../lib/episodes/run-directory.ts";
import { ProtocolError } from "./protocol-error.ts";
import type { Sessions } from "./sessions.ts";

export interface ServerContext {
  run: LoadedRun;
  sessions: Sessions;
  judge: JudgeContext;
  maxTurns: number;
  /** Most calls a verify replays. */
  maxVerifyCalls: number;
  exactMatch: boolean;
  spec(domain: string): EnvironmentSpec;
  task(id: string): Task;
  /** The task a request names (`task_id`; NeMo Gym's `problem_id`, `instance_id`, `_ng_task_index`), else by `seed`, else in turn. */
  pickTask(request: Record<string, unknown>): Task;
}

export function taskPicker(run: LoadedRun): Pick<ServerContext, "task" | "pickTask"> {
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  let rotation = 0;
  const task = (id: string): Task => {
    const found = byId.get(id);
    if (!found) throw new ProtocolError(404, "UNKNOWN_TASK", `no task ${JSON.stringify(id)} in this run`);
    return found;
  };
  const pickTask = (request: Record<string, unknown>): Task => {
    for (const key of ["task_id", "problem_id", "instance_id"]) {
      const value = request[key];
      if (typeof value === "string" || typeof value === "number") return task(String(value));
    }
    const index = request._ng_task_index;
    if (typeof index === "number" && Number.isInteger(index) && index >= 0) return run.tasks[index % run.tasks.length] as Task;
    const seed = request.seed;
    if (typeof seed === "number" && Number.isInteger(seed) && seed >= 0) return run.tasks[seed % run.tasks.length] as Task;
    return run.tasks[rotation++ % run.tasks.length] as Task;
  };
  return { task, pickTask };
}
