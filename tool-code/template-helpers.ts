// Helpers a generated module may need (equality, bounds, text, paths, keys, money), each emitted
// into the module only when one of its tools uses it.

/** Helpers a module may need, each emitted only when a tool uses it. */
export const HELPERS: Record<string, string> = {
  same: `/** Equal, ignoring case for text; an id given as a number matches the same id as text. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "number" || typeof b === "number") return a !== null && b !== null && String(a) === String(b);
  return a === b;
}`,
  atLeast: `/** a ≥ bound, comparing dates by the bound's precision (\`2025-01-05T10:00\` ≥ \`2025-01-05\`). */
function atLeast(a: unknown, bound: unknown): boolean {
  if (typeof a === "string" && typeof bound === "string") return a.slice(0, bound.length) >= bound;
  return typeof a === "number" && typeof bound === "number" && a >= bound;
}`,
  atMost: `/** a ≤ bound, comparing dates by the bound's precision. */
function atMost(a: unknown, bound: unknown): boolean {
  if (typeof a === "string" && typeof bound === "string") return a.slice(0, bound.length) <= bound;
  return typeof a === "number" && typeof bound === "number" && a <= bound;
}`,
  mentions: `/** Whether any text field of a record contains the words of a query. */
function mentions(record: object, query: string): boolean {
  const text = Object.values(record)
    .filter((v) => typeof v === "string")
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}`,
  parentOf: `/** The folder a path is in (\`/a/b.txt\` → \`/a\`; top-level entries → \`/\`). */
function parentOf(path: string): string {
  const cut = path.replace(/\\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}`,
  under: `/** Whether a path is inside a folder: directly, or anywhere below it. */
function under(path: string, folder: string, direct: boolean): boolean {
  const base = folder === "/" ? "/" : \`\${folder.replace(/\\/+$/, "")}/\`;
  if (!path.startsWith(base) || path === base) return false;
  return !direct || !path.slice(base.length).includes("/");
}`,
  nextNumber: `/** The next integer key of a table keyed by numbers. */
function nextNumber(rows: object): string {
  let last = 0;
  for (const key of Object.keys(rows)) if (Number(key) > last) last = Number(key);
  return String(Math.floor(last) + 1);
}`,
  money: `/** Amounts kept to cents, so repeated transfers do not drift. */
function money(value: number): number {
  return Math.round(value * 100) / 100;
}`,
};
