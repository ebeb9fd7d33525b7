// The value an optional parameter takes when a call leaves it out, as the service states it: the
// JSON Schema's `default`, its own description ("true (default) for a public reply", "defaults to
// USD", "`future_dated` (the default)"), or the tool's ("public defaults to true and collaborative
// to false"). A call without it then acts as one that gives it: an entry records `public: true`.
import type { Parameter, ToolText } from "../../lib/service-tools/tool-text.ts";

/** Each optional parameter's default, where some text states one and it is a value the parameter takes. */
export function parameterDefaults(text: ToolText): Record<string, unknown> {
  const schema = (text.spec.parameters.properties ?? {}) as Record<string, { default?: unknown }>;
  const out: Record<string, unknown> = {};
  for (const p of text.parameters) {
    if (p.required || p.type === "array" || p.type === "object") continue;
    const stated = schema[p.name]?.default;
    const value = stated !== undefined ? writtenValue(p, stated) : (ownDefault(p) ?? toolDefault(p, text.spec.description));
    if (value !== undefined) out[p.name] = value;
  }
  return out;
}

/**
 * A written value as the parameter holds it (a boolean, a number, one of its enum values), or
 * undefined. A value written in double quotes is text as it stands ("Kind regards (Support)").
 */
function writtenValue(p: Parameter, raw: unknown, quoted = false): unknown {
  const word = String(raw)
    .trim()
    .replace(/[.,;:]+$/, "")
    .replace(/^[`"'“]|[`"'”]$/g, "");
  if (p.type === "boolean") return /^(true|yes|on)$/i.test(word) ? true : /^(false|no|off)$/i.test(word) ? false : undefined;
  if (p.type === "integer" || p.type === "number") return /^-?\d+(?:\.\d+)?$/.test(word) ? Number(word) : undefined;
  if (p.enum) return p.enum.find((v) => String(v).toLowerCase() === word.toLowerCase());
  // Free text: only a quoted or code-like word is a value ("defaults to `USD`", "default 'en'").
  if (quoted && typeof raw === "string") return raw;
  return typeof raw === "string" && /^[\w.-]{1,40}$/.test(word) ? word : undefined;
}

/** A value: a double-quoted text whole (group 1), or a word, quoted or not (group 2). */
const VALUE = String.raw`(?:"([^"]{1,40})"|[\`'“]?([\w.-]+)[\`'”]?)`;
const matchedValue = (p: Parameter, m: RegExpExecArray, at = 1): unknown =>
  m[at] !== undefined ? writtenValue(p, m[at], true) : writtenValue(p, m[at + 1]);

/** "true (default) for …", "`future_dated` (…, the default)", "defaults to 10", "default: USD" in the parameter's own description. */
function ownDefault(p: Parameter): unknown {
  const d = p.description;
  const marked = new RegExp(String.raw`${VALUE}\s*\((?:[^()]*?,\s*)?(?:the\s+)?default\)`, "i").exec(d);
  if (marked) return matchedValue(p, marked);
  const said = new RegExp(String.raw`\bdefaults?\s*(?:to|is|:|=)?\s*${VALUE}`, "i").exec(d);
  if (said) return matchedValue(p, said);
  const after = new RegExp(String.raw`${VALUE},?\s+(?:is\s+)?(?:the|by)\s+default\b`, "i").exec(d);
  if (after) return matchedValue(p, after);
  return undefined;
}

/** "public defaults to true and collaborative to false": the tool's description names the parameter and its default. */
function toolDefault(p: Parameter, description: string): unknown {
  const name = p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const direct = new RegExp(String.raw`[\`"']?\b${name}\b[\`"']?\s+defaults?\s+(?:to|is)\s+${VALUE}`, "i").exec(description);
  if (direct) return matchedValue(p, direct);
  // "channel is email (default) or phone": the value marked among those listed.
  const marked = new RegExp(String.raw`[\`"']?\b${name}\b[\`"']?\s+is\s+(?:one\s+of\s+)?${VALUE}\s*\((?:the\s+)?default\)`, "i").exec(
    description,
  );
  if (marked) return matchedValue(p, marked);
  // The second of a pair sharing one verb: "X defaults to A and <name> to B".
  const paired = new RegExp(String.raw`\bdefaults?\s+to\s+[\w\`"'.-]+\s*(?:,|and)\s+[\`"']?\b${name}\b[\`"']?\s+to\s+${VALUE}`, "i").exec(
    description,
  );
  if (paired) return matchedValue(p, paired);
  return undefined;
}
