// The list a record "gets" in a sentence ("the order gets selected_plan, a receipt ("rcp_…"), status
// confirmed, and a new Ticket …"), read as text only: its items, and the state among them. Kept
// apart from received-lists.ts, which makes the changes, so that statuses.ts can read the state
// without importing the clause machinery that imports it.
import { commaParts } from "../../lib/service-tools/tool-text.ts";

/** The items of the list a record of `entity` "gets" in a sentence, split at the commas outside parentheses. */
export function receivedItems(sentence: string, entity: string): string[] {
  const head = entity.split(" ").at(-1) ?? entity;
  const m = new RegExp(String.raw`\bthe\s+${head}\s+gets?\s+(.+)$`).exec(sentence);
  if (!m) return [];
  const items = commaParts((m[1] as string).replace(/\.\s*$/, ""));
  return items.map((i) => i.trim().replace(/^and\s+/, "")).filter((i) => i.length > 0);
}

/** The state a listed `status X` item names, as the data writes it (`status pre_transit`, not "a new X … with status Y"). */
export function receivedStatus(sentence: string, entity: string, values: readonly string[]): string | null {
  for (const item of receivedItems(sentence, entity)) {
    const m = /^status\s+["'“`]?([a-z][a-z_-]*)["'”`]?$/.exec(item);
    const known = m ? values.find((v) => v.toLowerCase() === m[1]) : undefined;
    if (known) return known;
  }
  return null;
}
