// An update by a field mask, as many APIs take one (`update_mask`, `updatePersonFields`, `fields`):
// the call gives a partial record as an object and names, in a comma-separated list, the fields
// that change; only those are written, each from the object's field of that name.
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { here, type RuleContext } from "./context.ts";

/** A parameter that lists the fields a call changes. */
function isMask(name: string, description: string): boolean {
  const words = nameWords(name);
  if (words.includes("mask")) return true;
  if (words.at(-1) === "field" && words.length > 1) return true;
  return /\bfields?\b[^.]*\b(?:change|changes|updated|to update|are written)\b/i.test(description) && /comma/i.test(description);
}

export function fieldMasks(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const mask = c.text.parameters.find((p) => p.type === "string" && !p.enum && isMask(p.name, p.description));
  if (!mask) return;
  const properties = (c.text.spec.parameters.properties ?? {}) as Record<string, { type?: string; properties?: Record<string, unknown> }>;
  for (const [name, schema] of Object.entries(properties)) {
    if (schema.type !== "object" || !schema.properties) continue;
    const fields = Object.keys(schema.properties).filter((f) => target.fields.some((t) => t.name === f) && f !== target.key);
    if (fields.length < 2) continue;
    c.identifying.add(mask.name);
    for (const field of fields) {
      if (c.writes(here([field]))) continue;
      const when: Condition[] = [
        { left: { kind: "parameter", name }, op: "given" },
        { left: { kind: "constant", value: field }, op: "in", right: { kind: "parameter", name: mask.name } },
      ];
      c.effect(
        { kind: "set", place: here([field]), value: { kind: "parameter", name, path: [field] } },
        "schema",
        `${field} takes ${name}.${field} when ${mask.name} names it (an update by a field mask)`,
        when,
      );
    }
    return;
  }
}
