// A value as the person who states it knows it. A stored payment method's id is "my visa card
// ending in 4242" or "my gift card"; an order line's id is "the Summit T-Shirt (blue, size M)"; a
// product variant's id is "the one in black, size L". The agent finds the ids by looking them up.
// Read off the records themselves (the person's own entries, the record's lines, the variants a
// record lists), not off names of this or that service.
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import { splitIdentifier } from "../../lib/domain-model/words.ts";

export interface Spoken {
  /** `method`: one of the person's own entries; `entries`: lines of the record; `replacement`: entries of another record. */
  kind: "method" | "entries" | "replacement";
  text: string;
}

const isObject = (value: unknown): value is Row => value !== null && typeof value === "object" && !Array.isArray(value);
const words = (text: string) => splitIdentifier(text).join(" ");

/** The entries (records inside lists and maps) a record holds, with the key a map files each under. */
function entriesOf(record: Row | undefined): { key?: string; entry: Row }[] {
  if (!record) return [];
  const out: { key?: string; entry: Row }[] = [];
  for (const container of Object.values(record)) {
    if (Array.isArray(container)) for (const e of container) if (isObject(e)) out.push({ entry: e });
    if (isObject(container)) for (const [key, e] of Object.entries(container)) if (isObject(e)) out.push({ key, entry: e });
  }
  return out;
}

const holds = (item: { key?: string; entry: Row }, value: string, field?: string) =>
  field
    ? String(item.entry[field]) === value
    : item.key === value || Object.values(item.entry).some((v) => typeof v !== "object" && String(v) === value);

/** "blue, size M": an entry's options as a person names them (a colour first and by itself, the rest with their name). */
function optionsText(options: unknown): string {
  if (!isObject(options)) return "";
  const colour = Object.entries(options).filter(([name]) => /colou?r/i.test(name));
  const rest = Object.entries(options).filter(([name]) => !/colou?r/i.test(name));
  return [...colour.map(([, v]) => String(v)), ...rest.map(([name, v]) => `${words(name)} ${String(v)}`)].join(", ");
}

/** "the black one in size L", "the one in capacity 750ml": a variant by its options. */
function variantText(options: unknown): string {
  if (!isObject(options)) return "another one";
  const colour = Object.entries(options).find(([name]) => /colou?r/i.test(name))?.[1];
  const rest = Object.entries(options)
    .filter(([name]) => !/colou?r/i.test(name))
    .map(([name, v]) => `${words(name)} ${String(v)}`);
  return `the ${colour !== undefined ? `${String(colour)} ` : ""}one${rest.length > 0 ? ` in ${rest.join(" and ")}` : ""}`;
}

/** A stored method of the person's: "my visa credit card ending in 4242", "my gift card", "my paypal". */
function methodText(entry: Row): string {
  const kind = [entry.source, entry.type, entry.kind, entry.method].find((v) => typeof v === "string") as string | undefined;
  const brand = typeof entry.brand === "string" ? entry.brand : typeof entry.card_brand === "string" ? entry.card_brand : "";
  const last = [entry.last_four, entry.last_4, entry.last4].find((v) => typeof v === "string" || typeof v === "number");
  const what = [brand, kind ? words(kind) : "account"].filter(Boolean).join(" ");
  return `my ${what}${last !== undefined ? ` ending in ${String(last)}` : ""}`;
}

/** A line of a record: "the Summit T-Shirt (blue, size M)". */
function lineText(entry: Row): string {
  const name = [entry.name, entry.product_name, entry.title, entry.description].find((v) => typeof v === "string") as string | undefined;
  const options = optionsText(entry.options ?? entry.attributes);
  return `the ${name ?? "item"}${options ? ` (${options})` : ""}`;
}

const list = (parts: string[]) => (parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`);

/** How the person states `value` (a key or a list of keys), or null when it is a value they say as it is. */
export function spokenValue(
  value: unknown,
  owner: Row | undefined,
  subject: Row | undefined,
  state: DomainState | undefined,
): Spoken | null {
  const values = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "string" || typeof v === "number").map(String);
  if (values.length === 0) return null;
  // One of the person's own stored entries (a payment method), by its key.
  const own = entriesOf(owner).filter((e) => values.includes(e.key ?? "") || values.includes(String(e.entry.id ?? "")));
  if (own.length === values.length) return { kind: "method", text: list(own.map((e) => methodText(e.entry))) };
  // Lines of the record the request is about.
  const lines = values.map((v) => entriesOf(subject).find((e) => holds(e, v) && e.key === undefined));
  if (lines.every(Boolean) && subject) return { kind: "entries", text: list(lines.map((e) => lineText((e as { entry: Row }).entry))) };
  // Entries of another record (the variants of a product), by their options.
  if (state) {
    const found: string[] = [];
    for (const v of values) {
      let text: string | undefined;
      for (const rows of Object.values(state)) {
        for (const record of Object.values(rows)) {
          const entry = entriesOf(record).find((e) => e.key === v && isObject(e.entry.options));
          if (entry) {
            text = variantText(entry.entry.options);
            break;
          }
        }
        if (text) break;
      }
      if (!text) return null;
      found.push(text);
    }
    return { kind: "replacement", text: list(found) };
  }
  return null;
}
