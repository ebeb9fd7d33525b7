// Plausible values for fields and parameters, drawn from a seeded stream: names look like names,
// emails like emails, dates fall near the task clock, amounts are positive and rounded.

import type { Rng } from "../../kernel/rng.ts";
import type { Field } from "../contracts/domain-schema.ts";
import { splitIdentifier } from "./words.ts";

const FIRST = [
  "Ada",
  "Bruno",
  "Chen",
  "Dana",
  "Elif",
  "Farid",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
  "Kavya",
  "Luca",
  "Mara",
  "Nils",
  "Omar",
  "Priya",
];
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes", "Schmidt", "Ibrahim", "Costa"];
const CITIES = ["Lisbon", "Osaka", "Nairobi", "Toronto", "Krakow", "Lyon", "Austin", "Seoul", "Porto", "Oslo", "Cairo", "Denver"];
const AIRPORTS = ["LIS", "KIX", "NBO", "YYZ", "KRK", "LYS", "AUS", "ICN", "OPO", "OSL", "CAI", "DEN"];
const COUNTRIES = ["Portugal", "Japan", "Kenya", "Canada", "Poland", "France", "Korea", "Norway", "Egypt", "Brazil"];
const WORDS = [
  "amber",
  "birch",
  "cobalt",
  "delta",
  "ember",
  "fern",
  "granite",
  "harbor",
  "indigo",
  "juniper",
  "kestrel",
  "lumen",
  "maple",
  "nova",
  "onyx",
  "prism",
  "quartz",
  "river",
  "summit",
  "tide",
];
const STREETS = ["Rua Augusta", "Maple Avenue", "Kungsgatan", "Via Roma", "Calle Mayor", "Baker Street"];

/** What the sampler knows beyond the field itself. */
export interface ValueContext {
  /** The task clock (ISO 8601); dates are drawn within a month of it. */
  clock: string;
  /** Name of the record's entity (for titles: `Event amber 3`). */
  entity?: string;
  /** An ordinal that makes values distinct across records. */
  index?: number;
}

const DAY = 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isoDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}:00Z`;
}

function title(entity: string | undefined, rng: Rng, index: number): string {
  const word = rng.pick(WORDS);
  return `${entity ? entity[0]?.toUpperCase() + entity.slice(1) : "Item"} ${word[0]?.toUpperCase()}${word.slice(1)} ${index + 1}`;
}

/** A value for a field called `name` with this description; never null. */
export function sampleValue(name: string, field: Omit<Field, "name">, rng: Rng, context: ValueContext): unknown {
  const index = context.index ?? rng.int(0, 999);
  if (field.enum && field.enum.length > 0) return rng.pick(field.enum);
  const words = splitIdentifier(name);
  const has = (...candidates: string[]) => candidates.some((c) => words.includes(c));
  const clock = Date.parse(context.clock) || Date.UTC(2025, 0, 1, 9);
  switch (field.type) {
    case "boolean":
      return rng.chance(0.5);
    case "integer":
    case "number": {
      let low = field.minimum ?? 0;
      let high = field.maximum ?? Number.NaN;
      if (Number.isNaN(high)) {
        if (has("balance", "funds", "credit")) [low, high] = [Math.max(low, 200), 5000];
        else if (has("price", "amount", "cost", "fee", "total", "salary", "budget")) [low, high] = [Math.max(low, 5), 500];
        else if (has("stock", "inventory", "capacity", "available")) [low, high] = [Math.max(low, 5), 200];
        else if (has("year")) [low, high] = [Math.max(low, 2015), 2025];
        else if (has("minute", "minutes", "duration")) [low, high] = [Math.max(low, 15), 120];
        else if (has("rating", "score", "stars")) [low, high] = [Math.max(low, 1), 5];
        else if (has("age")) [low, high] = [Math.max(low, 18), 80];
        else if (has("latitude", "lat")) [low, high] = [-60, 60];
        else if (has("longitude", "lon", "lng")) [low, high] = [-150, 150];
        else if (has("percent", "percentage", "rate")) [low, high] = [0, 100];
        else [low, high] = [Math.max(low, 1), Math.max(low + 1, 10)];
      }
      if (high < low) high = low;
      if (field.type === "integer") return rng.int(Math.ceil(low), Math.floor(high));
      return Math.round((low + rng.next() * (high - low)) * 100) / 100;
    }
    case "array":
      return [rng.pick(WORDS), rng.pick(WORDS)];
    case "object":
      if (has("address", "location", "destination", "shipping", "billing")) {
        return { street: `${rng.int(1, 200)} ${rng.pick(STREETS)}`, city: rng.pick(CITIES), country: rng.pick(COUNTRIES) };
      }
      return { note: rng.pick(WORDS) };
    default:
      break;
  }
  // Strings.
  const format = field.format;
  if (format === "date" || (has("date", "day", "birthday", "dob") && !has("time"))) return isoDate(clock + rng.int(-30, 30) * DAY);
  if (format === "date-time" || has("time", "timestamp", "datetime", "at", "start", "end", "deadline")) {
    return isoDateTime(clock + rng.int(-30 * 24, 30 * 24) * 3_600_000);
  }
  if (format === "email" || has("email", "mail"))
    return `${rng.pick(FIRST).toLowerCase()}.${rng.pick(LAST).toLowerCase()}${index}@example.com`;
  if (format === "uri" || format === "url" || has("url", "link", "website", "homepage"))
    return `https://example.com/${rng.pick(WORDS)}/${index}`;
  if (has("phone", "mobile")) return `+1-555-${String(rng.int(0, 9999)).padStart(4, "0")}`;
  if (has("iban"))
    return `DE${rng.int(10, 99)}${String(rng.int(0, 99999999)).padStart(8, "0")}${String(rng.int(0, 9999999999)).padStart(10, "0")}`;
  if (has("currency")) return rng.pick(["EUR", "USD", "GBP", "JPY"]);
  if (has("country")) return rng.pick(COUNTRIES);
  if (has("city", "town")) return rng.pick(CITIES);
  if (has("origin", "destination", "airport") && !has("address")) return rng.pick(AIRPORTS);
  if (has("language", "lang")) return rng.pick(["en", "fr", "pt", "ja", "de"]);
  if (has("seat")) return `${rng.int(1, 40)}${rng.pick(["A", "B", "C", "D", "E", "F"])}`;
  if (has("zip", "postal", "postcode")) return String(rng.int(10000, 99999));
  if (has("color", "colour")) return rng.pick(["red", "green", "blue", "black", "white"]);
  if (has("path", "directory", "folder", "dir")) return `/${rng.pick(WORDS)}/${rng.pick(WORDS)}-${index}.txt`;
  if (has("username", "user", "login", "handle")) return `${rng.pick(FIRST).toLowerCase()}${index}`;
  if (has("name") && has("first")) return rng.pick(FIRST);
  if (has("name") && has("last")) return rng.pick(LAST);
  if (has("name", "author", "owner", "patient", "customer", "passenger", "person", "contact", "recipient", "sender"))
    return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  if (has("address", "street")) return `${rng.int(1, 200)} ${rng.pick(STREETS)}, ${rng.pick(CITIES)}`;
  if (has("title", "subject", "label", "headline")) return title(context.entity, rng, index);
  if (has("code", "sku", "number", "ref", "reference", "symbol", "ticker"))
    return `${rng.pick(WORDS).slice(0, 3).toUpperCase()}-${1000 + index}`;
  if (has("description", "content", "body", "text", "message", "note", "notes", "comment", "memo", "bio", "summary", "result", "reason")) {
    return `${rng.pick(WORDS)} ${rng.pick(WORDS)} ${rng.pick(WORDS)} ${index}`;
  }
  return `${rng.pick(WORDS)}-${index}`;
}

/** A person's full name from the same pools as sampled records (personas, users). */
export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}
