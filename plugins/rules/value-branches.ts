// What each value of a parameter's fixed list does, as API references write a choice of actions:
// "approve (pending requests only): refunds …; the request becomes completed. deny: the request
// becomes denied with your message." The record's new state is the one the value's own part says,
// and a state the record must be in, said in one value's part, binds that value only (a request
// that is not pending can still be denied).
import type { Condition, Rule } from "../../lib/contracts/tool-rules.ts";
import { participle } from "../../lib/domain-model/lexicon.ts";
import type { RuleContext } from "./context.ts";
import { spelt, statusesIn } from "./statuses.ts";

/** The parts of the description that open on a value of `values` ("deny: …", "approve (…): …"), by value. */
function partsByValue(text: string, values: readonly string[]): Map<string, string> {
  const heads = values
    .map((v) => ({ v, at: text.search(new RegExp(`(?:^|[.;]\\s+)${v}\\s*(?:\\([^)]*\\)\\s*)?:`, "i")) }))
    .filter((h) => h.at >= 0)
    .sort((a, b) => a.at - b.at);
  const parts = new Map<string, string>();
  heads.forEach((h, i) => {
    parts.set(h.v, text.slice(h.at, heads[i + 1]?.at ?? text.length).replace(/^[.;]\s*/, ""));
  });
  return parts;
}

/** Status effects and requirements split by the value of the one parameter whose values head parts of the description. */
export function valueBranches(c: RuleContext): void {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return;
  const text = c
    .sentences("description")
    .map((s) => s.sentence)
    .join(" ");
  for (const p of c.text.parameters) {
    const values = (p.enum ?? []).filter((v): v is string => typeof v === "string");
    const parts = partsByValue(text, values);
    if (values.length < 2 || parts.size < 2) continue;
    const on = (v: string): Condition[] => [{ left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "constant", value: v } }];
    // The state each value's part leads to: "becomes X" with X a state of the record (or one it may not show yet).
    const reached = new Map<string, string>();
    for (const [v, part] of parts) {
      const m = /\bbecomes?\s+["'`]?([a-z][a-z_ -]*?)["'`]?(?:[.,;)]|\s+(?:with|and|when|if)\b|$)/.exec(part);
      const word = m?.[1]?.trim();
      if (word)
        reached.set(
          v,
          status.values.find((s) => s.toLowerCase() === word) ?? statusesIn(word, status.values)[0] ?? spelt(word, status.values),
        );
    }
    if (reached.size < 2) continue;
    const at = (r: Rule) => r.rule.kind === "set" && r.rule.place.hops.length === 0 && r.rule.place.path.join(".") === status.field;
    const kept = c.effects.filter((r) => !at(r));
    c.effects.length = 0;
    c.effects.push(...kept);
    for (const [v, state] of reached)
      c.effect(
        { kind: "set", place: { hops: [], path: [status.field] }, value: { kind: "constant", value: state } },
        "description",
        `with ${p.name} ${v}, the ${c.target?.entity} becomes ${state} (${(parts.get(v) ?? "").trim()})`,
        on(v),
      );
    // A state requirement whose words speak of one value only ("approve (pending requests only)").
    for (const r of c.requires) {
      if (r.rule.kind !== "status-in" || r.source === "name" || r.when) continue;
      // The record's states are left out: "dismissed" is a state, not the value dismiss said.
      const plain = status.values.reduce((t, s) => t.replace(new RegExp(`\\b${s}\\b`, "gi"), " "), r.text);
      const said = values.filter((v) => new RegExp(`\\b(?:${v}|${participle(v)})\\b`, "i").test(plain));
      if (said.length === 1) r.when = on(said[0] as string);
    }
  }
}

/**
 * A yes/no parameter that picks between two acts ("check in (checked_in true) or undo a check-in
 * (checked_in false) … sets the status to Checked In / Attending"): the two states written with a
 * slash go to true and false in the order the text gives them; true needs a record not yet in its
 * state, false one in it (an undo of what was done), in place of the verb's guess.
 */
export function flagBranches(c: RuleContext): void {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return;
  const written = c
    .sentences("description")
    .map((s) => s.written)
    .join(" ");
  for (const p of c.text.parameters) {
    if (p.type !== "boolean") continue;
    const yes = written.search(new RegExp(`\\(\\s*${p.name}\\s*(?:=|:)?\\s*true\\s*\\)`, "i"));
    const no = written.search(new RegExp(`\\(\\s*${p.name}\\s*(?:=|:)?\\s*false\\s*\\)`, "i"));
    const pair = /\bstatus\s+to\s+([A-Za-z][A-Za-z _]*?)\s*\/\s*([A-Za-z][A-Za-z _]*?)(?=\s+and\b|\s*[.,;]|$)/i.exec(written);
    if (yes < 0 || no < 0 || !pair) continue;
    const state = (word: string) => status.values.find((v) => v.toLowerCase() === word.trim().toLowerCase());
    const [first, second] = [state(pair[1] as string), state(pair[2] as string)];
    if (!first || !second) continue;
    const [onTrue, onFalse] = yes < no ? [first, second] : [second, first];
    const on = (value: boolean): Condition[] => [
      { left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "constant", value } },
    ];
    const at = (r: Rule) => r.rule.kind === "set" && r.rule.place.hops.length === 0 && r.rule.place.path.join(".") === status.field;
    const kept = c.effects.filter((r) => !at(r));
    c.effects.length = 0;
    c.effects.push(...kept);
    for (const [value, to] of [
      [true, onTrue],
      [false, onFalse],
    ] as const)
      c.effect(
        { kind: "set", place: { hops: [], path: [status.field] }, value: { kind: "constant", value: to } },
        "description",
        `with ${p.name} ${value}, the ${c.target?.entity} becomes ${to} (${pair[0]})`,
        on(value),
      );
    // The verb's own guess ("a record already Checked In is refused") gives way to the pair: true
    // needs a record not yet in its state, false one in it (an undo of what was done).
    const guessed = c.requires.filter((r) => r.source === "name" && r.rule.kind === "status-in" && r.rule.place.hops.length === 0);
    for (const r of guessed) c.requires.splice(c.requires.indexOf(r), 1);
    const place = { hops: [], path: [status.field] };
    c.requireWhen(
      { kind: "status-in", place, values: status.values.filter((v) => v !== onTrue) },
      on(true),
      "description",
      `with ${p.name} true, a ${c.target?.entity} already ${onTrue} is refused (${pair[0]})`,
    );
    c.requireWhen(
      { kind: "status-in", place, values: [onTrue] },
      on(false),
      "description",
      `with ${p.name} false, the ${c.target?.entity} must be ${onTrue} (${pair[0]})`,
    );
  }
}
