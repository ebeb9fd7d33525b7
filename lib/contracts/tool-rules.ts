// What a tool of a service does to its data, as rules (schema.json, `tools[].service`): the record
// it acts on, what it requires, what it changes, what it answers; each rule with where it came
// from. The tool's code is written from these rules, and its verification cases are made from them,
// so a rule the code does not keep fails verification.
//
// Places are reached from the tool's subject (the record it acts on, or the record it creates):
// `hops` follow keys to other records (`item_id` → items, then `book_id` → books), then `path`
// walks into the record reached (`["address", "zip"]`; empty: the record itself).
import { z } from "zod";

/**
 * Where a rule came from: the tool's name, its description, the policy document, the data's own
 * examples, its JSON Schema, a model, or a person's rules file (`user`: never relaxed offline).
 */
export const ruleSources = ["name", "description", "policy", "data", "schema", "model", "user"] as const;
export type RuleSource = (typeof ruleSources)[number];

export const hopSchema = z.object({
  /** A field of the current record (dotted for nested: `owner.member_id`) holding the key of… */
  field: z.string(),
  /** …a record of this table. */
  table: z.string(),
  /**
   * Backwards: the (first) record of `table` whose `field` holds the current record's key (a
   * reservation's folio, whose `reservationId` names it).
   */
  back: z.boolean().optional(),
});
export type Hop = z.infer<typeof hopSchema>;

/**
 * Where a place starts, when not at the subject record: a record of `table` by `key` (a record a
 * parameter names, the acting employee), the first record of `table` whose fields equal `where`'s
 * values (the stock level of the item the call names at the location it moves stock to), or the
 * one record of a single-record table (neither).
 */
export type Root = { table: string; key?: ValueExpr; where?: { field: string; value: ValueExpr }[] };

/** With `key`, the place is the entry of the map at `path` under that value (a balance under the request's type). */
export type Place = { hops: Hop[]; path: string[]; root?: Root; key?: ValueExpr };
export const placeSchema: z.ZodType<Place> = z.lazy(() =>
  z.object({
    hops: z.array(hopSchema),
    path: z.array(z.string()),
    root: z
      .object({
        table: z.string(),
        key: valueExprSchema.optional(),
        where: z
          .array(z.object({ field: z.string(), value: valueExprSchema }))
          .min(1)
          .optional(),
      })
      .optional(),
    key: valueExprSchema.optional(),
  }),
);

export type ValueExpr =
  /**
   * A parameter's value; with `path`, a part of it (`amount_money.amount`); with `otherwise`, the
   * value when the call leaves it out (null, as the data's records hold it); with `fallback`, a value
   * computed then (everything not yet used: the voucher's amount less its amount_used).
   */
  | { kind: "parameter"; name: string; path?: string[]; otherwise?: unknown; fallback?: ValueExpr }
  | { kind: "constant"; value: unknown }
  | { kind: "today" }
  /**
   * The task clock; with `wholeSeconds`, written without milliseconds, as the data writes its times;
   * with `utcOffset`, at that offset from UTC (`+02:00`); with `offsetSeconds`, that long after it
   * (a session that expires in an hour); with `unixSeconds`, as a number of seconds since 1970.
   */
  | {
      kind: "now";
      wholeSeconds?: boolean;
      utcOffset?: string;
      offsetSeconds?: number;
      unixSeconds?: boolean;
      unixMillis?: "number" | "text";
    }
  /** The value at a place: as it was before the call's effects, or with `after`, as they leave it (a balance after a change). */
  | { kind: "read"; place: Place; after?: boolean }
  /** The key of the record a create (or insert) tool makes; with `number`, its number alone (`1049` of `ord_1049`). */
  | { kind: "new-key"; number?: boolean }
  /** An object of values (a new address from its parts). */
  | { kind: "object"; fields: Record<string, ValueExpr> }
  /** Arithmetic on two numbers (a price per GB times the GB added; money rounded to cents); `//` counts whole times (whole dollars of cents). */
  | { kind: "arith"; op: "+" | "-" | "*" | "/" | "//" | "min" | "max"; left: ValueExpr; right: ValueExpr }
  /**
   * Over several records: the sum of `field` (or the count) of the records of `table` whose fields
   * equal the given values (the credits of a student's active enrolments).
   */
  | { kind: "aggregate"; op: "sum" | "count"; table: string; field?: string; where: { field: string; value: ValueExpr; not?: boolean }[] }
  /** The element of an array parameter an `each` effect is at. */
  | { kind: "item"; path?: string[] }
  /** The key, as the record holds it, of the record the enclosing insert made (a new reservation's, for its folio). */
  | { kind: "inserted" }
  /** The next number a counter the data keeps gives (`account_settings.next_comment_id`), with the data's prefix; the counter moves on. */
  | { kind: "next"; counter: Place; prefix: string }
  /** Texts and numbers written one after another (`#T` and the new key's number). */
  | { kind: "concat"; parts: ValueExpr[] }
  /** A field of the record of `table` whose key is `key` (a line's sku, from the item it names); undefined when there is none. */
  | { kind: "lookup"; table: string; key: ValueExpr; path: string[] }
  /** Each element of the list `of`, kept with these fields added (`{kind: "item"}` is the element): line items with their sku. */
  | { kind: "elements"; of: ValueExpr; fields: Record<string, ValueExpr> }
  /** The total of `path` over the elements of the list `of` (a transfer's total quantity). */
  | { kind: "sum"; of: ValueExpr; path: string[] }
  /** A number written as text with `decimals` decimals, as the data writes its amounts (`"3.40000"`). */
  | { kind: "fixed"; value: ValueExpr; decimals: number }
  /** A number written with at least `digits` digits, zero-padded (`00000042`). */
  | { kind: "digits"; value: ValueExpr; digits: number }
  /** `path` of the element of the list `of` whose `field` equals `equals` (the points of the reward tier a call names); undefined when none does. */
  | { kind: "element"; of: ValueExpr; field: string; equals: ValueExpr; path: string[]; and?: { field: string; equals: ValueExpr }[] }
  /** The text at `place` with the number it ends in moved on by `by`, its prefix and width kept (`v11` → `v12`). */
  | { kind: "bump"; place: Place; by: number }
  /**
   * A new key of another table, made as that table keys its records (the letter a new outbox
   * entry holds, keyed as letters are): its data's pattern, base64 or clock, else a fresh id.
   */
  | { kind: "fresh-key"; table: string; prefix: string; digits: number; sequential: boolean; encoded?: "base64"; timed?: TimedKey }
  /**
   * The key (or, with `field`, that field) of the first record of `table` whose fields equal the
   * given values (the user whose email and password the call gives); null when none does.
   */
  | { kind: "match"; table: string; where: { field: string; value: ValueExpr }[]; field?: string };

export const valueExprSchema: z.ZodType<ValueExpr> = z.lazy(() => valueExprUnion);
const valueExprUnion = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("parameter"),
    name: z.string(),
    path: z.array(z.string()).optional(),
    otherwise: z.json().optional(),
    fallback: z.lazy(() => valueExprSchema).optional(),
  }),
  z.object({ kind: z.literal("constant"), value: z.json() }),
  z.object({ kind: z.literal("today") }),
  z.object({
    kind: z.literal("now"),
    wholeSeconds: z.boolean().optional(),
    /** Written at this offset from UTC (`+02:00`), as the data writes its times. */
    utcOffset: z
      .string()
      .regex(/^[+-]\d{2}:\d{2}$/)
      .optional(),
    offsetSeconds: z.number().optional(),
    /** Written as Unix seconds (an integer), as the data writes its times. */
    unixSeconds: z.boolean().optional(),
    /** Written as Unix milliseconds, a number or its digits as text (`"1749571200000"`), as the data writes its times. */
    unixMillis: z.enum(["number", "text"]).optional(),
  }),
  z.object({ kind: z.literal("read"), place: placeSchema, after: z.boolean().optional() }),
  z.object({ kind: z.literal("new-key"), number: z.boolean().optional() }),
  z.object({
    kind: z.literal("object"),
    fields: z.record(
      z.string(),
      z.lazy(() => valueExprSchema),
    ),
  }),
  z.object({
    kind: z.literal("arith"),
    op: z.enum(["+", "-", "*", "/", "//", "min", "max"]),
    left: z.lazy(() => valueExprSchema),
    right: z.lazy(() => valueExprSchema),
  }),
  z.object({
    kind: z.literal("aggregate"),
    op: z.enum(["sum", "count"]),
    table: z.string(),
    field: z.string().optional(),
    /** Records whose field equals the value (with `not`, differs from it). */
    where: z.array(z.object({ field: z.string(), value: z.lazy(() => valueExprSchema), not: z.boolean().optional() })),
  }),
  z.object({ kind: z.literal("item"), path: z.array(z.string()).optional() }),
  z.object({ kind: z.literal("inserted") }),
  z.object({ kind: z.literal("next"), counter: placeSchema, prefix: z.string() }),
  z.object({ kind: z.literal("concat"), parts: z.array(z.lazy(() => valueExprSchema)) }),
  z.object({ kind: z.literal("lookup"), table: z.string(), key: z.lazy(() => valueExprSchema), path: z.array(z.string()) }),
  z.object({
    kind: z.literal("elements"),
    of: z.lazy(() => valueExprSchema),
    fields: z.record(
      z.string(),
      z.lazy(() => valueExprSchema),
    ),
  }),
  z.object({ kind: z.literal("sum"), of: z.lazy(() => valueExprSchema), path: z.array(z.string()) }),
  z.object({ kind: z.literal("digits"), value: z.lazy(() => valueExprSchema), digits: z.number().int() }),
  z.object({ kind: z.literal("fixed"), value: z.lazy(() => valueExprSchema), decimals: z.number().int().min(0) }),
  z.object({
    kind: z.literal("element"),
    of: z.lazy(() => valueExprSchema),
    field: z.string(),
    equals: z.lazy(() => valueExprSchema),
    path: z.array(z.string()),
    /** More fields the element must match (a seating offer chosen by room and sitting). */
    and: z.array(z.object({ field: z.string(), equals: z.lazy(() => valueExprSchema) })).optional(),
  }),
  z.object({ kind: z.literal("bump"), place: placeSchema, by: z.number().int() }),
  z.object({
    kind: z.literal("fresh-key"),
    table: z.string(),
    prefix: z.string(),
    digits: z.number().int(),
    sequential: z.boolean(),
    encoded: z.literal("base64").optional(),
    timed: z.lazy(() => timedKeySchema).optional(),
  }),
  z.object({
    kind: z.literal("match"),
    table: z.string(),
    where: z.array(z.object({ field: z.string(), value: z.lazy(() => valueExprSchema) })),
    field: z.string().optional(),
  }),
]);

export const compareOps = ["==", "!=", "<", "<=", ">", ">=", "given", "absent", "in", "not-in"] as const;

/**
 * A condition on values: `left op right`; `given`/`absent` say whether a value is there at all
 * (an optional parameter, a session's user); `in`/`not-in` whether `left` is one of `right`'s values.
 */
export const conditionSchema = z.object({
  left: valueExprSchema,
  op: z.enum(compareOps),
  right: valueExprSchema.optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** How the key of a new record is made: the data's pattern (`hol_` and 4 digits, next free number), or a counter the data keeps. */
/**
 * Keys that are the clock, in `unit`s shifted left by `shift` bits, written in `radix` (a hex id
 * whose high bits are the record's `field`, its time in milliseconds): the clock's, past every key.
 */
export const timedKeySchema = z.object({
  field: z.string(),
  shift: z.number().int(),
  radix: z.union([z.literal(10), z.literal(16)]),
  unit: z.enum(["ms", "s"]),
});
export type TimedKey = z.infer<typeof timedKeySchema>;

export const newKeySchema = z.object({
  prefix: z.string(),
  digits: z.number().int(),
  sequential: z.boolean(),
  /** A number the data keeps for the next key (`account_settings.next_ticket_id`): the key is its value, and it goes up by one. */
  counter: placeSchema.optional(),
  /** Keys are numbers in the records (`35463`), as the data holds them, though tables key them as text. */
  numeric: z.boolean().optional(),
  /** Keys made from the clock (time-ordered ids). */
  timed: z.lazy(() => timedKeySchema).optional(),
  /** Keys are base64 of the pattern's text (`Y3BuLTAwNw` of `cpn-007`): the next number is found and written encoded. */
  encoded: z.literal("base64").optional(),
  /** A key built from values, as the data's keys are (`pay_1024_rf1`: the payment's key, `_rf`, its refunds counted plus one). */
  formula: valueExprSchema.optional(),
});
export type NewKey = z.infer<typeof newKeySchema>;

/** What must hold for the call to go through; otherwise it is refused and nothing changes. */
export const requirementSchema = z.discriminatedUnion("kind", [
  /** The field at `place` holds one of `values` (`status` is pending). */
  z.object({ kind: z.literal("status-in"), place: placeSchema, values: z.array(z.string()).min(1) }),
  /** A parameter is one of `values` (a reason from a fixed list). */
  z.object({ kind: z.literal("parameter-in"), parameter: z.string(), values: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.object({ kind: z.literal("positive"), parameter: z.string() }),
  /** A parameter is at most the value of `limit` (pay no more than is due). */
  z.object({ kind: z.literal("at-most"), parameter: z.string(), limit: valueExprSchema }),
  /** A counter is below `limit` (renewed at most 2 times). */
  z.object({ kind: z.literal("below"), place: placeSchema, limit: z.number() }),
  /** A parameter names an entry of the map at `place` (one of the member's own payment methods); with `keyField`, the place is a list of records keyed by that field. */
  z.object({ kind: z.literal("entry-of"), parameter: z.string(), place: placeSchema, keyField: z.string().optional() }),
  /** A parameter names a record of `table`. */
  z.object({ kind: z.literal("record-exists"), parameter: z.string(), table: z.string() }),
  /** Every id in an array parameter names an element of the array at `place` (by its `field`). */
  z.object({ kind: z.literal("elements-of"), parameter: z.string(), place: placeSchema, field: z.string() }),
  /**
   * The entry named by `parameter` in the map at `place`, when it keeps a `field` (a gift card's
   * balance), holds at least `amount`.
   */
  /** The list at `key` of the map at `place` holds `value` (the doctor has the slot open). */
  z.object({ kind: z.literal("slot-open"), place: placeSchema, key: valueExprSchema, value: valueExprSchema }),
  /** A condition on values (an ownership check: the bill's customer is the given one; a cap: the credits stay within 18; a session: someone is logged in). */
  z.object({ kind: z.literal("compare"), condition: conditionSchema }),
  z.object({
    kind: z.literal("covers"),
    parameter: z.string(),
    place: placeSchema,
    field: z.string(),
    amount: valueExprSchema,
    keyField: z.string().optional(),
  }),
]);
export type Requirement = z.infer<typeof requirementSchema>;

/** What the call changes, in order. */
export const effectSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("set"), place: placeSchema, value: valueExprSchema }),
  /** The call's own record leaves its table (an outbox entry, once sent, is a letter and no longer in the outbox). */
  z.object({ kind: z.literal("discard") }),
  /** The field at `place` leaves the record (a completion time a reopened task no longer holds; a date a replacement leaves out). */
  z.object({ kind: z.literal("unset"), place: placeSchema }),
  /** A date field moves `days` later. */
  z.object({ kind: z.literal("shift-date"), place: placeSchema, days: z.number().int() }),
  /** A number goes up (sign 1) or down (-1) by `amount` (money rounded to cents). */
  z.object({ kind: z.literal("add"), place: placeSchema, amount: valueExprSchema, sign: z.union([z.literal(1), z.literal(-1)]) }),
  /** An element is appended to the array at `place`. */
  z.object({ kind: z.literal("append"), place: placeSchema, element: z.record(z.string(), valueExprSchema) }),
  /**
   * Each element of the array at `place` whose `match` field holds `value` gets a copy appended,
   * with `set` over it (every payment mirrored by a refund); with `credit`, the amount of each copy
   * goes back to the entry it names in the map at `credit.place`, when that entry keeps a balance.
   */
  z.object({
    kind: z.literal("mirror"),
    place: placeSchema,
    match: z.object({ field: z.string(), value: z.json() }),
    set: z.record(z.string(), valueExprSchema),
    /** A field the copy holds negated (a refund written as a negative amount). */
    negate: z.string().optional(),
    credit: z
      .object({
        place: placeSchema,
        entryField: z.string(),
        amountField: z.string(),
        balanceField: z.string(),
        keyField: z.string().optional(),
      })
      .optional(),
  }),
  /** The entry named by `parameter` in the map at `place`, when it keeps `field`, goes up or down by `amount`. */
  z.object({
    kind: z.literal("entry-add"),
    parameter: z.string(),
    place: placeSchema,
    field: z.string(),
    amount: valueExprSchema,
    sign: z.union([z.literal(1), z.literal(-1)]),
    keyField: z.string().optional(),
  }),
  /** The entry named by `parameter` in the map (or list of records, by `keyField`) at `place` gets the fields of `set` (a seat's row). */
  z.object({
    kind: z.literal("entry-set"),
    parameter: z.string(),
    place: placeSchema,
    set: z.record(z.string(), valueExprSchema),
    keyField: z.string().optional(),
  }),
  /**
   * Each element of the array at `place` (a list of records) gets the fields of `set`; with `only`,
   * just the elements whose `only.field` is (`in`) or is not (`not-in`) one of `only.values`
   * ("every fulfillment not yet COMPLETED or CANCELED becomes CANCELED").
   */
  z.object({
    kind: z.literal("set-each"),
    place: placeSchema,
    set: z.record(z.string(), valueExprSchema),
    only: z.object({ field: z.string(), op: z.enum(["in", "not-in"]), values: z.array(z.json()) }).optional(),
    /** Instead of a list: the records of `of.table` whose `of.field` holds the key of the record at `place` (the cards on an account). */
    of: z.object({ table: z.string(), field: z.string() }).optional(),
  }),
  /** The key of the record the tool made is appended to the array at `place`. */
  z.object({ kind: z.literal("link"), place: placeSchema }),
  /**
   * Values go into the array at `place`: `value` (a tag, a key), or for `each` element of an array
   * parameter its own value (`{kind: "item"}`); with `unique`, values already there are skipped.
   */
  z.object({
    kind: z.literal("add-values"),
    place: placeSchema,
    value: valueExprSchema,
    each: z.string().optional(),
    unique: z.boolean().optional(),
  }),
  /** Elements leave the array at `place`: those equal to one of `values` (an array), or whose `field` is. */
  z.object({ kind: z.literal("remove-values"), place: placeSchema, values: valueExprSchema, field: z.string().optional() }),
  /** An entry goes into the map of records at `place` (a certificate among a user's payment methods), keyed as `key` says. */
  z.object({ kind: z.literal("put"), place: placeSchema, key: newKeySchema, fields: z.record(z.string(), valueExprSchema) }),
  /**
   * A record is made in another table (a history entry, a ledger line), keyed as `key` says, with
   * these fields; with `each`, one per element of that array parameter (`{kind: "item"}` is the
   * element), and with `alongside`, with each new record these of other tables (a reservation's
   * folio), where `{kind: "inserted"}` is the new record's key; with `times` too, as many records
   * per element as the element's number at that path says (an attendee per ticket of a line).
   */
  z.object({
    kind: z.literal("insert"),
    table: z.string(),
    key: newKeySchema,
    fields: z.record(z.string(), valueExprSchema),
    each: z.string().optional(),
    times: z.array(z.string()).optional(),
    alongside: z.array(z.object({ table: z.string(), key: newKeySchema, fields: z.record(z.string(), valueExprSchema) })).optional(),
  }),
  /**
   * Each record of `table` whose key is an element of the array parameter `each` gets `fields` (every
   * stock item handed out becomes "started", held by this order).
   */
  z.object({
    kind: z.literal("set-named"),
    table: z.string(),
    each: z.string(),
    fields: z.record(z.string(), valueExprSchema),
    /** And an entry appended to each one's list at `path` (a comment on every ticket merged away). */
    append: z.object({ path: z.array(z.string()), element: z.record(z.string(), valueExprSchema) }).optional(),
  }),
  /**
   * Records of another table each have the number at `path` moved by `amount` (numbers the data
   * writes as text stay text), and get `set`; a move of 0 leaves a record as it is. With `named`,
   * the records of `named.table` whose keys the elements of the list at `place` hold in
   * `named.field`, `amount` read per element (`{kind: "item"}`): an order's lines each take their
   * quantity off the stock count they name. With `of`, the records of `of.table` whose `of.field`
   * holds the key of the record at `place`: the customer's points account earns the points.
   */
  z.object({
    kind: z.literal("add-each"),
    place: placeSchema,
    /** The elements of this array parameter, instead of the list at `place` (the lines a new order is given). */
    list: z.string().optional(),
    named: z.object({ table: z.string(), field: z.string() }).optional(),
    of: z.object({ table: z.string(), field: z.string() }).optional(),
    /**
     * With `matching`, per element of the list at `place`, the records of `matching.table` whose
     * fields all equal the values given (`{kind: "item"}` is the element): a transfer's lines each
     * leave the stock level of their item at the transfer's origin.
     */
    matching: z.object({ table: z.string(), where: z.array(z.object({ field: z.string(), value: valueExprSchema })).min(1) }).optional(),
    /**
     * An entry made in `entry.table` for each record moved (a history line per stock level a
     * transfer moves), with `fields` (`{kind: "item"}` is the element) and, at `entry.after`, the
     * number the move leaves.
     */
    entry: z
      .object({ table: z.string(), key: newKeySchema, fields: z.record(z.string(), valueExprSchema), after: z.string().optional() })
      .optional(),
    path: z.array(z.string()),
    amount: valueExprSchema,
    sign: z.union([z.literal(1), z.literal(-1)]),
    set: z.record(z.string(), valueExprSchema).optional(),
    /** A number a move may not take below this (stock never negative): the call is refused, nothing moved. */
    atLeast: z.number().optional(),
  }),
  /**
   * The list at `place` keeps one entry per day from `from` up to (not including) `to`, by its
   * `dateField` (a stay's nights, a rental's days): entries of days outside go, days without one get
   * a copy of the latest entry; with `only`, just the entries whose field holds that value are the
   * daily ones; with `numbered`, a new entry's field is the holding record's key, `-` and the next number;
   * with `set`, a new entry's fields that are its own, not the copy's (when it was made).
   */
  z.object({
    kind: z.literal("days"),
    place: placeSchema,
    dateField: z.string(),
    from: valueExprSchema,
    to: valueExprSchema,
    only: z.object({ field: z.string(), value: z.json() }).optional(),
    numbered: z.string().optional(),
    /** Fields each new entry gets instead of the copied entry's (its creation time: the clock). */
    set: z.record(z.string(), valueExprSchema).optional(),
  }),
  /** `value` leaves (take) or rejoins, in order (release), the list at `key` of the map at `place`: a slot booked or given back. */
  z.object({ kind: z.literal("slot-take"), place: placeSchema, key: valueExprSchema, value: valueExprSchema }),
  z.object({ kind: z.literal("slot-release"), place: placeSchema, key: valueExprSchema, value: valueExprSchema }),
]);
export type Effect = z.infer<typeof effectSchema>;

export const ruleSchema = z.object({
  rule: z.union([requirementSchema, effectSchema]),
  source: z.enum(ruleSources),
  /** The rule in words, and the words it came from. */
  text: z.string(),
  /** An effect applies only when these hold (checked before any effect runs): an optional parameter given, a record in some state. */
  when: z.array(conditionSchema).optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const serviceKinds = ["find", "get", "list", "change", "create", "utility"] as const;

export const serviceModelSchema = z.object({
  /** find: the key of the record matching the arguments; get: a record by key; list: the matching records; change: a record changes; create: a record is made. */
  kind: z.enum(serviceKinds),
  /** Stateless tools: `calculate` (exact arithmetic), `think` and `handoff` (change nothing). */
  utility: z.enum(["calculate", "think", "handoff"]).optional(),
  /** The table of the record the tool acts on (or makes), and the parameter holding its key. */
  table: z.string().optional(),
  keyParameter: z.string().optional(),
  /**
   * change: `keyParameter` names an entry of the list of records at `path` (by its `keyField`), and
   * the record that holds it is the one the tool acts on (a booking, by one of its seats).
   */
  entry: z.object({ path: z.array(z.string()), keyField: z.string() }).optional(),
  /** find and list: how arguments select records (a parameter equal to, or mentioned in, the field at `path`). */
  match: z
    .array(
      z.object({
        parameter: z.string(),
        path: z.array(z.string()),
        /** equal: the field equals the argument; contains: its text holds the argument's (any case); text: any text field holds every word. */
        mode: z.enum(["equal", "contains", "text"]),
        /**
         * The field is in a record of another table that refers to this one (a customer found by a
         * phone number their line holds): some record of `via.table` whose `via.field` is this
         * record's key has it.
         */
        via: z.object({ table: z.string(), field: z.string() }).optional(),
        /** equal: or the field at this path equals it instead (the text a digest key is the digest of: an email for its hash). */
        or: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  /**
   * create: the call adds the record or updates it when there is one (`add_or_update_member`): the
   * record `match` finds, when there is one, is changed instead (each field in `set` to the
   * parameter named there, when the call gives it), the effects run on it, and nothing is made.
   */
  /** With `kept`, a record there already is answered as it is, and the call changes nothing (nothing is charged for it). */
  upsert: z.object({ set: z.record(z.string(), z.string()), kept: z.boolean().optional() }).optional(),
  /** create: how the new key is made, from the keys already in the data (`hol_` and 4 digits, next free number). */
  newKey: newKeySchema.optional(),
  /** create: each field of the new record and its value. */
  fields: z.record(z.string(), valueExprSchema).optional(),
  /** The value an optional parameter takes when a call leaves it out, as the service states it (`public` true). */
  defaults: z.record(z.string(), z.json()).optional(),
  /**
   * Words the call may give in place of a key (`primary` for a calendar id): the record of `table`
   * whose boolean `field` is true, resolved before anything reads the parameter.
   */
  aliases: z.array(z.object({ parameter: z.string(), alias: z.string(), table: z.string(), field: z.string() })).optional(),
  /** What the tool answers. */
  returns: z.enum(["record", "key", "records", "summaries", "mapping", "message", "nothing", "number"]),
  /** summaries: the fields kept of each record; mapping: the field that names a record, and the one its key is. */
  summary: z.array(z.string()).optional(),
  requires: z.array(ruleSchema).default([]),
  effects: z.array(ruleSchema).default([]),
});
export type ServiceModel = z.infer<typeof serviceModelSchema>;
