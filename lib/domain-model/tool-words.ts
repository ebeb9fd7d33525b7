// A tool's weighted words: what the tool graph compares (TF-IDF over them) and domains are named by.
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { contentWords, OPERATION_VERBS } from "./words.ts";

export const FIELD_WEIGHTS = {
  name: 4,
  nameVerbs: 0.5,
  nameBigrams: 4,
  namespace: 4,
  source: 3,
  parameterNames: 1.5,
  description: 1,
  parameterDescriptions: 0.7,
};

/** Weighted word counts of one tool, before IDF (`namespace`: its namespace tokens, see namespaces.ts). */
export function toolWords(tool: ToolSpec, namespace: readonly string[] = []): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (token: string, weight: number) => {
    if (weight > 0) counts.set(token, (counts.get(token) ?? 0) + weight);
  };
  const add = (text: string, weight: number) => {
    for (const word of contentWords(text)) count(word, weight);
  };
  const nameWords = contentWords(tool.name);
  // Operation verbs (`cancel` in cancel_order and cancel_reservation) say what a tool does, not
  // which domain it belongs to: in a small catalog their IDF alone would make them look distinctive.
  for (const word of nameWords) count(word, OPERATION_VERBS.has(word) ? FIELD_WEIGHTS.nameVerbs : FIELD_WEIGHTS.name);
  // Adjacent words of the name ("pet store" in get_order_for_pet_store): endpoints of one API share
  // them far more than tools that are merely about the same topic.
  for (let i = 1; i < nameWords.length; i++) {
    const [first, second] = [nameWords[i - 1] ?? "", nameWords[i] ?? ""];
    if (OPERATION_VERBS.has(first) || OPERATION_VERBS.has(second)) continue;
    const bigram = `${first}_${second}`;
    count(bigram, FIELD_WEIGHTS.nameBigrams);
  }
  add(tool.description, FIELD_WEIGHTS.description);
  for (const token of namespace) count(token, FIELD_WEIGHTS.namespace);
  // The document a tool was defined in: one OpenAPI spec or MCP server is one service. In a
  // single-file catalog every tool shares it and its IDF makes it weightless.
  count(`src:${tool.source.file}`, FIELD_WEIGHTS.source);
  const properties = (tool.parameters.properties ?? {}) as Record<string, { description?: unknown }>;
  for (const [name, schema] of Object.entries(properties)) {
    add(name, FIELD_WEIGHTS.parameterNames);
    if (typeof schema?.description === "string") add(schema.description, FIELD_WEIGHTS.parameterDescriptions);
  }
  return counts;
}
