// A text field that is two others joined by a space in every record that holds it (`full_name` from
// the first and last names, wherever they are kept: `name.first`, `merge_fields.LNAME`; `card.full`
// from `card.given` and `card.family`): the service keeps it so. No text says so call by call; a
// call that changes either part changes the joined text with it, and one that touches neither
// leaves it.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { leaves } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { here, type RuleContext } from "./context.ts";

/** The parts a joined field is made of, as paths in the record. */
export interface Joined {
  path: string[];
  parts: [string[], string[]];
}

/** Fewer records than this prove nothing: a join by chance. */
const MIN_RECORDS = 2;

/** A text field equal, in every record holding it, to two other text leaves joined by a space (a part left empty leaves the other alone). */
export function joinedFields(table: Table, all: readonly unknown[]): Joined[] {
  const texts = leaves(table.fields).filter((l) => l.field.type === "string" && !l.field.format && !l.field.enum);
  const out: Joined[] = [];
  for (const whole of texts) {
    const rows = all.filter((r) => typeof valueIn(r, whole.path) === "string");
    if (rows.length < MIN_RECORDS) continue;
    for (const first of texts) {
      if (first === whole) continue;
      const second = texts.find(
        (s) =>
          s !== whole &&
          s !== first &&
          rows.every((r) => {
            const parts = [valueIn(r, first.path), valueIn(r, s.path)];
            return (
              parts.every((p) => typeof p === "string") && valueIn(r, whole.path) === (parts as string[]).filter((p) => p !== "").join(" ")
            );
          }) &&
          // Both parts present in some record: a field equal to one part alone is a copy, not a join.
          rows.some((r) => valueIn(r, first.path) !== "" && valueIn(r, s.path) !== ""),
      );
      if (second) {
        out.push({ path: whole.path, parts: [first.path, second.path] });
        break;
      }
    }
  }
  return out;
}

/** A change that writes a part (or the object holding it) writes the joined field as the parts leave it. */
export function keepJoinedFields(c: RuleContext): void {
  if (c.subject.kind !== "change" || !c.target) return;
  const rows = Object.values(c.data[c.target.name] ?? {});
  for (const joined of joinedFields(c.target, rows)) {
    if (c.writes(here(joined.path))) continue;
    const writes = (path: string[]) =>
      c.effects.filter(
        (r) =>
          "place" in r.rule &&
          r.rule.kind === "set" &&
          r.rule.place.hops.length === 0 &&
          !r.rule.place.root &&
          startsWith(path, r.rule.place.path),
      );
    const touching = [...writes(joined.parts[0]), ...writes(joined.parts[1])];
    if (touching.length === 0) continue;
    const after = (path: string[]): { kind: "read"; place: Place; after: true } => ({ kind: "read", place: here(path), after: true });
    const same = touching.every((r) => JSON.stringify(r.when) === JSON.stringify(touching[0]?.when));
    c.effect(
      {
        kind: "set",
        place: here(joined.path),
        value: { kind: "concat", parts: [after(joined.parts[0]), { kind: "constant", value: " " }, after(joined.parts[1])] },
      },
      "data",
      `${joined.path.join(".")} is ${joined.parts[0].join(".")} and ${joined.parts[1].join(".")} joined by a space in every record of the data`,
      same ? touching[0]?.when : undefined,
    );
  }
}

/** Whether a written place covers a path: the path itself or an object above it. */
function startsWith(path: readonly string[], written: readonly string[]): boolean {
  return written.length > 0 && written.length <= path.length && written.every((w, i) => path[i] === w);
}
