// A field the data always holds as two sibling fields joined by a space (`name` = `first_name` and
// `last_name`): a service keeps it so, and a call that changes either part writes it again. Without
// it a profile renamed by its parts keeps the old full name.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";

/** A joined field: at `path`, the values at `parts` (siblings of it), joined by a space. */
interface Joined {
  path: string[];
  parts: [string[], string[]];
}

/** Each joined field of the tool's record whose parts the call writes is written again from them. */
export function joinedFields(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const joined of joinedIn(target, c.records(target))) {
    const writes = (path: string[]) => c.writes(here(path));
    if (writes(joined.path) || !joined.parts.some(writes)) continue;
    const part = (path: string[]) => ({ kind: "read" as const, place: here(path) as Place, after: true });
    c.effect(
      {
        kind: "set",
        place: here(joined.path),
        value: { kind: "concat", parts: [part(joined.parts[0]), { kind: "constant", value: " " }, part(joined.parts[1])] },
      },
      "data",
      `${joined.path.join(".")} is ${joined.parts.map((p) => p.join(".")).join(" and ")} joined by a space in every record of the data: changing a part writes it again`,
    );
  }
}

/** The joined fields of a table, at its top level and one struct down, as every record with them shows. */
function joinedIn(table: Table, rows: readonly Row[]): Joined[] {
  const found: Joined[] = [];
  const look = (fields: readonly Field[], prefix: string[], at: (r: Row) => Row | undefined) => {
    const texts = fields.filter((f) => f.type === "string");
    for (const whole of texts)
      for (const a of texts)
        for (const b of texts) {
          if (a === b || whole === a || whole === b) continue;
          const held = rows.map(at).filter((r): r is Row => !!r && typeof r[whole.name] === "string");
          if (held.length < 2) continue;
          const joins = held.every(
            (r) => typeof r[a.name] === "string" && typeof r[b.name] === "string" && r[whole.name] === `${r[a.name]} ${r[b.name]}`,
          );
          if (joins)
            found.push({
              path: [...prefix, whole.name],
              parts: [
                [...prefix, a.name],
                [...prefix, b.name],
              ],
            });
        }
    for (const f of fields)
      if (prefix.length === 0 && f.type === "object" && f.fields)
        look(f.fields, [f.name], (r) => {
          const v = r[f.name];
          return v && typeof v === "object" && !Array.isArray(v) ? (v as Row) : undefined;
        });
  };
  look(table.fields, [], (r) => r);
  return found;
}
