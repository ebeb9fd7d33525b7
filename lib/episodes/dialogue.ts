// One simulated dialogue: the user opens, the agent answers with text or tool calls (run in the
// task's sandboxed environment), the user answers text, until the user ends it or turns run out.

import type { Task } from "../contracts/task.ts";
import type { Trajectory } from "../contracts/trajectory.ts";
import type { ChatMessage, ToolDefinition } from "../llm/port.ts";
import { observationText, type TaskEpisode } from "./task-episode.ts";
import type { UserActor } from "./users.ts";

export interface RolloutLimits {
  /** Most assistant messages in a dialogue. */
  maxTurns: number;
}

/** The agent's system prompt: the domain, the date, and how to work. */
export function agentSystemPrompt(task: Pick<Task, "domain" | "clock">): string {
  return (
    `You are the assistant of the ${task.domain.replace(/-/g, " ")} service. Today is ${task.clock.slice(0, 10)}. ` +
    "Help the user by calling the tools; use only ids the user gives or the tools return, never made-up ones. " +
    "Do exactly what the user asks, nothing more, and confirm when it is done."
  );
}

export async function runRollout(
  task: Task,
  episode: TaskEpisode,
  actors: { agent: AgentActor; user: UserActor },
  tools: ToolDefinition[],
  limits: RolloutLimits,
): Promise<Omit<Trajectory, "id" | "attempt" | "mistake">> {
  const messages: ChatMessage[] = [{ role: "system", content: agentSystemPrompt(task) }];
  let endedBy: Trajectory["ended_by"] = "turn-limit";
  let turns = 0;
  let toolCalls = 0;
  let toolErrors = 0;
  const opening = await actors.user.next(messages);
  messages.push({ role: "user", content: opening.text });
  while (turns < limits.maxTurns) {
    const reply = await actors.agent.next(messages);
    if (!reply) {
      endedBy = "agent-error";
      break;
    }
    turns += 1;
    messages.push(reply);
    if (reply.tool_calls?.length) {
      for (const call of reply.tool_calls) {
        const outcome = await episode.call(call.function.name, call.function.arguments);
        toolCalls += 1;
        if (!outcome.ok) toolErrors += 1;
        messages.push({ role: "tool", tool_call_id: call.id, content: observationText(outcome) });
      }
      continue;
    }
    const answer = await actors.user.next(messages);
    messages.push({ role: "user", content: answer.text });
    if (answer.end) {
      endedBy = "user";
      break;
    }
  }
  return {
    task_id: task.id,
    domain: task.domain,
    messages,
    tools: tools as Trajectory["tools"],
    final_state_hash: await episode.stateHash(),
    ended_by: endedBy,
    turns,
    tool_calls: toolCalls,
    tool_errors: toolErrors,
    agent: actors.agent.name,
    user: actors.user.name,
  };
}

export interface AgentActor {
  readonly name: string;
  /** The agent's next message: text for the user, or tool calls. Null when it cannot answer. */
  next(messages: readonly ChatMessage[]): Promise<ChatMessage | null>;
}
