// What a read-only task is for: the facts its answering read returns, which must reach the user.
//
// A task that only reads leaves the database as it was, so its state says nothing about success: a
// do-nothing agent would match it. What it asks for is information (tau2 checks "communicated
// information" the same way): the reads it names must be made, and the values the answering read
// (its last gold call) returns must appear in what the agent tells the user. The facts are a few
// salient scalar values of that result: fields the request names first ("balance" in
// get_account_balance), then statuses, amounts, names and dates; never a value the user gave.

import type { JsonValue } from "../../../kernel/canonical-json.ts";
import { splitIdentifier } from "../../domain-model/words.ts";

export interface AnswerFact {
  /** The gold call whose result holds the value (its index). */
  call: number;
  /** Where in the result the value is (`balance`, `orders[0].status`). */
  path: string;
  value: string | number;
}

/** Most facts of one read, and of a whole task: enough to show the answer reached the user, few enough to be stated. */
const MAX_FACTS = 3;
const MAX_TASK_FACTS = 4;
const LONG_TEXT = 80;

const SALIENT = [
  /(^|_)(status|state)$/,
  /(^|_)(balance|amount|total|price|cost|fee|fare|count|quantity|stock|available|seats?)($|_)/,
  /(^|_)(name|title|label)$/,
  /(^|_)(date|time|at|day|start|end|deadline)$/,
];
/** Bookkeeping no user asks for: when a record was made or last touched. */
const BOOKKEEPING = /^(created|updated|modified|inserted|last_modified)(_(at|on|time|date))?$/;

interface Candidate extends Omit<AnswerFact, "call"> {
  key: string;
  rank: number;
  order: number;
}

/** Scalar leaves of a result, breadth first (records before their nested parts), with their paths. */
function leaves(result: JsonValue): { path: string; key: string; value: JsonValue }[] {
  const out: { path: string; key: string; value: JsonValue }[] = [];
  const queue: { path: string; key: string; value: JsonValue; depth: number }[] = [{ path: "", key: "", value: result, depth: 0 }];
  while (queue.length > 0 && out.length < 500) {
    const { path, key, value, depth } = queue.shift() as (typeof queue)[number];
    if (value === null || typeof value !== "object") {
      out.push({ path, key, value });
      continue;
    }
    if (depth >= 4) continue;
    if (Array.isArray(value))
      value.slice(0, 5).forEach((item, i) => {
        queue.push({ path: `${path}[${i}]`, key, value: item, depth: depth + 1 });
      });
    else
      for (const [name, item] of Object.entries(value))
        queue.push({ path: path ? `${path}.${name}` : name, key: name, value: item, depth: depth + 1 });
  }
  return out;
}

/**
 * The salient values of a tool's result, most telling first: what an agent should tell the user it
 * found. `hints` are words of the request (the tool's name, the user's words); `given` are values
 * the user already stated (never news).
 */
export function salientValues(
  result: JsonValue,
  hints: readonly string[],
  given: ReadonlySet<string> = new Set(),
  max = MAX_FACTS,
): Omit<AnswerFact, "call">[] {
  const wanted = new Set(hints.flatMap((h) => splitIdentifier(h)).filter((w) => w.length > 2));
  const candidates: Candidate[] = [];
  leaves(result).forEach(({ path, key, value }, order) => {
    if (typeof value !== "string" && typeof value !== "number") return;
    if (typeof value === "string" && (value.trim() === "" || value.length > LONG_TEXT)) return;
    if (given.has(String(value).toLowerCase())) return;
    const words = splitIdentifier(key);
    const named = words.some((w) => wanted.has(w));
    const salient = SALIENT.findIndex((pattern) => pattern.test(key.toLowerCase()));
    // Keys (`*_id`) identify a record the agent looked up; they are news only in lists of records.
    const isKey = words.at(-1) === "id";
    const rank = BOOKKEEPING.test(key.toLowerCase()) ? 7 : named ? 0 : salient >= 0 ? 1 + salient : isKey ? 6 : 5;
    candidates.push({ path: path || "(result)", key, value, rank, order });
  });
  candidates.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const out: Omit<AnswerFact, "call">[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const text = String(candidate.value).toLowerCase();
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ path: candidate.path, value: candidate.value });
    if (out.length >= max) break;
  }
  return out;
}

/** Every scalar value of the calls' arguments, lower-cased: what the user gave. */
export function givenValues(calls: readonly { arguments: unknown }[]): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string" || typeof value === "number") out.add(String(value).toLowerCase());
    else if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value && typeof value === "object") for (const item of Object.values(value)) visit(item);
  };
  for (const call of calls) visit(call.arguments);
  return out;
}

/**
 * The facts a read-only task's answer must state: the salient values of what its answering reads
 * returned (`results[i]` for gold call i; a call with no result is skipped). Empty when they hold
 * nothing to tell (such a task cannot be checked, and lint drops it).
 */
export function answerFacts(
  task: { gold_calls: readonly { tool: string; arguments: unknown }[]; intents: readonly string[] },
  results: readonly (JsonValue | undefined)[],
): AnswerFact[] {
  const calls = task.gold_calls;
  // The user's words for one call, when the instruction has one sentence per call; else all of them.
  const wordsFor = (i: number) => (task.intents.length === calls.length ? [task.intents[i] ?? ""] : task.intents);
  const out: AnswerFact[] = [];
  const seen = new Set<string>();
  const add = (call: number, facts: readonly Omit<AnswerFact, "call">[]) => {
    for (const fact of facts) {
      const text = String(fact.value).toLowerCase();
      if (seen.has(text) || out.length >= MAX_TASK_FACTS) continue;
      seen.add(text);
      out.push({ call, ...fact });
    }
  };
  const last = calls.length - 1;
  const lastResult = results[last];
  if (last >= 0 && lastResult !== undefined)
    add(last, salientValues(lastResult, [calls[last]?.tool ?? "", ...wordsFor(last)], givenValues(calls)));
  for (let i = 0; i < last; i++) {
    const result = results[i];
    if (result === undefined || result === null || steppingStone(calls, i, result)) continue;
    add(i, salientValues(result, [calls[i]?.tool ?? "", ...wordsFor(i)], givenValues(calls), 1));
  }
  return out;
}

/**
 * Whether call i was made to find what a later call names: its result holds a value a later call
 * passes that no call up to i was given (a list read to find the transaction fetched next).
 */
function steppingStone(calls: readonly { arguments: unknown }[], i: number, result: JsonValue): boolean {
  const known = givenValues(calls.slice(0, i + 1));
  const found = new Set<string>();
  for (const { value } of leaves(result))
    if (typeof value === "string" || typeof value === "number") found.add(String(value).toLowerCase());
  const later = givenValues(calls.slice(i + 1));
  for (const value of later) if (found.has(value) && !known.has(value)) return true;
  return false;
}

/**
 * Whether a text states a value: text as a whole word or phrase, case-insensitively; numbers in any usual spelling
 * (`1520.5`, `1,520.50`, `$1520.50`; an integer as `42` or `42.00`).
 */
export function statesValue(text: string, value: string | number): boolean {
  if (typeof value === "string") {
    const asNumber = Number(value);
    if (value.trim() !== "" && Number.isFinite(asNumber) && /^-?[\d.]+$/.test(value.trim())) return statesNumber(text, asNumber);
    return phrasePattern(value).test(text);
  }
  return statesNumber(text, value);
}

/** Patterns by phrase: every judged episode of a task asks for the same facts, and a pattern with lookbehind costs more to build than to run. */
const phrasePatterns = new Map<string, RegExp>();

/** A whole word or phrase, case-insensitively: seat "1A" is not stated by "11A". */
function phrasePattern(value: string): RegExp {
  let pattern = phrasePatterns.get(value);
  if (!pattern) {
    const escaped = value.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "iu");
    if (phrasePatterns.size >= 10_000) phrasePatterns.clear();
    phrasePatterns.set(value, pattern);
  }
  return pattern;
}

function statesNumber(text: string, value: number): boolean {
  for (const match of text.matchAll(/-?\d[\d,]*(?:\.\d+)?/g)) {
    const n = Number(match[0].replaceAll(",", ""));
    // A debit of -40 is told as "40 debited" as often as "-40": the magnitude is the fact.
    if (Number.isFinite(n) && Math.abs(Math.abs(n) - Math.abs(value)) < 1e-9 * Math.max(1, Math.abs(value))) return true;
  }
  return false;
}

/** A fact as the user would read it: `balance 1520.5`. */
export function describeFact(fact: Pick<AnswerFact, "path" | "value">): string {
  const name =
    fact.path
      .replace(/\[\d+\]/g, "")
      .split(".")
      .at(-1) ?? fact.path;
  return `${name.replaceAll("_", " ")} ${fact.value}`;
}
