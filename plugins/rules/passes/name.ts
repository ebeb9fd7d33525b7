// Rules from a tool's name: the state its words put the record in before (`cancel_pending_order`:
// only pending orders), a flag it turns on or off (`enable_roaming`), and a list of the record it
// adds to or takes from (`add_ticket_tags`, `remove_line`, `add_ticket_comment`).
import type { Table } from "../../../lib/contracts/domain-schema.ts";
import type { Row } from "../../../lib/contracts/domain-state.ts";
import { nameWords } from "../../../lib/data-pack/places.ts";
import { singular } from "../../../lib/domain-model/words.ts";
import { here, type RuleContext } from "../context.ts";
import { toggleOf } from "../flags.ts";
import { statusesIn } from "../statuses.ts";

const ADDS = new Set("add append attach tag insert push include".split(" "));
const REMOVES = new Set("remove delete detach untag drop pull exclude".split(" "));

export function namePass(c: RuleContext, to: string | null): void {
  nameStatus(c, to);
  const toggle = toggleOf(c);
  if (toggle)
    c.effect(
      { kind: "set", place: toggle.place, value: { kind: "constant", value: toggle.value } },
      "name",
      `${c.text.name} turns ${toggle.place.path.join(".")} ${toggle.value ? "on" : "off"} (true/false in the data)`,
    );
  namedList(c);
}

/** `renew_active_loan` acts on active loans: a status word of the name that is not where it leads. */
function nameStatus(c: RuleContext, to: string | null): void {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return;
  const named = statusesIn(c.text.words.slice(1).join(" "), status.values).filter((v) => v !== to);
  if (named.length === 0 || named.length === status.values.length) return;
  const entity = c.target?.entity ?? "";
  c.require(
    { kind: "status-in", place: here([status.field]), values: [...named].sort() },
    "name",
    `the name says ${c.text.name}: only ${/^[aeiou]/i.test(entity) ? "an" : "a"} ${entity} that is ${named.join(" or ")}`,
  );
}

/**
 * A list of the record the name's object names, that the tool adds to or takes from: values of an
 * array parameter of that name (tags), or an entry made from the call (a comment).
 */
function namedList(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const verb = c.text.verb;
  const adds = ADDS.has(verb);
  if (!adds && !REMOVES.has(verb)) return;
  const object = c.text.words.slice(1).map(singular);
  const field = target.fields.find((f) => {
    if (f.type !== "array") return false;
    const words = nameWords(f.name);
    return words.length > 0 && words.every((w) => object.includes(w));
  });
  if (!field) return;
  const place = here([field.name]);
  const param = c.text.parameters.find(
    (p) => p.type === "array" && (p.name === field.name || nameWords(p.name).join() === nameWords(field.name).join()),
  );
  const records = field.items?.type === "object" ? field.items.fields : undefined;
  if (param && !records) {
    c.effect(
      adds
        ? { kind: "add-values", place, value: { kind: "item" }, each: param.name, unique: distinctLists(c, target, field.name) }
        : { kind: "remove-values", place, values: { kind: "parameter", name: param.name } },
      "name",
      `${c.text.name} ${adds ? "adds the given" : "takes the given"} ${param.name} ${adds ? "to" : "from"} the ${target.entity}'s ${field.name}`,
    );
    return;
  }
  if (records && adds) {
    const element = c.entryFromCall(records, [], { name: field.name, entries: c.entriesAt(target, [field.name]) });
    if (element)
      c.effect(
        { kind: "append", place, element },
        "name",
        `${c.text.name} appends an entry made from the call to the ${target.entity}'s ${field.name}`,
      );
    return;
  }
  if (records && !adds) {
    // remove_line(line_id): the entry whose key is given leaves the list.
    const key = records.find((f) => c.text.parameters.some((p) => p.name === f.name && !c.identifying.has(p.name)));
    if (key)
      c.effect(
        { kind: "remove-values", place, values: { kind: "parameter", name: key.name }, field: key.name },
        "name",
        `${c.text.name} takes the entry with the given ${key.name} from the ${target.entity}'s ${field.name}`,
      );
  }
}

/** Whether the data's lists of this field never repeat a value (tags): adding one already there adds nothing. */
function distinctLists(c: RuleContext, table: Table, field: string): boolean {
  return c.records(table).every((r: Row) => {
    const list = r[field];
    return !Array.isArray(list) || new Set(list.map((v) => JSON.stringify(v))).size === list.length;
  });
}
