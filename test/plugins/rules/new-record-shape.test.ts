// A new record as the data's records are: its list of line items completed from the records each
// line names (a line's name from its product) and summed into the record's total (`total_qty`);
// fields every record holds, null in some (`note`, `shipped_at`), held as null when nothing sets them.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const shop: DomainState = {
  products: {
    p1: { id: "p1", name: "Mug", price: 8 },
    p2: { id: "p2", name: "Cap", price: 12 },
  },
  orders: {
    o1: {
      id: "o1",
      lines: [{ product_id: "p1", name: "Mug", qty: 2 }],
      total_qty: 2,
      note: null,
      created_at: "2025-01-01",
      shipped_at: null,
    },
    o2: {
      id: "o2",
      lines: [{ product_id: "p2", name: "Cap", qty: 1 }],
      total_qty: 1,
      note: "gift",
      created_at: "2025-01-02",
      shipped_at: "2025-01-03",
    },
    o3: {
      id: "o3",
      lines: [{ product_id: "p1", name: "Mug", qty: 1 }],
      total_qty: 1,
      note: null,
      created_at: "2025-01-02",
      shipped_at: null,
    },
  },
};

describe("new records shaped as the data's", () => {
  it("completes line items from the records they name, sums them into the total, and keeps null fields", () => {
    const spec = toolSpec(
      "create_order",
      {
        lines: {
          type: "array",
          description: "Products and quantities",
          items: { type: "object", properties: { product_id: { type: "string" }, qty: { type: "integer" } } },
        },
        note: { type: "string", description: "A note" },
      },
      ["lines"],
      "Create an order.",
    );
    const service = deriveRules("d", [spec], inferTables(shop), shop, null).tools[0]?.service as ServiceModel;
    const lines = { kind: "parameter", name: "lines" };
    expect(service.fields?.lines).toEqual({
      kind: "elements",
      of: lines,
      fields: { name: { kind: "lookup", table: "products", key: { kind: "item", path: ["product_id"] }, path: ["name"] } },
    });
    expect(service.fields?.total_qty).toEqual({ kind: "sum", of: lines, path: ["qty"] });
    expect(service.fields?.note).toEqual({ kind: "parameter", name: "note", otherwise: null });
    expect(service.fields?.shipped_at).toEqual({ kind: "constant", value: null });
  });
});

describe("a collection the data shows one record of", () => {
  const desk: DomainState = {
    loans: { l1: { id: "l1", object: "loan", currency: "eur", memo: "Spare projector for the hall", amount: 40 } },
  };
  const spec = toolSpec("create_loan", { amount: { type: "integer", description: "How much" } }, ["amount"], "Create a loan.");
  const service = deriveRules("d", [spec], inferTables(desk), desk, null).tools[0]?.service as ServiceModel;

  it("writes its codes (kind, currency) into a new record as its one record holds them", () => {
    expect(service.fields?.object).toEqual({ kind: "constant", value: "loan" });
    expect(service.fields?.currency).toEqual({ kind: "constant", value: "eur" });
  });

  it("copies no free text from that one record", () => {
    expect(service.fields?.memo).toBeUndefined();
  });
});
