// Records that refer to the tool's record and keep a call from going through, as API references
// list them: "refused if any inventory level at the location has a non-zero available, committed
// or incoming quantity", "or if the location is the origin or destination of a transfer that is
// draft, ready_to_ship or in_transit". Each is a count or a sum over the referring records that
// must be 0 (a closed account with money left on it, a deleted customer with open orders).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Requirement, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";

const LIST = "[a-z_]+(?:(?:,\\s*|,?\\s+or\\s+)[a-z_]+)*";
/** "any inventory level at the location has a non-zero available, committed or incoming quantity". */
const ANY_NONZERO = new RegExp(
  `\\b(?:any|an?)\\s+([a-z][a-z_ ]*?)\\s+(?:at|of|for|on|in|under)\\s+the\\s+([a-z_]+)\\s+(?:has|holds|shows)\\s+an?\\s+non[- ]?zero\\s+(${LIST})`,
  "g",
);
/** "the location is the origin or destination of a transfer that is draft, ready_to_ship or in_transit". */
const ROLE_OF = new RegExp(
  `\\bthe\\s+([a-z_]+)\\s+is\\s+the\\s+(${LIST})\\s+of\\s+an?\\s+([a-z][a-z_ ]*?)\\s+that\\s+is\\s+(${LIST})`,
  "g",
);

const words = (text: string) => nameWords(text).map(singular);
const list = (text: string) => text.split(/,\s*(?:or\s+)?|\s+or\s+/).map((w) => w.trim());
const numeric = (f: Field) => f.type === "number" || f.type === "integer";

/** Both readings, on a change tool's description. */
export function blockingRecords(c: RuleContext): void {
  const target = c.target;
  if (!target?.key || c.subject.kind !== "change") return;
  const key: ValueExpr = { kind: "read", place: here([target.key]) };
  const names = (said: string) => words(said).at(-1) === words(target.entity).at(-1);
  const tableOf = (noun: string) => {
    const said = words(noun);
    // "a transfer" for the table of inventory transfers: the entity's last words.
    const found = [...c.tables.values()].filter(
      (t) => t !== target && t.storage !== "single" && words(t.entity).slice(-said.length).join(" ") === said.join(" "),
    );
    return found.length === 1 ? found[0] : undefined;
  };
  for (const { written, source } of c.sentences("description")) {
    const text = written.replace(/`/g, "").toLowerCase();
    for (const m of text.matchAll(ANY_NONZERO)) {
      const table = tableOf(m[1] as string);
      if (!table || !names(m[2] as string)) continue;
      const links = table.fields.filter((f) => f.references === target.name);
      if (links.length !== 1) continue;
      const link = links[0] as Field;
      for (const name of list(m[3] as string)) {
        const field = table.fields.find((f) => f.name === name && numeric(f));
        if (!field) continue;
        const rule: Requirement = {
          kind: "compare",
          condition: {
            left: { kind: "aggregate", op: "sum", table: table.name, field: field.name, where: [{ field: link.name, value: key }] },
            op: "==",
            right: { kind: "constant", value: 0 },
          },
        };
        c.require(rule, source, `no ${table.entity} of the ${target.entity} holds any ${field.name} (${m[0]})`);
      }
    }
    for (const m of text.matchAll(ROLE_OF)) {
      const table = tableOf(m[3] as string);
      if (!table?.status || !names(m[1] as string)) continue;
      const roles = list(m[2] as string)
        .map((role) => table.fields.find((f) => f.references === target.name && words(f.name).includes(singular(role))))
        .filter((f): f is Field => Boolean(f));
      const values = list(m[4] as string).map((v) =>
        (table.status as NonNullable<Table["status"]>).values.find((s) => s.toLowerCase() === v),
      );
      if (roles.length === 0 || values.some((v) => v === undefined)) continue;
      for (const role of roles)
        for (const value of values as string[]) {
          const rule: Requirement = {
            kind: "compare",
            condition: {
              left: {
                kind: "aggregate",
                op: "count",
                table: table.name,
                where: [
                  { field: role.name, value: key },
                  { field: table.status.field, value: { kind: "constant", value } },
                ],
              },
              op: "==",
              right: { kind: "constant", value: 0 },
            },
          };
          c.require(rule, source, `the ${target.entity} is the ${role.name} of no ${table.entity} that is ${value} (${m[0]})`);
        }
    }
  }
}

/** "a loan can have (only) one return request", "… only one active hold": the record, and its state when said. */
const ONLY_ONE = /\ban?\s+([a-z_]+)\s+(?:can|may)\s+(?:only\s+)?have\s+(?:only\s+|at\s+most\s+)?one\s+([a-z][a-z_ ]*?)(?:[.,;]|$)/g;

/**
 * One record of a kind per record it refers to: a call that would make (or ask for) a second is
 * refused. On a change tool the record referred to is the tool's own (a return of this loan);
 * on a create tool, the one a parameter names (a hold for the member given). A state written
 * before the noun ("one active hold") counts only the records in it.
 */
export function singleRecords(c: RuleContext): void {
  const target = c.target;
  if (!target?.key || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  for (const { sentence, source } of c.sentences("description")) {
    for (const m of sentence.matchAll(ONLY_ONE)) {
      const owner = [...c.tables.values()].find((t) => words(t.entity).at(-1) === singular(m[1] as string));
      if (!owner) continue;
      const said = words(m[2] as string);
      const state = (t: Table) => t.status?.values.find((v) => v.toLowerCase() === said[0]);
      // "return request": the record is the longest start of the phrase that names a table.
      let table: Table | undefined;
      let status: string | undefined;
      for (let n = said.length; n > 0 && !table; n--) {
        for (const skip of [0, 1]) {
          const noun = said.slice(skip, n).join(" ");
          const found = [...c.tables.values()].find((t) => t.storage !== "single" && words(t.entity).join(" ") === noun && t !== owner);
          if (!found || (skip === 1 && !state(found))) continue;
          table = found;
          status = skip === 1 ? state(found) : undefined;
          break;
        }
      }
      if (!table) continue;
      const link = table.fields.find((f) => f.references === owner.name);
      if (!link) continue;
      // The owner's key: the tool's own record, or the parameter of the made record's link.
      const key: ValueExpr | null =
        c.subject.kind === "change" && owner === target
          ? { kind: "read", place: here([target.key]) }
          : c.subject.kind === "create" && table === target && c.parameter(link.name)
            ? { kind: "parameter", name: link.name }
            : null;
      if (!key) continue;
      const where = [
        { field: link.name, value: key },
        ...(status && table.status ? [{ field: table.status.field, value: { kind: "constant", value: status } as ValueExpr }] : []),
      ];
      c.require(
        {
          kind: "compare",
          condition: {
            left: { kind: "aggregate", op: "count", table: table.name, where },
            op: "==",
            right: { kind: "constant", value: 0 },
          },
        },
        source,
        sentence,
      );
    }
  }
}
