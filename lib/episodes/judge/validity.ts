// Validity control (AgentScaler's first filter): the dialogue is well formed, terminates, makes no
// malformed calls (arguments that do not parse, tools that do not exist) and does not loop.

import { canonicalStringify } from "../../../kernel/canonical-json.ts";
import type { Trajectory } from "../../contracts/trajectory.ts";
import { parseArguments } from "../task-episode.ts";

export interface ValidityRules {
  /** Most assistant messages. */
  maxTurns: number;
  /** The same assistant action this many times in a row is a loop. */
  repeatLimit: number;
  /** Word n-grams checked inside one assistant message… */
  ngram: number;
  /** …and how often one may occur before the message is degenerate. */
  ngramRepeats: number;
}

export const defaultValidityRules: ValidityRules = { maxTurns: 30, repeatLimit: 3, ngram: 4, ngramRepeats: 3 };

/** The problems of a trajectory (empty when it is valid), each naming the message at fault. */
export function validityProblems(trajectory: Trajectory, rules: ValidityRules): string[] {
  const problems: string[] = [];
  const tools = new Set(trajectory.tools.map((t) => t.function.name));
  const messages = trajectory.messages;
  if (!messages.some((m) => m.role === "user")) problems.push("no user message");
  if (!messages.some((m) => m.role === "assistant")) problems.push("no assistant message");
  const first = messages.findIndex((m) => m.role !== "system");
  if (first >= 0 && messages[first]?.role !== "user") problems.push(`message ${first}: the dialogue must open with the user`);
  if (trajectory.ended_by !== "user") problems.push(`the dialogue did not terminate (${trajectory.ended_by})`);
  if (trajectory.turns > rules.maxTurns) problems.push(`${trajectory.turns} assistant turns, over the limit of ${rules.maxTurns}`);

  const open = new Map<string, number>();
  let run = 0;
  let previous = "";
  messages.forEach((message, i) => {
    if (message.role === "system" && i > 0) problems.push(`message ${i}: a system message inside the dialogue`);
    if (message.role === "tool") {
      if (!message.tool_call_id || !open.has(message.tool_call_id)) problems.push(`message ${i}: a tool result answering no open call`);
      else open.delete(message.tool_call_id);
      return;
    }
    if (open.size > 0) problems.push(`message ${i}: tool calls ${[...open.keys()].join(", ")} were never answered`);
    open.clear();
    if (message.role !== "assistant") return;
    const calls = message.tool_calls ?? [];
    if (!message.content?.trim() && calls.length === 0) problems.push(`message ${i}: an empty assistant message`);
    for (const call of calls) {
      if (!tools.has(call.function.name)) problems.push(`message ${i}: a call of ${call.function.name}, which is not a tool here`);
      const parsed = parseArguments(call.function.arguments);
      if (!parsed.ok) problems.push(`message ${i}: malformed call of ${call.function.name}: ${parsed.error}`);
      open.set(call.id, i);
    }
    const signature = canonicalStringify({
      content: message.content ?? "",
      calls: calls.map((c) => [c.function.name, c.function.arguments]),
    });
    run = signature === previous ? run + 1 : 1;
    previous = signature;
    if (run === rules.repeatLimit) problems.push(`message ${i}: the same action ${rules.repeatLimit} times in a row`);
    const repeated = repeatedNgram(message.content ?? "", rules.ngram, rules.ngramRepeats);
    if (repeated) problems.push(`message ${i}: degenerate text, "${repeated}" repeated ${rules.ngramRepeats}+ times`);
  });
  if (open.size > 0) problems.push(`tool calls ${[...open.keys()].join(", ")} were never answered`);
  return problems;
}

/** A word n-gram occurring at least `times` times in `text`, or null. */
export function repeatedNgram(text: string, n: number, times: number): string | null {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const gram = words.slice(i, i + n).join(" ");
    const count = (counts.get(gram) ?? 0) + 1;
    if (count >= times) return gram;
    counts.set(gram, count);
  }
  return null;
}
