// What a service tool's own text says: the words of its name (verb first), its parameters, and the
// sentences of its description and of the policy that speak of it. Rule derivation reads only these.
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { verbKind } from "../domain-model/lexicon.ts";
import { singular, splitIdentifier } from "../domain-model/words.ts";

export interface Parameter {
  name: string;
  type: string;
  enum?: (string | number)[];
  description: string;
  required: boolean;
  /** For arrays, the elements' type. */
  itemType?: string;
}

export interface ToolText {
  spec: ToolSpec;
  name: string;
  /** Words of the name, lower case: cancel_pending_order → [cancel, pending, order]. */
  words: string[];
  verb: string;
  parameters: Parameter[];
  /** The description's sentences, lower case. */
  sentences: string[];
  /** The policy's sentences that speak of this tool (its name, or its verb and object), lower case. */
  policy: string[];
  /** The same sentences as written (their case kept: `AWAITING_PAYMENT`), index for index. */
  written: { sentences: string[]; policy: string[] };
}

export function toolText(spec: ToolSpec, policy: readonly string[]): ToolText {
  const words = nameWords(spec.name);
  const properties = (spec.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((spec.parameters.required as string[] | undefined) ?? []);
  const parameters = Object.entries(properties).map(([name, schema]): Parameter => {
    const items = schema.items as Record<string, unknown> | undefined;
    return {
      name,
      type: typeof schema.type === "string" ? schema.type : "string",
      ...(Array.isArray(schema.enum) ? { enum: schema.enum as (string | number)[] } : {}),
      description: typeof schema.description === "string" ? schema.description : "",
      required: required.has(name),
      ...(items && typeof items.type === "string" ? { itemType: items.type } : {}),
    };
  });
  const verb = words[0] ?? "";
  const object = words.slice(1).map(singular);
  const mentions = (sentence: string) =>
    sentence.includes(spec.name.toLowerCase()) || (sentence.includes(verb) && object.some((w) => w.length > 2 && sentence.includes(w)));
  const written = writtenSentencesOf(spec.description);
  const policyWritten = policy.filter((s) => mentions(s.toLowerCase()));
  return {
    spec,
    name: spec.name,
    words,
    verb,
    parameters,
    sentences: written.map((s) => s.toLowerCase()),
    policy: policyWritten.map((s) => s.toLowerCase()),
    written: { sentences: written, policy: policyWritten },
  };
}

/** Words that start a tool's name as its verb though no operation kind lists them. */
const OTHER_VERBS = new Set(
  "count check turn toggle switch is has can login logout signin signout sign authenticate calculate think".split(" "),
);
const isVerb = (word: string) => verbKind(word) !== null || OTHER_VERBS.has(word);

/**
 * The words of a tool's name, verb first. A name may lead with its app or service
 * (`mail_send_message`, `calendar_insert_event`: a backend of several apps) or name its object
 * before the verb (`tasks_list`, `payment_method_add`): the verb is the first known verb among the
 * first three words when the words before it are not verbs; the app words are dropped when the
 * verb has an object of its own, and become the object when it has none.
 */
export function nameWords(name: string): string[] {
  const words = splitIdentifier(name);
  if (words.length < 2 || isVerb(words[0] as string)) return words;
  const at = words.findIndex(isVerb);
  if (at < 1 || at > 2) return words;
  const rest = words.slice(at + 1);
  return [words[at] as string, ...(rest.length > 0 ? rest : words.slice(0, at))];
}

/** A text's sentences, lower case, without list markers (Markdown bullets and headings). */
export function sentencesOf(text: string): string[] {
  return writtenSentencesOf(text).map((s) => s.toLowerCase());
}

/** A text's sentences as written (case kept), without list markers. */
export function writtenSentencesOf(text: string): string[] {
  return text
    .replace(/^\s*(#+|[-*]|\d+\.)\s+/gm, "")
    .split(/(?<=[.!?])\s+|\n{2,}|\n(?=\s*[-*]\s)/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 0);
}

/** Quoted phrases of a sentence: 'no longer needed', "found elsewhere". */
export function quoted(sentence: string): string[] {
  return [...sentence.matchAll(/['"‘“]([^'"’”]{1,60})['"’”]/g)].map((m) => (m[1] as string).trim());
}

/** A number written in words or digits: `2`, `two`, `twice`. */
export function numberIn(text: string): number | null {
  const digits = /\b(\d+)\b/.exec(text);
  if (digits) return Number(digits[1]);
  const words: Record<string, number> = { once: 1, one: 1, twice: 2, two: 2, three: 3, thrice: 3, four: 4, five: 5, six: 6, ten: 10 };
  for (const [word, n] of Object.entries(words)) if (new RegExp(`\\b${word}\\b`).test(text)) return n;
  return null;
}

/** A list's parts, split at the commas outside parentheses ("a fee (rate × value, at least 1.00), a tracker"), as written. */
export function commaParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth += 1;
    if (ch === ")") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
