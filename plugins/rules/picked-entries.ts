// An entry of the record's list the call picks by its values rather than its key: "takes one of its
// slot_offers, chosen by room and sitting". When the entry is there, the record's struct named after the entry's kind (`chosen_offer`), when the description names it,
// becomes a copy of it; and "the price is charged to the guest's balance (refused when it does not
// cover it)" takes the entry's own `price` off that balance.
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const PICKED = /\bone\s+of\s+its\s+([a-z_]+)\b[^.;]*?\bchosen\s+by\s+([a-z_]+)(?:,\s*|\s+and\s+)([a-z_]+)?/;
const CHARGED =
  /\bthe\s+([a-z_]+)\s+is\s+charged\s+to\s+((?:the\s+)?[a-z_]+(?:'s)?(?:\s+[a-z_]+){0,2}?\s*balance)\b(\s*\(refused when it does not cover it\))?/;

export function pickedEntries(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const said = c.text.sentences.map((s) => PICKED.exec(s)).find((m) => m);
  if (!said) return;
  const list = target.fields.find((f) => f.name === said[1] && f.type === "array");
  const parts = list?.items?.fields ?? [];
  const by = [said[2], said[3]].filter((p): p is string => Boolean(p));
  if (!list || by.some((p) => !c.parameter(p) || !parts.some((f) => f.name === p))) return;
  const [first, ...rest] = by as [string, ...string[]];
  const entry = (path: string[]): ValueExpr => ({
    kind: "element",
    of: { kind: "read", place: here([list.name]) },
    field: first,
    equals: { kind: "parameter", name: first },
    path,
    ...(rest.length > 0 ? { and: rest.map((p) => ({ field: p, equals: { kind: "parameter", name: p } as ValueExpr })) } : {}),
  });
  const text = said[0];
  // Not required: a list the environment cannot fill (offers a third party quotes) leaves nothing to pick,
  // and the call then goes through without the entry's changes.
  const found = [{ left: entry([]), op: "given" as const }];
  // `chosen_offer` for `slot_offers`: a struct the description names, after the entries' kind.
  const kind = nameWords(singular(list.name)).at(-1);
  const words = c.text.sentences.join(" ");
  const struct = target.fields.find(
    (f) => f.type === "object" && f.name !== list.name && nameWords(f.name).at(-1) === kind && words.includes(f.name),
  );
  if (struct && !c.writes(here([struct.name])))
    c.effect({ kind: "set", place: here([struct.name]), value: entry([]) }, "description", text, found);
  for (const { sentence, source } of c.sentences("description")) {
    const m = CHARGED.exec(sentence);
    if (!m || !parts.some((f) => f.name === m[1])) continue;
    const holder = resolvePlace(c, m[2] as string, (k) => k === "number");
    if (!holder) continue;
    const amount = entry([m[1] as string]);
    c.effect({ kind: "add", place: holder.place, amount, sign: -1 }, source, sentence, found);
    if (m[3])
      c.requireWhen(
        { kind: "compare", condition: { left: { kind: "read", place: holder.place }, op: ">=", right: amount } },
        found,
        source,
        sentence,
      );
  }
}
