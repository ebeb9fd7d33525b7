// Pools of slots: a record that holds one of a resource's open values (an appointment at a time on
// a date, in its doctor's open slots by date). The data shows the pool: records in some states
// never sit among their resource's open values (those states hold their slot), while the values
// exist there for others. Booking takes the slot, cancelling gives it back, moving a record takes
// the new slot and gives the old one back; each only when the slot is open.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Hop, Place } from "../../lib/contracts/tool-rules.ts";
import { leaves } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { here, type RuleContext } from "./context.ts";

export interface SlotPool {
  /** The map of open values by key, on the resource the record names. */
  place: Place;
  /** The record's field that is a key of the map (`date`), and the one whose value is in its list (`time`). */
  keyField: string;
  valueField: string;
  /** States whose records hold their slot (it is not open). */
  holding: string[];
  /** States whose records are seen with their slot open again (they gave it back). */
  released: string[];
}

/** States that undo a booking, by their name, when the data holds no record in them that shows it. */
const RELEASING = /^(cancel+ed|rejected|declined|released|withdrawn|voided|expired|revoked)$/;

export function slotPool(c: RuleContext, table: Table): SlotPool | null {
  const records = c.records(table);
  for (const leaf of leaves(table.fields)) {
    const resource = leaf.field.references ? c.tables.get(leaf.field.references) : undefined;
    if (!resource) continue;
    const hop: Hop = { field: leaf.path.join("."), table: resource.name };
    for (const map of resource.fields.filter((f) => f.mapOf?.type === "array")) {
      const open = (r: Row) =>
        valueIn(c.data[resource.name]?.[String(valueIn(r, leaf.path))], [map.name]) as Record<string, unknown[]> | undefined;
      const strings = table.fields.filter((f) => f.type === "string" && f.name !== table.key && !f.references);
      const keyField = strings.find(
        (f) => records.filter((r) => open(r)?.[String(r[f.name])] !== undefined).length >= Math.max(1, records.length * 0.2),
      );
      if (!keyField) continue;
      const everyValue = new Set(
        Object.values(c.data[resource.name] ?? {}).flatMap((u) =>
          Object.values((u[map.name] as Record<string, unknown[]>) ?? {})
            .flat()
            .map(String),
        ),
      );
      const valueField = strings.find(
        (f) => f !== keyField && records.filter((r) => everyValue.has(String(r[f.name]))).length >= records.length * 0.5,
      );
      if (!valueField) continue;
      const status = table.status?.field;
      if (!status) continue;
      const holding = (table.status?.values ?? []).filter((s) => {
        const inState = records.filter((r) => r[status] === s && open(r)?.[String(r[keyField.name])] !== undefined);
        return inState.length > 0 && inState.every((r) => !(open(r)?.[String(r[keyField.name])] ?? []).includes(r[valueField.name]));
      });
      if (holding.length === 0) continue;
      const released = (table.status?.values ?? []).filter((s) =>
        records.some((r) => r[status] === s && (open(r)?.[String(r[keyField.name])] ?? []).includes(r[valueField.name])),
      );
      return { place: { hops: [hop], path: [map.name] }, keyField: keyField.name, valueField: valueField.name, holding, released };
    }
  }
  return null;
}

/** Slot rules of a create tool: the slot asked for must be open, and is taken. */
export function bookingSlots(c: RuleContext, pool: SlotPool): void {
  const key = c.text.parameters.find((p) => p.name === pool.keyField);
  const value = c.text.parameters.find((p) => p.name === pool.valueField);
  if (!key || !value) return;
  const k = { kind: "parameter" as const, name: key.name };
  const v = { kind: "parameter" as const, name: value.name };
  const why = `records that hold ${pool.keyField} and ${pool.valueField} are never among the ${pool.place.path[0]?.replaceAll("_", " ")} of their ${pool.place.hops[0]?.table} in the data`;
  c.require({ kind: "slot-open", place: pool.place, key: k, value: v }, "data", why);
  c.effect({ kind: "slot-take", place: pool.place, key: k, value: v }, "data", why);
}

/**
 * Slot rules of a change tool: moving to a state that holds no slot gives it back; changing the
 * key or value fields (a new date and time) takes the new slot and gives the old one back.
 */
export function changeSlots(
  c: RuleContext,
  pool: SlotPool,
  to: string | null,
  allowed: readonly string[] | null,
): { before: () => void; after: () => void } {
  const old = {
    key: { kind: "read" as const, place: here([pool.keyField]) },
    value: { kind: "read" as const, place: here([pool.valueField]) },
  };
  const why = `records in ${pool.holding.join(", ")} hold their slot in the data`;
  const key = c.text.parameters.find((p) => p.name === pool.keyField);
  const value = c.text.parameters.find((p) => p.name === pool.valueField);
  const moves = Boolean(key || value);
  const leavesPool =
    to !== null &&
    !pool.holding.includes(to) &&
    (pool.released.includes(to) || RELEASING.test(to)) &&
    (allowed ?? pool.holding).every((s) => pool.holding.includes(s));
  return {
    before: () => {
      if (moves) {
        const k = key ? { kind: "parameter" as const, name: key.name } : old.key;
        const v = value ? { kind: "parameter" as const, name: value.name } : old.value;
        c.require({ kind: "slot-open", place: pool.place, key: k, value: v }, "data", why);
      }
      if (moves || leavesPool) c.effect({ kind: "slot-release", place: pool.place, ...old }, "data", why);
    },
    after: () => {
      if (!moves) return;
      const k = key ? { kind: "parameter" as const, name: key.name } : old.key;
      const v = value ? { kind: "parameter" as const, name: value.name } : old.value;
      c.effect({ kind: "slot-take", place: pool.place, key: k, value: v }, "data", why);
    },
  };
}
