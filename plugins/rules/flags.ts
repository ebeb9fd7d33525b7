// Flags a tool turns on or off, by its name: `enable_roaming` sets `roaming_enabled`,
// `turn_off_autopay` clears `autopay`, `disable_data` sets `data_disabled`.
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { here, type RuleContext } from "./context.ts";

const ON = new Set(["enable", "activate", "allow", "unmute", "unblock"]);
const OFF = new Set(["disable", "deactivate", "disallow", "mute", "block"]);

/**
 * A flag the tool turns on or off: `enable_roaming`, `turn_off_autopay`, `disable_data` — the
 * verb (or `turn`/`switch` with `on`/`off`) and a boolean field of the record named by the rest of
 * the name (`roaming_enabled`, `autopay`). Null when the name speaks of no such field.
 */
export function toggleOf(c: RuleContext): { place: Place; value: boolean } | null {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return null;
  const words = c.text.words;
  let on: boolean | null = ON.has(c.text.verb) ? true : OFF.has(c.text.verb) ? false : null;
  let rest = words.slice(1);
  if (on === null && ["turn", "switch", "toggle", "opt"].includes(c.text.verb) && ["on", "off", "in", "out"].includes(words[1] ?? "")) {
    on = words[1] === "on" || words[1] === "in";
    rest = words.slice(2);
  }
  if (on === null) return null;
  const entity = new Set(nameWords(target.entity.replaceAll(" ", "_")));
  const object = rest.filter((w) => !entity.has(w) && !["for", "the", "a", "of"].includes(w));
  if (object.length === 0) return null;
  const flags = leaves(target.fields).filter((l) => l.field.type === "boolean");
  const hit = flags.find((l) => object.every((w) => nameWords(l.path.at(-1) as string).includes(w)));
  if (!hit) return null;
  const negative = /(disabled|off|blocked|muted|paused)$/.test(hit.path.at(-1) as string);
  return { place: here(hit.path), value: negative ? !on : on };
}

/**
 * "Refused if the location is already inactive": a flag the call sets (`active` to false) that the
 * texts say it may not find already so ("inactive", "unlocked", "not verified" are the flag false;
 * "active", "locked" true). The record must hold the other value.
 */
export function flagAlreadySet(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { rule } of c.effects) {
    if (rule.kind !== "set" || rule.value.kind !== "constant" || typeof rule.value.value !== "boolean") continue;
    if (rule.place.hops.length > 0 || rule.place.root || rule.place.path.length !== 1) continue;
    const field = target.fields.find((f) => f.name === rule.place.path[0] && f.type === "boolean");
    if (!field) continue;
    const name = nameWords(field.name).join("[ _]");
    const already = new RegExp(`\\balready\\s+(not\\s+|in|un|non-?)?${name}\\b`);
    for (const { sentence, source } of c.sentences()) {
      const m = already.exec(sentence);
      if (!m || /\b(?:unless|only if|only when|must be)\b[^,;]*$/.test(sentence.slice(0, m.index))) continue;
      const state = !m[1];
      if (state !== rule.value.value) continue;
      c.require(
        {
          kind: "compare",
          condition: { left: { kind: "read", place: here([field.name]) }, op: "!=", right: { kind: "constant", value: state } },
        },
        source,
        `a ${target.entity} already ${m[0].replace(/^already\s+/, "")} is refused (${sentence})`,
      );
      break;
    }
  }
}
