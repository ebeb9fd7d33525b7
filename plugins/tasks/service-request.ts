// What a service's user says, offline: a person with their own name (from their record) who
// identifies themselves the way the service's find tool asks, then says what they want done, in
// their own words: one of many seeded phrasings per act and per style, never a recital of tool
// descriptions. Values they must state (an email, a reason, a payment method) appear verbatim; keys
// the agent looks up (their account id) do not.

import type { Rng } from "../../kernel/rng.ts";
import type { Persona } from "../../lib/contracts/task.ts";
import { splitIdentifier } from "../../lib/domain-model/words.ts";
import type { Written } from "./instruction.ts";
import type { FlowGoal } from "./service-flows.ts";

type Row = Record<string, unknown>;

const OPENERS = {
  terse: ["{name} here.", "This is {name}.", "Hi, it's {name}."],
  chatty: ["Hi there! My name is {name}.", "Hello! This is {name}, hope you're well.", "Hey, good morning — {name} speaking."],
  precise: ["Hello. My name is {name}.", "Good day. I am {name}.", "Hello, this is {name} writing."],
} as const;
const IDENTITY = [
  "My {what} is {value}.",
  "You'll find me under {what} {value}.",
  "The account is under {what} {value}.",
  "For reference, my {what} is {value}.",
];
const ACTS = {
  terse: ["Please {act}.", "I want to {act}.", "Need to {act}."],
  chatty: [
    "I was hoping you could help me {act}.",
    "Could you please {act}? That would be great.",
    "I'd love some help: I'd like to {act}.",
  ],
  precise: ["I would like to {act}.", "Please {act}, as described below.", "My request: {act}."],
} as const;
const DETAILS = ["The {what} is {value}.", "Use {value} for the {what}.", "For the {what}, please use {value}.", "{What}: {value}."];
const QUESTIONS = [
  "Could you tell me the details of my {entity} {key}?",
  "What is the current state of my {entity} {key}?",
  "I'd like to know where things stand with my {entity} {key}.",
  "Can you look up my {entity} {key} and tell me what you see?",
];
const OWN_QUESTIONS = [
  "Could you tell me what my account shows?",
  "What does my account look like right now?",
  "Can you read me my account details?",
];

const words = (name: string) => splitIdentifier(name).join(" ");
/** A value as the person writes it: quoted when it is several words, so it reads as one. */
const render = (value: unknown) =>
  typeof value === "string" ? (/\s/.test(value) && /[a-z]/i.test(value) ? `"${value}"` : value) : JSON.stringify(value);
const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name.toLowerCase()] ?? "";
    return name[0] === name[0]?.toUpperCase() ? value.charAt(0).toUpperCase() + value.slice(1) : value;
  });

/** A person's name as their record keeps it: `name`, `first_name` + `last_name`, or a nested `name` object. */
export function nameIn(record: Row | undefined): string | null {
  if (!record) return null;
  const name = record.name ?? record.full_name;
  if (typeof name === "string") return name;
  const parts = (r: Row) =>
    [r.first_name ?? r.firstName ?? r.given_name, r.last_name ?? r.lastName ?? r.family_name].filter((p) => typeof p === "string");
  const flat = parts(record);
  if (flat.length === 2) return flat.join(" ");
  if (name && typeof name === "object") {
    const nested = parts(name as Row);
    if (nested.length > 0) return nested.join(" ");
  }
  return null;
}

/** "renew my active loan loa_3001", "pay fines on my account", "place a hold (book boo_1003)". */
function actPhrase(goal: FlowGoal): string {
  const act = goal.act as NonNullable<FlowGoal["act"]>;
  const name = splitIdentifier(act.catalogName);
  if (goal.subject) {
    const entity = goal.subject.entity.toLowerCase();
    const at = name.lastIndexOf(entity);
    if (at > 0) {
      // "my" goes before the entity and the status that qualifies it: "check in my booked appointment".
      const statuses = new Set(goal.subject.statuses.filter((v) => splitIdentifier(v).length === 1));
      let from = at;
      while (from > 1 && statuses.has(name[from - 1] as string)) from -= 1;
      const tail = at + 1 < name.length ? ` ${name.slice(at + 1).join(" ")}` : "";
      return `${[...name.slice(0, from), "my", ...name.slice(from, at + 1)].join(" ")} ${goal.subject.key}${tail}`;
    }
    return `${name.join(" ")} for my ${entity} ${goal.subject.key}`;
  }
  const ownerEntity = goal.owner?.table ? splitIdentifier(goal.owner.table).map((w) => w.replace(/s$/, "")) : [];
  const rest = name.filter((w) => !ownerEntity.includes(w));
  // Something new (a hold, an appointment): "place a hold".
  if (act.creates) {
    const object = rest.slice(1).join(" ");
    return `${rest[0] ?? ""} ${/^[aeiou]/.test(object) ? "an" : "a"} ${object}`.trim();
  }
  return goal.owner ? `${rest.join(" ")} on my account` : name.join(" ");
}

export function writeServiceRequest(goal: FlowGoal, rng: Rng): Written {
  const style = rng.pick(["terse", "chatty", "precise"] as const);
  const name = nameIn(goal.owner?.record) ?? "a customer";
  const persona: Persona = {
    name,
    style,
    description: `${name}, a ${goal.owner ? goal.owner.table.replace(/s$/, "").replace(/_/g, " ") : "customer"} of the service, who ${
      style === "terse" ? "writes short messages" : style === "chatty" ? "is friendly and chatty" : "spells out every detail"
    }`,
  };
  const first = [fill(rng.pick(OPENERS[style]), { name })];
  // Parts of their name were said with it; the rest of what identifies them follows.
  for (const [parameter, value] of Object.entries(goal.identity))
    if (!(typeof value === "string" && (value === name || name.split(" ").includes(value))))
      first.push(fill(rng.pick(IDENTITY), { what: words(parameter), value: render(value) }));
  const second: string[] = [];
  if (goal.act) {
    second.push(fill(rng.pick(ACTS[style]), { act: actPhrase(goal) }));
    for (const [parameter, value] of Object.entries(goal.act.stated))
      second.push(fill(rng.pick(DETAILS), { what: words(parameter), value: render(value) }));
  } else if (goal.subject) {
    second.push(fill(rng.pick(QUESTIONS), { entity: goal.subject.entity, key: goal.subject.key }));
  } else second.push(rng.pick(OWN_QUESTIONS));
  const intents = [first.join(" "), second.join(" ")];
  return { instruction: intents.join(" "), intents, persona, by: "rules" };
}
