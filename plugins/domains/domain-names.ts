// Naming domains offline: the words that set a domain's tools apart from all the others.
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { toolWords } from "../../lib/domain-model/tool-words.ts";

/** Words that say what a tool does, not what it is about: never a domain's name. */
const GENERIC = new Set(
  "get list create update delete remove add search find check set new all id name by for fetch show view make put post patch detail details status lookup query item record result request response user api info".split(
    " ",
  ),
);

/** The `count` most distinctive words of a group of tools, against the whole catalog. */
export function distinctiveWords(
  group: readonly ToolSpec[],
  documentFrequency: ReadonlyMap<string, number>,
  totalTools: number,
  count: number,
): string[] {
  const weight = new Map<string, number>();
  for (const tool of group) {
    for (const [word, w] of toolWords(tool)) {
      // Structural tokens (`ns:pet_store`, `src:file.json`) link tools; they do not name them.
      if (GENERIC.has(word) || word.length < 3 || word.includes(":")) continue;
      weight.set(word, (weight.get(word) ?? 0) + w);
    }
  }
  return [...weight]
    .map(([word, w]) => [word, w * Math.log((1 + totalTools) / (1 + (documentFrequency.get(word) ?? 0)))] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([word]) => word);
}

/** How many tools each word occurs in. */
export function wordDocumentFrequency(tools: readonly ToolSpec[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const tool of tools) for (const word of toolWords(tool).keys()) df.set(word, (df.get(word) ?? 0) + 1);
  return df;
}

/** A file-safe name, unique among `taken`: `flight-reservation`, `flight-reservation-2`. */
export function uniqueName(base: string, taken: Set<string>): string {
  const clean =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "domain";
  let name = clean;
  for (let n = 2; taken.has(name); n++) name = `${clean}-${n}`;
  taken.add(name);
  return name;
}
