// Name namespaces: the part of tool names that the tools of one API share.
//
// Catalogs put it in front (`github_create_issue`, `slack_post_message`), behind
// (`get_order_for_pet_store`, ToolBench's convention), or before a dot (`math.factorial`, BFCL's).
// Which side a catalog uses is read from the catalog itself: the side whose two-word affixes are
// shared by small groups of tools (2 to 30) for more than half of the tools, and for more tools than
// the other side. Affixes made only of generic action words (`get`, `list`…) are never namespaces.
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { OPERATION_VERBS, splitIdentifier } from "../../lib/domain-model/words.ts";

const MAX_GROUP = 30;

function affix(words: readonly string[], side: "prefix" | "suffix", n: number): string | null {
  if (words.length <= n) return null;
  const part = side === "prefix" ? words.slice(0, n) : words.slice(-n);
  if (part.every((word) => OPERATION_VERBS.has(word) || word === "for" || word === "by")) return null;
  return part.join("_");
}

function coverage(names: readonly string[][], side: "prefix" | "suffix"): number {
  const affixes = names.map((words) => affix(words, side, 2));
  const groups = new Map<string, number>();
  for (const a of affixes) if (a) groups.set(a, (groups.get(a) ?? 0) + 1);
  return (
    affixes.filter((a) => a !== null && (groups.get(a) ?? 0) >= 2 && (groups.get(a) ?? 0) <= MAX_GROUP).length / Math.max(1, names.length)
  );
}

/** Namespace tokens of each tool (`ns:pet_store`…), empty when the catalog shows no namespace convention. */
export function nameNamespaces(tools: readonly ToolSpec[]): string[][] {
  // Dotted original names carry their namespace explicitly.
  const dotted = tools.map((tool) => {
    const original = tool.original_name ?? tool.name;
    const dot = original.lastIndexOf(".");
    return dot > 0 ? splitIdentifier(original.slice(0, dot)).join("_") : null;
  });
  const names = tools.map((tool) => splitIdentifier(tool.original_name ?? tool.name));
  const prefix = coverage(names, "prefix");
  const suffix = coverage(names, "suffix");
  const side = suffix > 0.5 && suffix > prefix ? "suffix" : prefix > 0.5 && prefix > suffix ? "prefix" : null;
  const candidates = names.map((words, i) => {
    const out: string[] = [];
    const explicit = dotted[i];
    if (explicit) out.push(`ns:${explicit}`);
    else if (side)
      for (let n = 1; n <= 3; n++) {
        const a = affix(words, side, n);
        if (a) out.push(`ns:${a}`);
      }
    return out;
  });
  const groups = new Map<string, number>();
  for (const list of candidates) for (const token of new Set(list)) groups.set(token, (groups.get(token) ?? 0) + 1);
  return candidates.map((list) => list.filter((token) => (groups.get(token) ?? 0) >= 2 && (groups.get(token) ?? 0) <= MAX_GROUP));
}
