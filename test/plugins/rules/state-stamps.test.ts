// A struct of stamps, one per state (`transitions.cancelled_at`), and what a record still owes: a
// call that puts a fine in the state `waived` stamps the part only waived fines hold and leaves
// nothing owed, as every waived fine in the data owes nothing and the issued ones it may waive owe.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const fine = (id: string, status: string, owed: number, stamps: Record<string, number | null>) => ({
  id,
  status,
  amount: 50,
  amount_outstanding: owed,
  transitions: { issued_at: 1700000000, paid_at: null, waived_at: null, ...stamps },
  // A time of the record's own that the one waived fine happens to hold, as one issued fine does.
  review_on: status === "waived" || id === "f1" ? 1700400000 : null,
});
const library: DomainState = {
  fines: {
    f1: fine("f1", "issued", 50, {}),
    f2: fine("f2", "issued", 20, {}),
    f3: fine("f3", "settled", 0, { paid_at: 1700100000 }),
    f4: fine("f4", "settled", 0, { paid_at: 1700200000 }),
    f5: fine("f5", "waived", 0, { waived_at: 1700300000 }),
    f6: fine("f6", "issued", 35, {}),
  },
};
const waive = toolSpec(
  "waive_fine",
  { fine: { type: "string", description: "The fine id." } },
  ["fine"],
  "Waives a fine that is issued. The fine becomes waived.",
);

describe("stamps of a state kept in a struct, and nothing owed after it", () => {
  const service = deriveRules("d", [waive], inferTables(library), library, null).tools[0]?.service as ServiceModel;
  const set = (path: string) =>
    service.effects.find((e) => e.rule.kind === "set" && e.rule.place.hops.length === 0 && e.rule.place.path.join(".") === path)?.rule;

  it("stamps the part only records in the new state hold, now", () => {
    expect(set("transitions.waived_at")).toMatchObject({ value: { kind: "now", unixSeconds: true } });
    expect(set("transitions.paid_at")).toBeUndefined();
    expect(set("transitions.issued_at")).toBeUndefined();
  });

  it("reads a time named with a money word (`paid_at`) as a time, and stamps none one record alone shows", () => {
    const fines = inferTables(library).find((t) => t.name === "fines");
    const stamps = fines?.fields.find((f) => f.name === "transitions")?.fields ?? [];
    expect(stamps.find((f) => f.name === "paid_at")?.unixSeconds).toBe(true);
    // One waived fine holds review_on: too little to take it for the state's own time.
    expect(set("review_on")).toBeUndefined();
  });

  it("leaves nothing owed when the records it may act on owe and the ones in the new state do not", () => {
    expect(set("amount_outstanding")).toMatchObject({ value: { kind: "constant", value: 0 } });
    expect(set("amount")).toBeUndefined();
  });
});
