// The judge's rules on small hand-made states and calls: state alignment, exact match, validity.
import { describe, expect, it } from "vitest";
import type { DomainSchema } from "../../../lib/contracts/domain-schema.ts";
import type { EnvironmentSpec } from "../../../lib/contracts/environment-spec.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { compareStates } from "../../../lib/episodes/judge/alignment.ts";
import { exactMatch } from "../../../lib/episodes/judge/exact-match.ts";
import { repeatedNgram } from "../../../lib/episodes/judge/validity.ts";

const schema: Pick<DomainSchema, "tables"> = {
  tables: [
    {
      name: "orders",
      entity: "order",
      key: "order_id",
      keyKind: "id",
      idPrefix: "ord",
      fields: [
        { name: "order_id", type: "string" },
        { name: "status", type: "string" },
        { name: "created_at", type: "string", format: "date-time" },
      ],
    },
    {
      name: "payments",
      entity: "payment",
      key: "payment_id",
      keyKind: "id",
      idPrefix: "pay",
      fields: [
        { name: "payment_id", type: "string" },
        { name: "order_id", type: "string", references: "orders" },
        { name: "amount", type: "number" },
      ],
    },
  ],
};
const initial = { orders: { ord_1: { order_id: "ord_1", status: "pending", created_at: "2025-01-01T00:00:00Z" } }, payments: {} };
const hashes = { gold: "a", actual: "b" };

describe("state alignment", () => {
  it("equal hashes are an exact match", () => {
    expect(compareStates(schema, initial, initial, initial, { gold: "x", actual: "x" })).toEqual({
      aligned: true,
      match: "exact",
      diffs: [],
    });
  });

  it("records created under other generated ids and at other times are equivalent", () => {
    const gold = {
      orders: { ...initial.orders, ord_aaaa: { order_id: "ord_aaaa", status: "pending", created_at: "2025-03-03T09:00:01Z" } },
      payments: { pay_x: { payment_id: "pay_x", order_id: "ord_aaaa", amount: 5 } },
    };
    const actual = {
      orders: { ...initial.orders, ord_bbbb: { order_id: "ord_bbbb", status: "pending", created_at: "2025-03-03T09:00:04Z" } },
      payments: { pay_y: { payment_id: "pay_y", order_id: "ord_bbbb", amount: 5 } },
    };
    expect(compareStates(schema, initial, gold, actual, hashes)).toMatchObject({ aligned: true, match: "equivalent" });
  });

  it("a changed field, a missing record and an extra one are differences", () => {
    const gold = {
      orders: { ord_1: { ...initial.orders.ord_1, status: "cancelled" } },
      payments: { pay_x: { payment_id: "pay_x", order_id: "ord_1", amount: 5 } },
    };
    const actual = {
      orders: { ord_1: { ...initial.orders.ord_1, status: "shipped" } },
      payments: { pay_y: { payment_id: "pay_y", order_id: "ord_1", amount: 7 } },
    };
    const result = compareStates(schema, initial, gold, actual, hashes);
    expect(result.aligned).toBe(false);
    expect(result.diffs).toEqual([
      { table: "orders", key: "ord_1", field: "status", expected: "cancelled", actual: "shipped" },
      { table: "payments", key: "pay_x", expected: gold.payments.pay_x, actual: "missing" },
      { table: "payments", key: "pay_y", expected: "absent", actual: actual.payments.pay_y },
    ]);
  });

  it("a deleted record must be deleted, and only it", () => {
    const result = compareStates(schema, initial, { orders: {}, payments: {} }, initial, hashes);
    expect(result.diffs).toEqual([{ table: "orders", key: "ord_1", expected: "deleted", actual: "present" }]);
  });
});

describe("exact match", () => {
  const spec = {
    tools: [
      { name: "get_order", access: "read", table: "orders" },
      { name: "cancel_order", access: "write", table: "orders" },
      { name: "pay", access: "write", table: "payments" },
      { name: "get_rate", access: "read", table: "rates" },
    ],
  } as unknown as EnvironmentSpec;
  const call = (tool: string, args: Record<string, unknown> = {}) => ({ tool, arguments: args });
  const task = (calls: ReturnType<typeof call>[], readOnly = false, feeds: Task["feeds"] = []) =>
    ({ gold_calls: calls, feeds, read_only: readOnly }) as unknown as Task;

  it("independent calls may come in any order; dependent ones may not", () => {
    const t = task([call("get_rate", { c: "EUR" }), call("pay", { order_id: "ord_1", amount: 5 })]);
    expect(exactMatch(t, [call("pay", { amount: 5, order_id: "ord_1" }), call("get_rate", { c: "EUR" })], spec)).toEqual({ ok: true });
    const dependent = task([call("get_order", { order_id: "ord_1" }), call("cancel_order", { order_id: "ord_1" })]);
    expect(
      exactMatch(dependent, [call("cancel_order", { order_id: "ord_1" }), call("get_order", { order_id: "ord_1" })], spec),
    ).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/came before call 0/),
    });
  });

  it("names and arguments must match, with no call missing or extra", () => {
    const t = task([call("pay", { order_id: "ord_1", amount: 5 })]);
    expect(exactMatch(t, [call("pay", { order_id: "ord_1", amount: 6 })], spec)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/never made/),
    });
    expect(exactMatch(t, [call("pay", { order_id: "ord_1", amount: 5 }), call("get_order", { order_id: "ord_1" })], spec)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/does not ask for/),
    });
  });

  it("read-only tasks match strictly in order", () => {
    const t = task([call("get_rate", { c: "EUR" }), call("get_order", { order_id: "ord_1" })], true);
    expect(exactMatch(t, [call("get_rate", { c: "EUR" }), call("get_order", { order_id: "ord_1" })], spec)).toEqual({ ok: true });
    expect(exactMatch(t, [call("get_order", { order_id: "ord_1" }), call("get_rate", { c: "EUR" })], spec).ok).toBe(false);
  });
});

describe("validity rules", () => {
  it("finds a word n-gram repeated in one message", () => {
    expect(repeatedNgram("I will check it. I will check it. I will check it.", 4, 3)).toBe("i will check it.");
    expect(repeatedNgram("Your order ord_1 is cancelled and the refund is on its way.", 4, 3)).toBeNull();
  });
});
