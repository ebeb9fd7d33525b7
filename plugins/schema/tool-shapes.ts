// What a tool's name and parameters say, before any table exists: its verb and operation kind, the
// words naming its object, which parameters name other records (and on which side of a transfer),
// which are paths and natural keys; and the word lists those readings use.
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { DESTINATION, NATURAL_KEYS, SOURCE, verbKind } from "../../lib/domain-model/lexicon.ts";
import { singular, snake, splitIdentifier } from "../../lib/domain-model/words.ts";
import { idEntity, type Parameter, parametersOf } from "./parameters.ts";

/** What a description says a record's status ends as: "its status becomes cancelled", "status is returned". */
export const STATUS_PHRASE = /\bstatus (?:is|becomes|changes to|will be|is set to|turns to|moves to) [`'"]?([a-z][a-z_]+)/i;
export const PREPOSITIONS = new Set(["for", "by", "with", "in", "of", "from", "to", "on", "at", "via", "using"]);
export const FILLER = new Set([
  "a",
  "an",
  "the",
  "all",
  "my",
  "new",
  "current",
  "detail",
  "details",
  "info",
  "information",
  "data",
  "item",
  "items",
  "list",
  "specific",
  "given",
  "single",
  "one",
  "multiple",
]);
export const SIDE_PREFIXES = new Set([
  "from",
  "to",
  "source",
  "src",
  "destination",
  "dest",
  "target",
  "new",
  "old",
  "parent",
  "origin",
  "original",
]);
export const PATH_LIKE = /^(path|.*_path|directory|dir|folder|parent_directory|parent_dir|parent_folder|.*_directory|.*_folder)$/;
export const AMOUNT = new Set(["amount", "sum", "value", "total"]);
export const QUANTITY = new Set(["quantity", "qty", "units", "count"]);
/** Creating verbs that give back rather than consume (a return restocks, a deposit credits). */
export const NOT_CONSUMING = new Set(["return", "refund", "deposit", "restock", "add", "credit", "top", "register", "invite"]);
export const LEDGER = /transaction|transfer|payment|movement|ledger|entr(y|ie)|statement/;
export const VERB_NOUNS: Record<string, string> = {
  book: "booking",
  reserve: "reservation",
  pay: "payment",
  order: "order",
  return: "return",
  register: "registration",
  subscribe: "subscription",
  apply: "application",
  invite: "invitation",
  enroll: "enrollment",
  purchase: "purchase",
  buy: "purchase",
  request: "request",
  review: "review",
  rate: "rating",
  comment: "comment",
  donate: "donation",
  schedule: "appointment",
  send: "message",
  post: "post",
  upload: "upload",
  log: "entry",
  record: "entry",
};

export interface Shape {
  tool: ToolSpec;
  params: Parameter[];
  verb: string | null;
  kind: ReturnType<typeof verbKind>;
  /** Singular words naming what the tool acts on, before any preposition. */
  object: string[];
}

export interface EntityInfo {
  entity: string;
  key: string;
  keyKind: "id" | "natural";
  /** Ids declared as integers (`book_id: integer`) make an integer-keyed table. */
  keyType: "string" | "integer";
  /** Some tool passes the id as a number (others as text): ids must look like numbers. */
  numeric?: boolean;
}

/** The verb and object words of a tool's name. */
export function shapeOf(tool: ToolSpec): Shape {
  const words = splitIdentifier(tool.name);
  let verbIndex = words.findIndex((w) => verbKind(w) !== null);
  // A verb counts only at the start or right after a namespace word (`github_create_issue`).
  if (verbIndex > 1) verbIndex = -1;
  const verb = verbIndex >= 0 ? (words[verbIndex] as string) : (words[0] ?? null);
  const rest = words.slice(verbIndex >= 0 ? verbIndex + 1 : 1);
  const cut = rest.findIndex((w) => PREPOSITIONS.has(w));
  const object = (cut >= 0 ? rest.slice(0, cut) : rest).filter((w) => !FILLER.has(w) && !/^[0-9]+$/.test(w)).map((w) => singular(w));
  return {
    tool,
    params: parametersOf(tool),
    verb,
    kind: verb ? verbKind(verb) : null,
    object: object.length > 0 ? object : words.filter((w) => !FILLER.has(w) && w !== verb).map(singular),
  };
}

/** The entity an id parameter refers to, without side prefixes (`from_account_id` → account). */
export function referencedEntity(parameter: Parameter): { entity: string; side: "source" | "destination" | null } | null {
  const entity = idEntity(parameter.words);
  if (!entity) return null;
  const parts = entity.split("_");
  const first = parts[0] ?? "";
  if (parts.length > 1 && SIDE_PREFIXES.has(first)) {
    const side = SOURCE.test(`${first}_x`) ? "source" : DESTINATION.test(`${first}_x`) ? "destination" : null;
    return { entity: parts.slice(1).join("_"), side };
  }
  return { entity, side: null };
}

export function isPathLike(name: string): boolean {
  return PATH_LIKE.test(snake(name));
}

export function isNaturalKey(parameter: Parameter): boolean {
  return isPathLike(parameter.name) || NATURAL_KEYS.has(snake(parameter.name));
}

/** The rightmost run of object words that names a known entity (`passenger reservation` → reservation). */
export function knownEntityIn(object: readonly string[], entities: ReadonlyMap<string, EntityInfo>): string | null {
  for (let end = object.length; end > 0; end--) {
    for (let start = 0; start < end; start++) {
      const candidate = object.slice(start, end).join("_");
      if (entities.has(candidate)) return candidate;
    }
  }
  return null;
}

/** Object words that can name a thing: a version or a number (`v2` → `2`, `111`) names none. */
const nounWords = (shape: Shape) => shape.object.filter((w) => /^[a-z]/.test(w.replace(/[^a-z0-9_]/g, "")));

export function headNoun(shape: Shape): string {
  const head = nounWords(shape).at(-1) ?? (shape.verb ? (VERB_NOUNS[shape.verb] ?? shape.verb) : "record");
  return head.replace(/[^a-z0-9_]/g, "") || "record";
}

/** The entity a tool's object words name when no known entity is among them: its last two words (`checked_bag`). */
export function objectName(shape: Shape): string {
  return nounWords(shape).length > 0
    ? nounWords(shape)
        .slice(-2)
        .join("_")
        .replace(/[^a-z0-9_]/g, "") || headNoun(shape)
    : headNoun(shape);
}
