// What the user says: an instruction and the intents a user reveals turn by turn, and a persona.
// Offline, written by rule from the gold calls; with a model, written by it and checked: every
// value the agent cannot look up (an argument no earlier call feeds) must appear in the text.
import { z } from "zod";
import type { Rng } from "../../kernel/rng.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import { type Feed, type GoldCall, type Persona, personaSchema } from "../../lib/contracts/task.ts";
import { personName } from "../../lib/domain-model/values.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { askForJson } from "../../lib/llm/structured.ts";

export interface Written {
  instruction: string;
  intents: string[];
  persona: Persona;
  by: "rules" | "model";
}

const ROLES = ["a small-business owner", "a support agent", "an operations manager", "a student", "a travel coordinator", "a freelancer"];
const STYLE_WORDS: Record<Persona["style"], string> = {
  terse: "writes short, to-the-point messages",
  chatty: "is friendly and chatty",
  precise: "spells out every detail carefully",
};

export function rulePersona(rng: Rng): Persona {
  const name = personName(rng);
  const style = rng.pick(["terse", "chatty", "precise"] as const);
  return { name, style, description: `${name}, ${rng.pick(ROLES)}, ${STYLE_WORDS[style]}` };
}

const humanize = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .trim();

function render(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** "Search the product catalogue" from "Search the product catalogue. Find products by…". */
function purpose(spec: EnvironmentSpec, tool: string): string {
  const description = spec.tools.find((t) => t.name === tool)?.description ?? "";
  const first = (description.split(/(?<=[.!?])\s/)[0] ?? "").replace(/[.!?]+$/, "").trim();
  const text = first || humanize(tool);
  return text[0]?.toLowerCase() + text.slice(1);
}

/** Values the agent must be told: arguments that no earlier call feeds. */
export function statedValues(calls: readonly GoldCall[], feeds: readonly Feed[]): { call: number; name: string; value: unknown }[] {
  const fed = new Set(feeds.map((f) => `${f.call}\u0000${f.parameter}`));
  return calls.flatMap((call, i) =>
    Object.entries(call.arguments)
      .filter(([name]) => !fed.has(`${i}\u0000${name}`))
      .map(([name, value]) => ({ call: i, name, value })),
  );
}

/** The intents by rule: one per gold call, with the values to use and where fed values come from. */
export function ruleIntents(spec: EnvironmentSpec, calls: readonly GoldCall[], feeds: readonly Feed[]): string[] {
  const stated = statedValues(calls, feeds);
  return calls.map((call, i) => {
    const parts = stated.filter((s) => s.call === i).map((s) => `${humanize(s.name)} ${render(s.value)}`);
    for (const feed of feeds.filter((f) => f.call === i))
      parts.push(
        `${humanize(feed.parameter)}: the ${humanize(feed.field)} from the ${feed.from === i - 1 ? "previous step" : `step ${feed.from + 1}`}`,
      );
    const lead = i === 0 ? "I need to" : i === calls.length - 1 ? "Finally," : "Then";
    const details = parts.length > 0 ? ` (${parts.join(", ")})` : "";
    return `${lead} ${purpose(spec, call.tool)}${details}.`;
  });
}

export function writeByRules(spec: EnvironmentSpec, calls: readonly GoldCall[], feeds: readonly Feed[], rng: Rng): Written {
  const intents = ruleIntents(spec, calls, feeds);
  return { instruction: intents.join(" "), intents, persona: rulePersona(rng), by: "rules" };
}

const writtenSchema = z.object({ instruction: z.string().min(1), intents: z.array(z.string().min(1)).min(1), persona: personaSchema });

/** With a model: instruction, intents and persona; falls back to rules when no usable answer comes. */
export async function writeWithModel(
  llm: LlmService,
  repairRounds: number,
  context: {
    taskId: string;
    spec: EnvironmentSpec;
    calls: readonly GoldCall[];
    feeds: readonly Feed[];
    rng: Rng;
    /** The clock, the policy and whole records of the task's state (lib/service-context), as every role is told. */
    service?: string;
    /** What to write when no usable answer comes: the offline writer the run would use (a service's request, else rules). */
    fallback?: () => Written;
  },
  signal?: AbortSignal,
): Promise<Written> {
  const { spec, calls, feeds } = context;
  const stated = statedValues(calls, feeds);
  const tools = [...new Set(calls.map((c) => c.tool))].map((name) => {
    const tool = spec.tools.find((t) => t.name === name);
    return { name, description: tool?.description ?? "" };
  });
  const attempted = await askForJson(
    llm,
    {
      purpose: `instruction:${context.taskId}`,
      messages: [
        {
          role: "system",
          content:
            "You write what a user of a customer-facing assistant wants, for a benchmark. Given the tool calls that fulfil the request, " +
            "write the user's instruction in the first person (no tool names, no mention of tools), the same request split into intents " +
            "revealed one per turn, and a persona {name, style: terse|chatty|precise, description}. Every value listed under 'values the " +
            "user must state' must appear verbatim in the instruction; values fed from earlier results must not be stated. Reply with JSON only.",
        },
        {
          role: "user",
          content: `${context.service ? `${context.service}\n\n` : ""}${JSON.stringify({ tools, calls, values_the_user_must_state: stated, values_found_by_earlier_calls: feeds })}`,
        },
      ],
      temperature: 0.7,
    },
    { name: "instruction", schema: writtenSchema },
    (written) => {
      const missing = stated.filter((s) => typeof s.value !== "object" && !written.instruction.includes(String(s.value)));
      if (missing.length > 0)
        return { ok: false, error: `the instruction does not state ${missing.map((m) => `${m.name}=${String(m.value)}`).join(", ")}` };
      return { ok: true, value: written };
    },
    repairRounds,
    signal,
  );
  if (!attempted.ok) return context.fallback ? context.fallback() : writeByRules(spec, calls, feeds, context.rng);
  return { ...attempted.value, by: "model" };
}
