// Rules a service's tools get from small samples of data, one pattern at a time: the shapes public
// services keep their records in, with as little data as a new user may give.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

/** The tables read off the data, and the tools as their derived rules make them. */
const inferServiceSchema = (domain: string, specs: ToolSpec[], pack: { data: DomainState; policy: string | null }) => {
  const tables = inferTables(pack.data);
  return { tables, tools: deriveRules(domain, specs, tables, pack.data, pack.policy).tools };
};

const S = (description: string) => ({ type: "string", description });
const rulesOf = (schema: ReturnType<typeof inferServiceSchema>, tool: string) => {
  const s = schema.tools.find((t) => t.tool === tool)?.service as ServiceModel;
  return [...s.requires, ...s.effects].map((r) => r.rule);
};

const shop: DomainState = {
  users: {
    u1: {
      user_id: "u1",
      email: "a@b.c",
      payment_methods: {
        gift_card_1: { source: "gift_card", id: "gift_card_1", balance: 50 },
        card_2: { source: "credit_card", id: "card_2" },
      },
    },
  },
  orders: {
    o1: {
      order_id: "o1",
      user_id: "u1",
      status: "pending",
      items: [{ item_id: "i1", price: 10 }],
      payment_history: [{ transaction_type: "payment", amount: 10, payment_method_id: "gift_card_1" }],
    },
    o2: {
      order_id: "o2",
      user_id: "u1",
      status: "delivered",
      items: [{ item_id: "i2", price: 20 }],
      payment_history: [{ transaction_type: "payment", amount: 20, payment_method_id: "card_2" }],
    },
  },
};

describe("service rules from a small sample", () => {
  it("knows a status field with every value seen once, a state the sample never shows, and refunds it only describes", () => {
    const schema = inferServiceSchema(
      "shop",
      [
        toolSpec(
          "cancel_pending_order",
          { order_id: S("The order id.") },
          ["order_id"],
          "Cancel a pending order. The refund goes to the original payment method; a gift card refund is added to its balance at once.",
        ),
      ],
      { data: shop, policy: null },
    );
    expect(schema.tables.find((t) => t.name === "orders")?.status?.values).toEqual(["delivered", "pending"]);
    expect(rulesOf(schema, "cancel_pending_order")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "status-in", values: ["pending"] }),
        expect.objectContaining({ kind: "set", value: { kind: "constant", value: "cancelled" } }),
        expect.objectContaining({
          kind: "mirror",
          match: { field: "transaction_type", value: "payment" },
          set: { transaction_type: { kind: "constant", value: "refund" } },
          credit: expect.objectContaining({ balanceField: "balance", entryField: "payment_method_id" }),
        }),
      ]),
    );
  });

  it("turns flags on and off, finds a person through a record that refers to them, and changes the record that refers to another", () => {
    const data: DomainState = {
      customers: { c1: { customer_id: "c1", full_name: "A B" } },
      plans: { p1: { plan_id: "p1", fee: 5 }, p2: { plan_id: "p2", fee: 9 } },
      lines: {
        l1: { line_id: "l1", customer_id: "c1", plan_id: "p1", phone_number: "+1 1", status: "active", roaming_enabled: false },
        l2: { line_id: "l2", customer_id: "c1", plan_id: "p2", phone_number: "+1 2", status: "suspended", roaming_enabled: true },
      },
    };
    const schema = inferServiceSchema(
      "mobile",
      [
        toolSpec(
          "find_customer_id_by_phone_number",
          { phone_number: S("A phone number.") },
          ["phone_number"],
          "Find the id of a line's customer.",
        ),
        toolSpec("enable_roaming", { line_id: S("The line id.") }, ["line_id"], "Turn on roaming for an active line."),
        toolSpec("disable_roaming", { line_id: S("The line id.") }, ["line_id"], "Turn off roaming."),
        toolSpec(
          "change_line_plan",
          { line_id: S("The line id."), plan_id: S("The plan id.") },
          ["line_id", "plan_id"],
          "Move a line to a plan.",
        ),
      ],
      { data, policy: null },
    );
    const find = schema.tools.find((t) => t.tool === "find_customer_id_by_phone_number")?.service as ServiceModel;
    expect(find.kind).toBe("find");
    expect(find.match).toEqual([
      { parameter: "phone_number", path: ["phone_number"], mode: "equal", via: { table: "lines", field: "customer_id" } },
    ]);
    expect(rulesOf(schema, "enable_roaming")).toEqual([
      expect.objectContaining({ kind: "status-in", values: ["active"] }),
      { kind: "set", place: { hops: [], path: ["roaming_enabled"] }, value: { kind: "constant", value: true } },
    ]);
    expect(rulesOf(schema, "disable_roaming")).toEqual([
      { kind: "set", place: { hops: [], path: ["roaming_enabled"] }, value: { kind: "constant", value: false } },
    ]);
    const plan = schema.tools.find((t) => t.tool === "change_line_plan");
    expect(plan?.service).toEqual(expect.objectContaining({ kind: "change", table: "lines", keyParameter: "line_id" }));
    expect(rulesOf(schema, "change_line_plan")).toEqual(
      expect.arrayContaining([{ kind: "set", place: { hops: [], path: ["plan_id"] }, value: { kind: "parameter", name: "plan_id" } }]),
    );
  });

  it("mirrors payments as negated amounts when that is how the data writes refunds, and never cancels twice", () => {
    const data: DomainState = {
      reservations: {
        r1: { reservation_id: "r1", status: "booked", payment_history: [{ payment_id: "card_1", amount: 300 }] },
        r2: {
          reservation_id: "r2",
          status: "cancelled",
          payment_history: [
            { payment_id: "card_1", amount: 120 },
            { payment_id: "card_1", amount: -120 },
          ],
        },
      },
    };
    const schema = inferServiceSchema(
      "air",
      [toolSpec("cancel_reservation", { reservation_id: S("The reservation id.") }, ["reservation_id"], "Cancel the whole reservation.")],
      { data, policy: null },
    );
    expect(rulesOf(schema, "cancel_reservation")).toEqual([
      expect.objectContaining({ kind: "status-in", values: ["booked"] }),
      expect.objectContaining({ kind: "set", value: { kind: "constant", value: "cancelled" } }),
      expect.objectContaining({ kind: "mirror", negate: "amount", place: { hops: [], path: ["payment_history"] } }),
    ]);
  });
});
