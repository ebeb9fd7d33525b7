// An optional amount whose description says what a call without it means: "default is everything
// not yet released", "defaults to the full remaining amount". The call then moves the field by what
// is left of the total it counts toward: a ticket's `seats_released` moved by `count` (or, left
// out, by `seats` less `seats_released`). Read only where the tool moves a field by that parameter
// and the record holds the total the field counts toward (`seats_released` → `seats`).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Place, Rule, ServiceModel, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import type { RuleContext } from "./context.ts";

const REMAINDER =
  /\bdefaults?\b(?:\s+(?:is|to|:))?\s+(?:to\s+)?(?:everything|all|the\s+(?:whole|full|entire|remaining|rest)|whatever|what)\b([^.;]*)/i;

/** The table a place's last hop reaches, else the subject's. */
function tableAt(c: RuleContext, place: Place): Table | null {
  const name = place.hops.at(-1)?.table ?? place.root?.table;
  return name ? (c.tables.get(name) ?? null) : c.target;
}

/** The number field `moved` counts toward: its name less a word before or after (`seats_released`, `released_seats` → `seats`). */
function totalOf(fields: readonly Field[], moved: string): Field | undefined {
  const parts = moved.split("_");
  if (parts.length < 2) return undefined;
  const candidates = [parts.slice(0, -1).join("_"), parts.slice(1).join("_")];
  return fields.find((f) => candidates.includes(f.name) && (f.type === "number" || f.type === "integer"));
}

/** A place reached from the new record of a create, reached instead from the record a parameter names (the new record is not there yet). */
function fromCall(place: Place, service: ServiceModel): Place | null {
  if (service.kind !== "create") return place;
  const [first, ...rest] = place.hops;
  const given = first ? service.fields?.[first.field] : undefined;
  if (!first || given?.kind !== "parameter" || given.path) return null;
  return { root: { table: first.table, key: { kind: "parameter", name: given.name } }, hops: rest, path: place.path };
}

export function remainderDefaults(c: RuleContext, service: ServiceModel): void {
  for (const p of c.text.parameters) {
    if (p.required || (p.type !== "integer" && p.type !== "number")) continue;
    const said = REMAINDER.exec(p.description);
    if (!said) continue;
    // "not yet released": the field moved must be the one the words name.
    const notYet = /\bnot\s+yet\s+([a-z]+)/i.exec(said[1] ?? "")?.[1]?.toLowerCase();
    const moves = service.effects.filter(
      (r): r is Rule & { rule: Extract<Rule["rule"], { kind: "add" }> } =>
        r.rule.kind === "add" && r.rule.amount.kind === "parameter" && r.rule.amount.name === p.name && !r.rule.amount.path,
    );
    const move = moves.length === 1 ? moves[0] : undefined;
    if (!move) continue;
    const field = move.rule.place.path.at(-1);
    const table = tableAt(c, move.rule.place);
    if (!field || !table || move.rule.place.path.length !== 1) continue;
    if (notYet && !nameWords(field).some((w) => notYet.startsWith(w) || w.startsWith(notYet))) continue;
    const total = totalOf(table.fields, field);
    const at = fromCall(move.rule.place, service);
    if (!total || !at) continue;
    const fallback: ValueExpr = {
      kind: "arith",
      op: "-",
      left: { kind: "read", place: { ...at, path: [total.name] } },
      right: { kind: "read", place: at },
    };
    const withFallback = (v: ValueExpr): ValueExpr =>
      v.kind === "parameter" && v.name === p.name && !v.path && v.otherwise === undefined ? { ...v, fallback } : v;
    // Every use of the parameter takes the remainder when it is left out, and happens then too.
    for (const r of service.effects) {
      const before = JSON.stringify(r.rule);
      if (r.rule.kind === "add") r.rule.amount = withFallback(r.rule.amount);
      if (r.rule.kind === "set") r.rule.value = withFallback(r.rule.value);
      if (r.rule.kind === "insert") for (const [k, v] of Object.entries(r.rule.fields)) r.rule.fields[k] = withFallback(v);
      if (!r.when || JSON.stringify(r.rule) === before) continue;
      const kept = r.when.filter((w) => !(w.op === "given" && w.left.kind === "parameter" && w.left.name === p.name));
      if (kept.length > 0) r.when = kept;
      else delete r.when;
    }
    if (service.fields) for (const [k, v] of Object.entries(service.fields)) service.fields[k] = withFallback(v);
  }
}
