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
  holds: `/** A rule's condition: \`given\`/\`absent\` (is a value there), equality as \`same\` does it, order on numbers and dates, membership. */
function holds(a: unknown, op: string, b?: unknown): boolean {
  const there = (v: unknown) => v !== undefined && v !== null && v !== "";
  const listed = (v: unknown): unknown[] => (Array.isArray(v) ? v : typeof v === "string" && v !== "" ? v.split(",").map((s) => s.trim()) : []);
  const eq = (x: unknown, y: unknown) =>
    typeof x === "string" && typeof y === "string"
      ? x.toLowerCase() === y.toLowerCase()
      : typeof x === "number" || typeof y === "number"
        ? x !== null && y !== null && x !== undefined && y !== undefined && String(x) === String(y)
        : JSON.stringify(x) === JSON.stringify(y);
  // Amounts written as decimal strings ("598.00", "5000.00") are ordered as the numbers they are, dates as text.
  const decimal = (v: unknown) => (typeof v === "string" && /^-?\\d+(?:\\.\\d+)?$/.test(v) ? Number(v) : v);
  const order = (x0: unknown, y0: unknown) => {
    const [x, y] = typeof x0 === "number" || typeof y0 === "number" || (decimal(x0) !== x0 && decimal(y0) !== y0) ? [decimal(x0), decimal(y0)] : [x0, y0];
    return typeof x === "number" && typeof y === "number" ? x - y : typeof x === "string" && typeof y === "string" ? (x < y ? -1 : x > y ? 1 : 0) : Number.NaN;
  };
  switch (op) {
    case "given": return there(a);
    case "absent": return !there(a);
    case "==": return eq(a, b);
    case "!=": return !eq(a, b);
    case "<": return order(a, b) < 0;
    case "<=": return order(a, b) <= 0;
    case ">": return order(a, b) > 0;
    case ">=": return order(a, b) >= 0;
    // A list, or a list written as text ("names,emailAddresses": a field mask).
    case "in": return listed(b).some((v) => eq(a, v));
    case "not-in": return !listed(b).some((v) => eq(a, v));
    default: return false;
  }
}`,
  atOffset: `/** A UTC time written at an offset from UTC, in whole seconds (\`2025-09-18T08:00:00.000Z\`, "+02:00" → \`2025-09-18T10:00:00+02:00\`). */
function atOffset(iso: string, offset: string): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString().slice(0, 19) + offset;
}`,
  amountOf: `/** A number, or the amount of a money object (\`{amount, currency}\`). */
function amountOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && typeof (value as { amount?: unknown }).amount === "number") return (value as { amount: number }).amount;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}`,
  money: `/** Amounts kept to cents, so repeated transfers do not drift. */
function money(value: number): number {
  return Math.round(value * 100) / 100;
}`,
  moved: `/** A number moved by a delta; one the data writes as a decimal string ("150.00") stays one, with its decimals. */
function moved(current: unknown, delta: unknown): any {
  const by = typeof delta === "string" && /^-?\\d+(?:\\.\\d+)?$/.test(delta) ? Number(delta) : (delta as number);
  if (typeof current === "string" && /^-?\\d+(?:\\.\\d+)?$/.test(current)) {
    const digits = current.split(".")[1]?.length ?? 0;
    const text = (Math.round((Number(current) + by) * 10 ** digits) / 10 ** digits).toFixed(digits);
    return /^-0(?:\\.0*)?$/.test(text) ? text.slice(1) : text;
  }
  return Math.round((((current as number) ?? 0) + by) * 100) / 100;
}`,
  entryIn: `/** An entry of a map by its key, or of a list of records by their key field (a wallet's method). */
function entryIn(container: any, key: unknown, keyField?: string): any {
  if (Array.isArray(container)) return keyField ? container.find((e: any) => e != null && String(e[keyField]) === String(key)) : undefined;
  return container != null && typeof container === "object" && Object.hasOwn(container, String(key)) ? container[String(key)] : undefined;
}`,
  addDays: `/** A date (\`YYYY-MM-DD\`) or date-time moved by whole days, in the same format. */
function addDays(value: unknown, days: number): string {
  const text = String(value);
  const ms = Date.parse(text.length === 10 ? \`\${text}T00:00:00Z\` : text);
  if (Number.isNaN(ms)) fail(\`not a date: \${text}\`);
  const moved = new Date(ms + days * 86400000).toISOString();
  return text.length === 10 ? moved.slice(0, 10) : moved;
}`,
  nextKey: `/** The next key of a table whose keys are a prefix and a number (\`hol_4011\` → \`hol_4012\`). */
function nextKey(rows: Record<string, unknown>, prefix: string, digits: number): string {
  // Counted exactly (BigInt): ids of 19 digits are past what a double holds.
  let top = 0n;
  for (const key of Object.keys(rows)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (!/^[0-9]+$/.test(rest)) continue;
    const n = BigInt(rest);
    if (n > top) top = n;
  }
  return prefix + String(top + 1n).padStart(digits, "0");
}`,
  nextEncodedKey: `/** The next key of a table whose keys are base64 of a prefix and a number (\`Y3BuLTAwNw\` of \`cpn-007\`), padded as the keys are. */
function nextEncodedKey(rows: Record<string, unknown>, prefix: string, digits: number): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const decode = (key: string): string => {
    let bits = 0;
    let n = 0;
    let out = "";
    for (const ch of key.replace(/=+$/, "")) {
      const v = abc.indexOf(ch);
      if (v < 0) return "";
      n = (n << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((n >> bits) & 255);
      }
    }
    return out;
  };
  const encode = (text: string): string => {
    let out = "";
    for (let i = 0; i < text.length; i += 3) {
      const [a, b, c] = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += abc[(n >> 18) & 63] + abc[(n >> 12) & 63];
      out += i + 1 < text.length ? abc[(n >> 6) & 63] : "=";
      out += i + 2 < text.length ? abc[n & 63] : "=";
    }
    return out;
  };
  const keys = Object.keys(rows);
  const padded = keys.some((k) => k.endsWith("=")) || keys.every((k) => k.length % 4 === 0);
  let top = 0n;
  for (const key of keys) {
    const text = decode(key);
    if (!text.startsWith(prefix)) continue;
    const rest = text.slice(prefix.length);
    if (!/^[0-9]+$/.test(rest)) continue;
    const n = BigInt(rest);
    if (n > top) top = n;
  }
  const key = encode(prefix + String(top + 1n).padStart(digits, "0"));
  return padded ? key : key.replace(/=+$/, "");
}`,
  timedKey: `/** A key that is the clock (in \`unit\`s, shifted left by \`shift\` bits, in \`radix\`), moved past every key the table holds. */
function timedKey(rows: Record<string, unknown>, shift: number, radix: number, unit: string): string {
  let key = BigInt(unit === "s" ? Math.floor(Date.now() / 1000) : Date.now()) << BigInt(shift);
  const taken = Object.keys(rows)
    .filter((k) => (radix === 16 ? /^[0-9a-f]+$/i : /^[0-9]+$/).test(k))
    .map((k) => BigInt(radix === 16 ? \`0x\${k}\` : k))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of taken) if (k >= key) key = k + 1n;
  return key.toString(radix);
}`,
  bumped: `/** A text's trailing number moved on by \`by\`, its prefix and width kept (\`v11\` → \`v12\`); a text without one is left as it is. */
function bumped(text: unknown, by: number): unknown {
  const m = typeof text === "string" ? /^(.*?)(\\d+)$/.exec(text) : null;
  return m ? m[1] + String(Number(m[2]) + by).padStart(m[2].length, "0") : text;
}`,
  counterKey: `/** The next key from a counter the data keeps: its value (as text for the table; in the record as the data writes its keys, a number unless text), then one more. */
function counterKey(holder: any, field: string, prefix: string, text = false): { key: string; value: unknown } {
  const n = Number(holder?.[field] ?? 1);
  if (holder) holder[field] = n + 1;
  return { key: prefix + String(n), value: prefix === "" && !text ? n : prefix + String(n) };
}`,
  exactArithmetic: `/**
 * An arithmetic expression (numbers, + - * /, parentheses) evaluated exactly: every number is a
 * fraction of integers, so 0.1 + 0.2 is 0.3; the answer is rounded to 10 decimal places.
 */
function exactArithmetic(expression: string): number {
  type Q = [bigint, bigint];
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  const norm = ([n, d]: Q): Q => {
    if (d === 0n) fail("division by zero");
    const g = gcd(n, d) || 1n;
    return d < 0n ? [-n / g, -d / g] : [n / g, d / g];
  };
  const tokens = expression.match(/\\d+(?:\\.\\d+)?|[-+*/()]|\\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const expr = (): Q => {
    let left = term();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[at++];
      const [a, b] = left;
      const [c, d] = term();
      left = norm(op === "+" ? [a * d + c * b, b * d] : [a * d - c * b, b * d]);
    }
    return left;
  };
  const term = (): Q => {
    let left = factor();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[at++];
      const [a, b] = left;
      const [c, d] = factor();
      left = norm(op === "*" ? [a * c, b * d] : [a * d, b * c]);
    }
    return left;
  };
  const factor = (): Q => {
    const token = tokens[at++];
    if (token === "-") {
      const [n, d] = factor();
      return [-n, d];
    }
    if (token === "+") return factor();
    if (token === "(") {
      const inner = expr();
      if (tokens[at++] !== ")") fail("unbalanced parentheses");
      return inner;
    }
    if (token === undefined || !/^\\d/.test(token)) fail(\`unexpected \${token === undefined ? "end" : JSON.stringify(token)} in the expression\`);
    const [whole, fraction = ""] = token.split(".");
    return norm([BigInt(whole + fraction), 10n ** BigInt(fraction.length)]);
  };
  if (tokens.length === 0) fail("an empty expression");
  const [n, d] = expr();
  if (at < tokens.length) fail(\`unexpected \${JSON.stringify(tokens[at])} in the expression\`);
  const scaled = (n * 10n ** 10n * 2n + d) / (2n * d);
  return Number(scaled) / 1e10;
}`,
};
