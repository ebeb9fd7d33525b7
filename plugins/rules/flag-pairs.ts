// One flag of a call that needs another to hold a value, as descriptions say it: "a collaborative
// playlist must have public false", "an archived project must have visible set to false", "a
// recurring meeting must have reminders true". With the first flag true, a call whose second flag
// (after its stated default) is not that value is refused.
import type { RuleContext } from "./context.ts";

/** `a <flag> <noun> must have <other flag> [set to] true|false` (also `must be <flag> <value>`). */
const NEEDS =
  /\b(?:an?|every|each)\s+([a-z_]+)\s+[a-z_]+\s+(?:must|should|has to)\s+(?:have|be|keep)\s+([a-z_]+)\s+(?:set\s+to\s+|=\s*)?(true|false)\b/g;

export function flagPairs(c: RuleContext): void {
  const flag = (name: string) => c.text.parameters.find((p) => p.name === name && p.type === "boolean" && !c.identifying.has(p.name));
  for (const { sentence, source } of c.sentences("description")) {
    for (const m of sentence.matchAll(NEEDS)) {
      const first = flag(m[1] as string);
      const second = flag(m[2] as string);
      if (!first || !second || first === second) continue;
      c.requireWhen(
        {
          kind: "compare",
          condition: { left: { kind: "parameter", name: second.name }, op: "==", right: { kind: "constant", value: m[3] === "true" } },
        },
        [{ left: { kind: "parameter", name: first.name }, op: "==", right: { kind: "constant", value: true } }],
        source,
        `with ${first.name} true, ${second.name} must be ${m[3]}: ${m[0]}`,
      );
    }
  }
}
