// The offline actors: a scripted user who reveals the task's intents one per turn, and a scripted
// agent who follows the gold chain — deriving fed arguments from its own results, as an agent must
// — with at most one seeded mistake, so that the filter has real work to do.

import type { JsonValue } from "../../kernel/canonical-json.ts";
import type { Rng } from "../../kernel/rng.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { MistakeKind } from "../../lib/contracts/trajectory.ts";
import type { AgentActor } from "../../lib/episodes/dialogue.ts";
import { answerFacts, describeFact } from "../../lib/episodes/judge/facts.ts";
import { keyInResult } from "../../lib/episodes/outcomes.ts";
import type { ChatMessage, ToolCallMessage } from "../../lib/llm/port.ts";

/** Which gold calls serve which intent (one each when they match, else spread in order). */
export function callsByIntent(task: Pick<Task, "intents" | "gold_calls">): number[][] {
  const n = task.gold_calls.length;
  const m = task.intents.length;
  return task.intents.map((_, k) => {
    const from = Math.floor((k * n) / m);
    const to = Math.floor(((k + 1) * n) / m);
    return Array.from({ length: to - from }, (_, i) => from + i);
  });
}

/**
 * One planned call of the scripted agent. `gold` ≥ 0: that gold call; -1: a refused or malformed
 * call (`raw` arguments) on the mistaken tool; ≤ -2: an extra call of gold call `-2 - gold`'s tool.
 */
type Planned = { kind: "call"; gold: number; override?: Record<string, JsonValue>; raw?: string };

export interface ScriptOptions {
  /** Chance that a rollout carries a mistake. */
  mistakeRate: number;
  /** Mistakes to choose from. */
  mistakes: readonly MistakeKind[];
}

function perturb(value: JsonValue): JsonValue {
  if (typeof value === "number") return Number.isInteger(value) ? value + 1 : Number((value * 1.5 + 1).toFixed(2));
  if (typeof value === "boolean") return !value;
  if (typeof value === "string") return /\d$/.test(value) ? value.replace(/\d$/, (d) => String((Number(d) + 1) % 10)) : `${value} x`;
  return value;
}

export class ScriptedAgent implements AgentActor {
  readonly name = "scripted";
  readonly mistake: MistakeKind | null;
  readonly #task: Task;
  readonly #byIntent: Planned[][];
  /** Results of the gold calls as this agent saw them, by gold index. */
  readonly #results = new Map<number, unknown>();
  /** Arguments of the gold calls as this agent made them, by gold index. */
  readonly #made = new Map<number, Record<string, JsonValue>>();
  /** Tool call id → the gold call it made (to file its result). */
  readonly #pending = new Map<string, number>();
  readonly #writeTools: ReadonlySet<string>;
  /** The tool a planted refused or malformed call names. */
  #mistakenTool = "";
  #intent = 0;
  #queue: Planned[] = [];
  #calls = 0;
  /** Picks the wording of what the agent says (its own stream: the plan is drawn first). */
  readonly #words: Rng;

  /** `writeTools`: the environment's tools that may change the state. */
  constructor(task: Task, writeTools: ReadonlySet<string>, rng: Rng, options: ScriptOptions) {
    this.#task = task;
    this.#writeTools = writeTools;
    const groups = callsByIntent(task);
    const plan: Planned[][] = groups.map((calls) => calls.map((gold): Planned => ({ kind: "call", gold })));
    const kind = options.mistakes.length > 0 && rng.chance(options.mistakeRate) ? rng.pick(options.mistakes) : null;
    this.mistake = kind ? this.#plant(kind, plan, rng) : null;
    this.#byIntent = plan;
    this.#words = rng.fork("words");
  }

  /** Plant one mistake in the plan; the kind actually planted (null when the task offers no place for it). */
  #plant(kind: MistakeKind, plan: Planned[][], rng: Rng): MistakeKind | null {
    const calls = this.#task.gold_calls;
    const fed = new Set(this.#task.feeds.map((f) => `${f.call}\u0000${f.parameter}`));
    const spots = plan.flatMap((group, g) => group.map((item, i) => ({ g, i, gold: (item as { gold: number }).gold })));
    const writes = spots.filter((s) => this.#writes(s.gold));
    const at = (list: typeof spots) => (list.length > 0 ? rng.pick(list) : null);
    switch (kind) {
      case "wrong-argument": {
        const spot = at(spots.filter((s) => Object.keys(calls[s.gold]?.arguments ?? {}).some((a) => !fed.has(`${s.gold}\u0000${a}`))));
        if (!spot) return null;
        const args = calls[spot.gold]?.arguments ?? {};
        const name = rng.pick(Object.keys(args).filter((a) => !fed.has(`${spot.gold}\u0000${a}`)));
        const value = args[name] as JsonValue;
        // The look-alike a careless agent would pick, when the value has one.
        const twin = this.#task.distractors.find((d) => d.resembles === String(value));
        const wrong = twin ? (typeof value === "number" ? Number(twin.key) : twin.key) : perturb(value);
        (plan[spot.g] as Planned[])[spot.i] = { kind: "call", gold: spot.gold, override: { ...args, [name]: wrong } };
        return kind;
      }
      case "recovered-error": {
        const spot = at(spots.filter((s) => Object.keys(calls[s.gold]?.arguments ?? {}).length > 0));
        if (!spot) return null;
        // First a call that leaves out every argument (refused by the schema), then the right one.
        (plan[spot.g] as Planned[]).splice(spot.i, 0, { kind: "call", gold: -1, raw: "{}", override: {} });
        this.#mistakenTool = calls[spot.gold]?.tool ?? "";
        return kind;
      }
      case "skipped-step": {
        const spot = at(writes.length > 0 ? writes : spots);
        if (!spot) return null;
        (plan[spot.g] as Planned[]).splice(spot.i, 1);
        return kind;
      }
      case "extra-write": {
        const spot = at(writes);
        if (!spot) return null;
        const args = calls[spot.gold]?.arguments ?? {};
        const twin = Object.entries(args).flatMap(([name, value]) =>
          this.#task.distractors
            .filter((d) => d.resembles === String(value))
            .map((d) => ({ name, key: d.key, numeric: typeof value === "number" })),
        )[0];
        // The same write on a look-alike record, or the write done twice.
        const override = twin ? { ...args, [twin.name]: twin.numeric ? Number(twin.key) : twin.key } : { ...args };
        (plan[spot.g] as Planned[]).splice(spot.i + 1, 0, { kind: "call", gold: -2 - spot.gold, override });
        return kind;
      }
      case "malformed-call": {
        const spot = at(spots);
        if (!spot) return null;
        const text = JSON.stringify(calls[spot.gold]?.arguments ?? {});
        (plan[spot.g] as Planned[]).splice(spot.i, 0, { kind: "call", gold: -1, raw: text.slice(0, Math.max(1, text.length - 2)) });
        this.#mistakenTool = calls[spot.gold]?.tool ?? "";
        return kind;
      }
      case "repetition": {
        // The same call again and again, as a model stuck in a loop does.
        const reads = spots.filter((s) => !this.#writes(s.gold));
        const spot = at(reads.length > 0 ? reads : spots);
        if (!spot) return null;
        const again = (): Planned => ({ kind: "call", gold: -2 - spot.gold, override: { ...(calls[spot.gold]?.arguments ?? {}) } });
        (plan[spot.g] as Planned[]).splice(spot.i + 1, 0, again(), again(), again());
        return kind;
      }
    }
  }

  #writes(gold: number): boolean {
    const call = this.#task.gold_calls[gold];
    return call !== undefined && this.#writeTools.has(call.tool);
  }

  /**
   * Arguments of gold call `gold`, with fed values taken from this agent's own earlier calls: the
   * argument of the source call that named the record (when it named it), else the key in its result.
   */
  #argumentsFor(gold: number): Record<string, JsonValue> {
    const args = { ...(this.#task.gold_calls[gold]?.arguments ?? {}) };
    for (const feed of this.#task.feeds.filter((f) => f.call === gold)) {
      const goldValue = args[feed.parameter];
      const source = this.#task.gold_calls[feed.from]?.arguments ?? {};
      const named = Object.entries(source).find(([, v]) => String(v) === String(goldValue))?.[0];
      const seen = named !== undefined ? this.#made.get(feed.from)?.[named] : keyInResult(this.#results.get(feed.from), feed.field);
      if (seen === undefined || seen === null) continue;
      args[feed.parameter] = (
        typeof goldValue === "number" ? Number(seen) : typeof goldValue === "string" ? String(seen) : seen
      ) as JsonValue;
    }
    return args;
  }

  #toolCall(planned: Planned): ToolCallMessage {
    this.#calls += 1;
    const id = `call_${this.#calls}`;
    const gold = planned.gold >= 0 ? planned.gold : planned.gold <= -2 ? -2 - planned.gold : -1;
    const tool = gold >= 0 ? (this.#task.gold_calls[gold]?.tool as string) : this.#mistakenTool;
    if (planned.gold >= 0) this.#pending.set(id, planned.gold);
    const made = planned.override ?? this.#argumentsFor(gold);
    if (planned.gold >= 0) this.#made.set(planned.gold, made);
    const args = planned.raw ?? JSON.stringify(made);
    return { id, type: "function", function: { name: tool, arguments: args } };
  }

  async next(messages: readonly ChatMessage[]): Promise<ChatMessage | null> {
    // File the results of calls this agent made.
    for (const message of messages) {
      if (message.role !== "tool" || !message.tool_call_id) continue;
      const gold = this.#pending.get(message.tool_call_id);
      if (gold === undefined) continue;
      this.#pending.delete(message.tool_call_id);
      try {
        this.#results.set(gold, JSON.parse(message.content ?? "null"));
      } catch {
        // A result that is not JSON feeds nothing.
      }
    }
    const last = messages.at(-1);
    if (last?.role === "user") {
      // A new intent revealed: its calls come next.
      this.#queue = [...(this.#byIntent[this.#intent] ?? [])];
      this.#intent += 1;
    }
    const planned = this.#queue.shift();
    if (!planned) return { role: "assistant", content: this.#summary() };
    return { role: "assistant", content: null, tool_calls: [this.#toolCall(planned)] };
  }

  /**
   * What the agent tells the user at the end: what its last call did and the salient values its
   * answering reads returned (the facts a read-only task's answer must state), read off its own
   * calls and results.
   */
  #summary(): string {
    const done = [...this.#results.keys()].sort((a, b) => a - b).at(-1);
    const close = this.#words.pick(CLOSINGS);
    if (done === undefined) return close;
    const gold = this.#task.gold_calls;
    const calls = gold.slice(0, done + 1).map((call, i) => ({ tool: call.tool, arguments: this.#made.get(i) ?? {} }));
    const results = calls.map((_, i) => this.#results.get(i) as JsonValue | undefined);
    const intents = this.#task.intents.length === gold.length ? this.#task.intents.slice(0, done + 1) : this.#task.intents;
    const facts = answerFacts({ gold_calls: calls, intents }, results);
    const what = (gold[done]?.tool ?? "").replace(/_/g, " ");
    const result = this.#results.get(done);
    // What the tool answered, in the agent's words: the key it found, the values it read or wrote.
    if ((typeof result === "string" || typeof result === "number") && !this.#writes(done))
      return `${this.#words.pick(FOUND).replace("{value}", String(result))} ${close}`;
    const found = facts.length > 0 ? facts.map(describeFact).join(", ") : typeof result === "string" ? result : "";
    const lead = this.#words.pick(this.#writes(done) ? WROTE : READ).replace("{what}", what);
    return `${lead}${found ? `: ${found}` : ""}. ${close}`;
  }
}

const CLOSINGS = [
  "Is there anything else I can do for you?",
  "Anything else I can help with?",
  "Let me know if there is anything else.",
  "Can I help you with anything else today?",
];
const FOUND = [
  "I found it: {value}.",
  "That matches {value} in our records.",
  "Thanks — I've located it ({value}).",
  "Got it, that's {value}.",
];
const READ = [
  "Here is what I see ({what})",
  "I've looked it up ({what})",
  "This is what the records show ({what})",
  "I pulled that up ({what})",
];
const WROTE = ["Done — {what}", "That's taken care of ({what})", "All set ({what})", "I've completed that ({what})"];
