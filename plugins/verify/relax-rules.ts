// Offline repair of a service tool whose code, written from its rules, fails its own cases: the
// rules derived for it are what the data contradicts (a valid call refused by a requirement, an
// effect not seen as promised, a crash in an effect). The tool is never dropped for that, nor
// swapped for another write: the rules the failures name are taken out, then, if it still fails,
// every requirement but the records' existence and every effect, so that the service's calls to it
// are still answered. What was taken out is reported with the tool. A person's rules (source
// `user`, from a rules file) are never taken out: they say what the service does, and a tool that
// breaks one fails.
import type { ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { Requirement, Rule, ServiceModel } from "../../lib/contracts/tool-rules.ts";

export interface Relaxed {
  model: ToolModel;
  /** The rules taken out, in words. */
  removed: string[];
}

/** The text a requirement's refusal carries (see lib/tool-code/service-bodies.ts), to find it in a failure. */
function refusalMark(rule: Requirement, entity: string): string | null {
  switch (rule.kind) {
    case "status-in":
      return `needs a ${entity} that is ${rule.values.join(" or ")}`;
    case "parameter-in":
      return `${rule.parameter} must be`;
    case "positive":
      return `${rule.parameter} must be positive`;
    case "at-most":
      return "is more than";
    case "below":
      return "has reached its limit of";
    case "entry-of":
      return `is not one of the ${rule.place.path.at(-1)?.replaceAll("_", " ")}`;
    case "elements-of":
      return `is not one of the ${rule.place.path.at(-1)?.replaceAll("_", " ")} of this`;
    case "slot-open":
      return "is not open";
    case "covers":
      return `insufficient ${rule.field}`;
    case "record-exists":
      return null;
    case "compare":
      return "must ";
  }
}

const label = (r: Rule) => `${r.source}: ${r.text}`.slice(0, 160);

/** The tool with the rules its failures name taken out (round 1), or with only existence checks left (later rounds). */
export function relaxService(model: ToolModel, failures: readonly string[], round: number, entity: string): Relaxed | null {
  const s = model.service as ServiceModel;
  const text = failures.join("\n");
  let requires: Rule[];
  let effects: Rule[];
  if (round <= 1) {
    // A call that must be refused and was not names its rule by number (`rule-3:compare: accepted …`);
    // the marks are read in the other failures, whose texts are the refusals' own.
    const unkept = new Set(failures.flatMap((f) => /^rule-(\d+):/.exec(f)?.[1] ?? []).map((n) => Number(n) - 1));
    const refusals = failures.filter((f) => !/^rule-\d+:/.test(f)).join("\n");
    requires = s.requires.filter((r, i) => {
      if (r.source === "user") return true;
      if (unkept.has(i)) return false;
      const mark = refusalMark(r.rule as Requirement, entity);
      return !(mark && refusals.includes(mark));
    });
    effects = s.effects.filter((r) => r.source === "user" || !text.includes(label(r)));
    // A crash names no rule: the effects are what runs after the checks. Effects that changed
    // nothing on any valid call say nothing true either.
    if (
      requires.length === s.requires.length &&
      effects.length === s.effects.length &&
      /TOOL_ERROR|INVALID_STATE|INVALID_RESULT|changed nothing/.test(text)
    )
      effects = s.effects.filter((r) => r.source === "user");
  } else {
    requires = s.requires.filter((r) => r.rule.kind === "record-exists" || r.source === "user");
    effects = s.effects.filter((r) => r.source === "user");
  }
  if (requires.length === s.requires.length && effects.length === s.effects.length) return null;
  const removed = [...s.requires, ...s.effects].filter((r) => !requires.includes(r) && !effects.includes(r)).map(label);
  return { model: { ...model, service: { ...s, requires, effects } }, removed };
}
