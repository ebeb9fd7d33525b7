// Continual pre-training records (AgentFounder).
//   First-order action synthesis: from a task alone, a plan and step-by-step reasoning — which tool,
//   why, with which values, where each fed value will come from — and no tool outputs.
//   Higher-order action synthesis: at each step of a trajectory, N+1 candidate actions in shuffled
//   order (the one taken among them), the choice revealed with what the environment answered, and
//   at the end the judgement of the whole trajectory (kept, or which filter rejected it and why).

import type { Rng } from "../../kernel/rng.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { Trajectory } from "../../lib/contracts/trajectory.ts";
import type { ChatMessage } from "../../lib/llm/port.ts";

export interface CptRecord {
  id: string;
  kind: "first-order" | "higher-order";
  task_id: string;
  domain: string;
  text: string;
}

const words = (name: string) => name.replace(/[_-]+/g, " ");

function toolLine(spec: EnvironmentSpec, name: string): string {
  const tool = spec.tools.find((t) => t.name === name);
  return `- ${name}: ${tool?.description ?? ""}`;
}

export function firstOrder(task: Task, spec: EnvironmentSpec): CptRecord {
  const used = [...new Set(task.gold_calls.map((c) => c.tool))];
  const lines = [
    `Task (${words(task.domain)}): ${task.instruction}`,
    "",
    "Tools that matter:",
    ...used.map((name) => toolLine(spec, name)),
    "",
    "Plan:",
    ...task.gold_calls.map((call, i) => `${i + 1}. ${call.tool}`),
    "",
    "Reasoning, step by step:",
  ];
  task.gold_calls.forEach((call, i) => {
    const fed = task.feeds.filter((f) => f.call === i);
    const given = Object.entries(call.arguments).filter(([name]) => !fed.some((f) => f.parameter === name));
    const tool = spec.tools.find((t) => t.name === call.tool);
    const parts = [
      `Step ${i + 1}: the user wants to ${(tool?.description ?? words(call.tool))
        .split(/(?<=\.)\s/)[0]
        ?.replace(/\.$/, "")
        .toLowerCase()}, so I call ${call.tool}.`,
    ];
    if (given.length > 0)
      parts.push(`The user gave ${given.map(([name, value]) => `${words(name)} = ${JSON.stringify(value)}`).join(", ")}.`);
    for (const f of fed)
      parts.push(
        `${words(f.parameter)} is not given: I take the ${words(f.field)} from the result of step ${f.from + 1} (${task.gold_calls[f.from]?.tool}).`,
      );
    if (tool?.access === "write") parts.push("This changes the records, so I act only on what the user named, not on look-alikes.");
    lines.push(parts.join(" "));
  });
  lines.push(
    "",
    task.read_only ? "Nothing is changed: I report what I found." : "Once every step succeeded, I confirm to the user what was done.",
  );
  return { id: `fo:${task.id}`, kind: "first-order", task_id: task.id, domain: task.domain, text: lines.join("\n") };
}

function actionText(message: ChatMessage): string {
  if (message.tool_calls?.length) return message.tool_calls.map((c) => `call ${c.function.name}(${c.function.arguments})`).join("; ");
  return `reply: ${JSON.stringify(message.content ?? "")}`;
}

/** Plausible actions that were not taken: other tools on the same arguments, a changed argument, a premature reply. */
function alternatives(taken: ChatMessage, spec: EnvironmentSpec, count: number, rng: Rng): string[] {
  const out = new Set<string>();
  const call = taken.tool_calls?.[0];
  const takenText = actionText(taken);
  const others = spec.tools.filter((t) => t.name !== call?.function.name);
  for (let tries = 0; out.size < count && tries < count * 6; tries++) {
    const roll = rng.int(0, 2);
    if (roll === 0 && others.length > 0) {
      const tool = rng.pick(others);
      out.add(`call ${tool.name}(${call?.function.arguments ?? "{}"})`);
    } else if (roll === 1 && call) {
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(call.function.arguments) as Record<string, unknown>;
      } catch {
        // Malformed arguments have no field to change.
      }
      const keys = Object.keys(args);
      if (keys.length === 0) continue;
      const key = rng.pick(keys);
      const value = args[key];
      const changed =
        typeof value === "number" ? value + rng.int(1, 9) : typeof value === "string" ? `${value.slice(0, -1)}${rng.int(0, 9)}` : null;
      out.add(`call ${call.function.name}(${JSON.stringify({ ...args, [key]: changed })})`);
    } else {
      out.add(call ? 'reply: "Done, is there anything else?"' : "call nothing and wait for the user");
    }
    out.delete(takenText);
  }
  return [...out];
}

export function higherOrder(
  trajectory: Trajectory,
  task: Task | undefined,
  spec: EnvironmentSpec,
  judgement: string,
  candidates: number,
  rng: Rng,
): CptRecord {
  const lines = [`Task (${words(trajectory.domain)}): ${task?.instruction ?? "(unknown task)"}`, ""];
  const messages = trajectory.messages as ChatMessage[];
  let step = 0;
  messages.forEach((message, i) => {
    if (message.role === "user") lines.push(`User: ${message.content ?? ""}`);
    if (message.role !== "assistant") return;
    step += 1;
    const taken = actionText(message);
    const options = rng.shuffle([taken, ...alternatives(message, spec, candidates, rng.fork(`step:${step}`))]);
    const letter = (k: number) => String.fromCharCode(65 + k);
    lines.push(`Step ${step}. Candidate actions:`, ...options.map((o, k) => `  (${letter(k)}) ${o}`));
    const chosen = options.indexOf(taken);
    const observations = messages
      .slice(i + 1)
      .filter((m, k, rest) => m.role === "tool" && rest.slice(0, k).every((r) => r.role === "tool"))
      .map((m) => m.content ?? "");
    lines.push(`Chosen: (${letter(chosen)})${observations.length > 0 ? `. Observation: ${observations.join(" | ")}` : ""}`);
  });
  lines.push("", `Judgement: ${judgement}`);
  return {
    id: `ho:${trajectory.id}`,
    kind: "higher-order",
    task_id: trajectory.task_id,
    domain: trajectory.domain,
    text: lines.join("\n"),
  };
}
