// Words of tool names, parameter names and descriptions, normalised for comparing tools.

const STOPWORDS = new Set(
  (
    "a an and are as at be by can for from has have if in into is it its of on or that the their this to was were will with " +
    "you your we our they them he she his her which who whom what when where why how all any each more most other some such " +
    "no not only own same so than too very just also may must should would could shall do does did done being been get gets " +
    "given e g eg ie etc via using use used based one two three per up down out over under about after before between " +
    "type types value values data info information specified specific provided provide returns return retrieve retrieves " +
    "string number integer boolean object array list optional required default"
  ).split(" "),
);

/**
 * Verbs that name an operation rather than what it acts on (`get`, `cancel`, `transfer`…). Tools of
 * different domains share them, so they say little about which domain a tool belongs to; the schema
 * stage reads them to tell reads from writes.
 */
export const OPERATION_VERBS = new Set(
  (
    "get list create update delete remove add search find fetch set check show view make post put patch read write send " +
    "start stop run is has cancel book change move edit modify insert append register submit lookup query count validate " +
    "verify generate calculate convert"
  ).split(" "),
);

/** Split an identifier into lower-case words: `getPM2_5Level` → [get, pm, 2, 5, level]. */
export function splitIdentifier(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/([a-zA-Z])([0-9])/g, "$1 $2")
    .replace(/([0-9])([a-zA-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A crude singular: `categories` → category, `addresses` → address, `flights` → flight. */
/** Plurals in -ves whose singular ends in -f or -fe (`shelves`); most -ves words just drop the s (`drives`, `archives`). */
const F_PLURALS: Record<string, string> = {
  shelves: "shelf",
  halves: "half",
  knives: "knife",
  wolves: "wolf",
  calves: "calf",
  loaves: "loaf",
  thieves: "thief",
  wives: "wife",
};

export function singular(word: string): string {
  if (word.length <= 3) return word;
  const f = F_PLURALS[word];
  if (f) return f;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is|ous)$/.test(word)) return word;
  if (/(sses|xes|ches|shes|zzes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** A crude plural, for table names: `reservation` → reservations, `category` → categories. */
export function plural(word: string): string {
  const f = Object.keys(F_PLURALS).find((p) => F_PLURALS[p] === word);
  if (f) return f;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** Content words of a text or identifier: split, lower-cased, singular, without stopwords and bare digits. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const word of splitIdentifier(text)) {
    if (word.length < 2 || STOPWORDS.has(word) || /^[0-9]+$/.test(word)) continue;
    out.push(singular(word));
  }
  return out;
}

/** `snake_case` of any identifier: `fromAccountId` → from_account_id. */
export function snake(name: string): string {
  return splitIdentifier(name).join("_");
}
