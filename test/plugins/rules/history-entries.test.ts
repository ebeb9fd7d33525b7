// A history entry of the number a call moves: its size (`delta`) and the number the call leaves
// (`count_after_change`), for an amount added ("adds change to the current count") and for a value set in
// place of the old one (a count: the new value minus the old), even when the setting comes from the
// schema after the entry was read.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const store: DomainState = {
  bins: {
    "1": { id: 1, count: 10, updated_at: "2025-01-01" },
    "2": { id: 2, count: 4, updated_at: "2025-01-01" },
  },
  ledger_lines: {
    "501": { id: 501, bin_id: 1, delta: 3, count_after_change: 10, created_at: "2025-01-01" },
    "502": { id: 502, bin_id: 2, delta: -1, count_after_change: 4, created_at: "2025-01-01" },
  },
};

function inserted(spec: ToolSpec) {
  const service = deriveRules("d", [spec], inferTables(store), store, null).tools[0]?.service as ServiceModel;
  const insert = service.effects.map((r) => r.rule).find((r) => r.kind === "insert");
  return insert?.kind === "insert" ? insert.fields : undefined;
}
const count = { hops: [], path: ["count"] };
const bin = { type: "integer", description: "Bin id" };

describe("history entries", () => {
  it("records an amount added: delta is the amount, count_after_change (a name that ends as a size does) the count the call leaves", () => {
    const fields = inserted(
      toolSpec(
        "adjust_bin_count",
        { bin_id: bin, change: { type: "integer", description: "Signed change" } },
        ["bin_id", "change"],
        "Adjusts the count of a bin by a signed change (adds change to the current count). Each change appends a ledger line: {id, bin_id, delta, count_after_change, created_at}.",
      ),
    );
    expect(fields?.delta).toEqual({ kind: "parameter", name: "change" });
    expect(fields?.count_after_change).toEqual({ kind: "read", place: count, after: true });
  });

  it("records a count set in place of the old one: delta is the new value minus the old", () => {
    const fields = inserted(
      toolSpec(
        "set_bin_count",
        { bin_id: bin, count: { type: "integer", description: "The new count" } },
        ["bin_id", "count"],
        "Sets the count of a bin to an absolute value after a physical count. Otherwise records one ledger line whose delta is the difference: {id, bin_id, delta, count_after_change, created_at}.",
      ),
    );
    expect(fields?.delta).toEqual({
      kind: "arith",
      op: "-",
      left: { kind: "parameter", name: "count" },
      right: { kind: "read", place: count },
    });
    expect(fields?.count_after_change).toEqual({ kind: "read", place: count, after: true });
  });
});
