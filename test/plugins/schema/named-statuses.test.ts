// Status values the policy and the descriptions name join the data's own: where a sentence says a
// record's status is or becomes them, written as the data writes its values (or quoted), for the
// records the sentence names. Never a field's name, nor a known value in another case.
import { describe, expect, it } from "vitest";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { inferServiceSchema } from "../../../plugins/schema/service-schema.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  bills: {
    B1: { bill_id: "B1", line_id: "L1", status: "OPEN", amount_due: 20 },
    B2: { bill_id: "B2", line_id: "L1", status: "PAID", amount_due: 0 },
    B3: { bill_id: "B3", line_id: "L2", status: "OPEN", amount_due: 35 },
  },
  lines: {
    L1: { line_id: "L1", status: "Active", plan: "basic" },
    L2: { line_id: "L2", status: "Suspended", plan: "plus" },
    L3: { line_id: "L3", status: "Active", plan: "plus" },
  },
};
const shape = { lists: {}, singles: [] };
const tools = [
  toolSpec(
    "send_bill_reminder",
    { bill_id: { type: "string" } },
    ["bill_id"],
    "Sends a reminder. Sets the bill status to AWAITING_PAYMENT.",
  ),
  toolSpec("resume_line", { line_id: { type: "string" } }, ["line_id"], "Resume a suspended line: its status becomes active again."),
];
const statuses = (policy?: string) =>
  Object.fromEntries(
    inferServiceSchema("phone", tools, data, { ...shape, ...(policy ? { policy } : {}) }).tables.map((t) => [t.name, t.status?.values]),
  );

describe("status values named in the texts", () => {
  it("join the data's own for the records the sentence names, in the data's style", () => {
    expect(inferTables(data, shape).map((t) => t.status?.values)).toEqual([
      ["OPEN", "PAID"],
      ["Active", "Suspended"],
    ]);
    expect(statuses("A line's status is one of Active, Suspended or Pending. The status of a bill is 'VOID' once written off.")).toEqual({
      bills: ["OPEN", "PAID", "VOID", "AWAITING_PAYMENT"],
      lines: ["Active", "Suspended", "Pending"],
    });
  });

  it("take no field name, no ordinary word, and no known value written in another case", () => {
    // "active" is Active; `plan` is a field; "set to done" is not in the data's style.
    expect(statuses("A line's status is set to `plan` by nobody. The line status becomes done or active.")).toEqual({
      bills: ["OPEN", "PAID", "AWAITING_PAYMENT"],
      lines: ["Active", "Suspended"],
    });
  });

  it("reach the record types the code is compiled against", () => {
    const bills = inferServiceSchema("phone", tools, data, shape).tables.find((t) => t.name === "bills");
    expect(bills?.fields.find((f) => f.name === "status")?.enum).toEqual(["OPEN", "PAID", "AWAITING_PAYMENT"]);
  });
});
