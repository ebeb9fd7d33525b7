// A call that moves its record from one parent to another ("sets course_section_id to the target
// …; the old section's enrolled_count decreases by 1") acts on the record the reference held,
// whatever order the description says it in: verification reads such a hop on the record as it was
// before the call. Generated code looks records up where an effect first reaches them, so effects
// that reach through a reference run before the effect that rewrites it; otherwise the old
// parent's count would move on the new one.
import type { Rule } from "../contracts/tool-rules.ts";

/** The effects, those reaching through a reference the call rewrites moved before that rewrite (order otherwise kept). */
export function heldBeforeMoved(effects: readonly Rule[]): Rule[] {
  const out = [...effects];
  for (let i = 0; i < out.length; i++) {
    const rule = (out[i] as Rule).rule;
    if (rule.kind !== "set" || rule.place.root || rule.place.hops.length > 0 || rule.place.path.length !== 1) continue;
    const field = rule.place.path[0];
    const later = out.slice(i + 1).filter((r) => reachesThrough(r, field as string));
    if (later.length === 0) continue;
    const rest = out.slice(i).filter((r) => !later.includes(r));
    out.splice(i, out.length - i, ...later, ...rest);
    i += later.length;
  }
  return out;
}

function reachesThrough(r: Rule, field: string): boolean {
  const rule = r.rule;
  if (!("place" in rule)) return false;
  const place = rule.place as { root?: unknown; hops: readonly { field: string }[] };
  return !place.root && place.hops[0]?.field === field;
}
