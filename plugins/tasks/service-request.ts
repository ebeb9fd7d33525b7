// What a service's user says, offline: a person with their own name (from their record) who
// identifies themselves the way the service's find tool asks, then says what they want done, in
// their own words: one of many seeded phrasings per act and per style, never a recital of tool
// descriptions. Values they must state (an email, a reason, a payment method) appear verbatim; keys
// the agent looks up (their account id) do not.

import type { Rng } from "../../kernel/rng.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { Persona } from "../../lib/contracts/task.ts";
import { splitIdentifier } from "../../lib/domain-model/words.ts";
import { nameWords } from "../../lib/service-tools/tool-text.ts";
import type { Written } from "./instruction.ts";
import type { FlowAct, FlowGoal as Goal } from "./service-flows.ts";
import { spokenValue } from "./value-phrases.ts";

type FlowGoal = Goal & { context?: DomainState };

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
/** Another change after the first: how a person goes on. */
const THEN = ["Also, {act}.", "While you're at it, please {act}.", "One more thing: I'd like to {act}.", "And could you {act} too?"];
/** What the person wants when the first choice is refused. */
const INSTEAD = [
  "If that can't be done, then please {act} instead.",
  "If that isn't allowed, I'd settle for this: {act}.",
  "If you can't do that, then {act}, please.",
];
const OR_ELSE = [
  "If any of this can't be done, just tell me why and leave that part as it is.",
  "If something isn't possible, explain why and don't change anything else.",
  "If a part of this isn't allowed, tell me the reason and leave it as it is.",
];
/** A value the person names, by what it is to them. */
const METHOD = ["Please use {value} for that.", "Use {value}, please.", "{Value} is what I'd like to use for it."];
const ENTRIES = ["It's about {value}.", "That's {value}.", "I mean {value}."];
const REPLACEMENTS = ["I'd like {value} instead.", "Please swap to {value}.", "I want {value} in its place."];
const GROUP = ["The new {what} is {value}.", "Please use {value} as the {what}.", "It should go to {value}."];
const DETAILS = ["The {what} is {value}.", "For the {what}: {value}.", "{What}: {value}."];

const words = (name: string) => splitIdentifier(name).join(" ");
/** A value as the person writes it: quoted when it is several words, so it reads as one. */
const render = (value: unknown) =>
  typeof value === "string" ? (/\s/.test(value) && /[a-z]/i.test(value) ? `"${value}"` : value) : JSON.stringify(value);
const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name.toLowerCase()] ?? "";
    return name[0] === name[0]?.toUpperCase() ? value.charAt(0).toUpperCase() + value.slice(1) : value;
  });

/** What a referenced record is to the request, from its parameter's name without the id (`acting_employee_id`: "acting employee"). */
function recordRole(parameter: string, entity: string): string {
  const said = splitIdentifier(parameter).filter((w) => !/^(id|ids|key|code|number|no)$/.test(w));
  return said.length > 0 ? said.join(" ") : entity.toLowerCase();
}

/** A record as a person names it: a person by their name (with their number), anything else by its number. */
function recordName(named: { entity: string; key: string; record: Row; person: boolean }): string {
  const title = named.person
    ? (nameIn(named.record) ?? [named.record.display_name, named.record.title].find((v) => typeof v === "string"))
    : undefined;
  const number = `${named.entity.toLowerCase()} ${named.key}`;
  return title ? `${title} (${number})` : number;
}

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

/** "cancel my pending order #W2001352", "modify the address of my pending order #W…", "modify the address on my account". */
function actPhrase(act: FlowAct, owner: FlowGoal["owner"], qualify = true): string {
  // The verb first, without the app a name may lead with (`mail_send_draft`: "send … draft").
  const name = nameWords(act.catalogName);
  if (act.subject) {
    const entity = act.subject.entity.toLowerCase();
    const at = name.lastIndexOf(entity);
    if (at > 0) {
      // The record's state qualifies it ("my pending order"); what follows the entity is a part of it ("the items of").
      const statuses = new Set(act.subject.statuses.filter((v) => splitIdentifier(v).length === 1));
      let from = at;
      while (from > 1 && statuses.has(name[from - 1] as string)) from -= 1;
      // What they ask first and is refused may not fit the record's state: they say only what it is.
      const qualifier = qualify ? name.slice(from, at) : [];
      const own = `my ${[...qualifier, entity].join(" ")} ${act.subject.key}`;
      const tail = name.slice(at + 1);
      return tail.length > 0
        ? `${name.slice(0, from).join(" ")} the ${tail.join(" ")} of ${own}`
        : `${name.slice(0, from).join(" ")} ${own}`;
    }
    return `${name.join(" ")} for my ${entity} ${act.subject.key}`;
  }
  const ownerEntity = owner?.table ? splitIdentifier(owner.table).map((w) => w.replace(/s$/, "")) : [];
  const rest = name.filter((w) => !ownerEntity.includes(w));
  // Something new (a hold, an appointment): "place a hold".
  if (act.creates) {
    const object = rest.slice(1).join(" ");
    return `${rest[0] ?? ""} ${/^[aeiou]/.test(object) ? "an" : "a"} ${object}`.trim();
  }
  return owner ? `${rest[0] ?? ""} the ${rest.slice(1).join(" ") || "details"} on my account`.trim() : name.join(" ");
}

/** What the person says of each value they state, in their words and drawn from what they know. */
function details(act: FlowAct, goal: FlowGoal, rng: Rng): string[] {
  const out: string[] = [];
  const grouped = new Set(act.groups.flatMap((g) => g.parameters));
  for (const group of act.groups) {
    const parts = group.parameters.map((p) => act.stated[p]).filter((v) => v !== undefined && v !== "");
    out.push(fill(rng.pick(GROUP), { what: words(group.field), value: parts.map(String).join(", ") }));
  }
  for (const [parameter, value] of Object.entries(act.stated)) {
    if (grouped.has(parameter)) continue;
    const named = act.records?.[parameter];
    const spoken = spokenValue(value, goal.owner?.record, act.subject?.record, goal.context);
    if (named) out.push(fill(rng.pick(DETAILS), { what: recordRole(parameter, named.entity), value: recordName(named) }));
    else if (spoken) {
      const templates = spoken.kind === "method" ? METHOD : spoken.kind === "entries" ? ENTRIES : REPLACEMENTS;
      out.push(fill(rng.pick(templates), { value: spoken.text }));
    } else out.push(fill(rng.pick(DETAILS), { what: words(parameter), value: render(value) }));
  }
  return out;
}

export function writeServiceRequest(goal: FlowGoal, rng: Rng, context?: { state: DomainState }): Written {
  const style = rng.pick(["terse", "chatty", "precise"] as const);
  const name = nameIn(goal.owner?.record) ?? "a customer";
  const persona: Persona = {
    name,
    style,
    description: `${name}, a ${goal.owner ? goal.owner.table.replace(/s$/, "").replace(/_/g, " ") : "customer"} of the service, who ${
      style === "terse" ? "writes short messages" : style === "chatty" ? "is friendly and chatty" : "spells out every detail"
    }`,
  };
  const withContext: FlowGoal = context ? { ...goal, context: context.state } : goal;
  const first = [fill(rng.pick(OPENERS[style]), { name })];
  // Parts of their name were said with it; the rest of what identifies them follows.
  for (const [parameter, value] of Object.entries(goal.identity))
    if (!(typeof value === "string" && (value === name || name.split(" ").includes(value))))
      first.push(fill(rng.pick(IDENTITY), { what: words(parameter), value: render(value) }));
  const intents = [first.join(" ")];
  if (goal.acts && goal.acts.length > 0) {
    goal.acts.forEach((act, i) => {
      const said: string[] = [];
      if (i === 0 && goal.refused) {
        said.push(
          fill(rng.pick(ACTS[style]), { act: actPhrase(goal.refused, goal.owner, false) }),
          ...details(goal.refused, withContext, rng),
        );
        said.push(fill(rng.pick(INSTEAD), { act: actPhrase(act, goal.owner) }));
      } else said.push(fill(rng.pick(i === 0 ? ACTS[style] : THEN), { act: actPhrase(act, goal.owner) }));
      said.push(...details(act, withContext, rng));
      intents.push(said.join(" "));
    });
    // Every request says what the person wants when a part of it is refused.
    if (!goal.refused) intents[intents.length - 1] = `${intents.at(-1)} ${rng.pick(OR_ELSE)}`;
  } else if (goal.subject) {
    intents.push(fill(rng.pick(QUESTIONS), { entity: goal.subject.entity, key: goal.subject.key }));
  } else intents.push(rng.pick(OWN_QUESTIONS));
  return { instruction: intents.join(" "), intents, persona, by: "rules" };
}
