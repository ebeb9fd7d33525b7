// A last-change stamp every record holds alike is the time the data was taken: a call that changes a
// record does not move it. A stamp the records hold each their own is moved to now, as before.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const wallet = (id: string, credit: number, updated_at: string) => ({ id, owner: `o_${id}`, credit, updated_at });
const spec = toolSpec(
  "add_credit",
  { wallet_id: { type: "string", description: "The wallet." }, amount: { type: "number", description: "Credit to add." } },
  ["wallet_id", "amount"],
  "Adds credit to a wallet: its credit goes up by the amount. Returns the Wallet.",
);

const stampOf = (data: DomainState) => {
  const service = deriveRules("d", [spec], inferTables(data), data, null).tools[0]?.service as ServiceModel;
  return service.effects.find((e) => e.rule.kind === "set" && "place" in e.rule && e.rule.place.path[0] === "updated_at");
};

describe("a last-change stamp the records share", () => {
  it("is not moved when every record holds the same one", () => {
    const data: DomainState = {
      wallets: {
        w1: wallet("w1", 10, "2025-03-01T00:00:00Z"),
        w2: wallet("w2", 25, "2025-03-01T00:00:00Z"),
        w3: wallet("w3", 40, "2025-03-01T00:00:00Z"),
      },
    };
    expect(stampOf(data)).toBeUndefined();
  });

  it("is moved to now when the records hold their own", () => {
    const data: DomainState = {
      wallets: {
        w1: wallet("w1", 10, "2025-03-01T00:00:00Z"),
        w2: wallet("w2", 25, "2025-02-11T08:30:00Z"),
        w3: wallet("w3", 40, "2025-01-20T17:45:00Z"),
      },
    };
    expect(stampOf(data)?.rule).toMatchObject({ kind: "set", value: { kind: "now" } });
  });
});
