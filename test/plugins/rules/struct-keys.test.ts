// A struct a call writes whole from its parameters (a rating {id, score, comment}) takes its key
// part from the counter the data keeps for its kind (`settings.next_rating_id`), not an empty text.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { SINGLE_KEY } from "../../../lib/data-pack/read.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const shop: DomainState = {
  orders: {
    o1: { id: "o1", status: "delivered", rating: { id: 901, score: "good", comment: "fast" } },
    o2: { id: "o2", status: "delivered", rating: { id: 902, score: "bad", comment: "late" } },
    o3: { id: "o3", status: "placed", rating: { id: 903, score: "good", comment: "" } },
  },
  settings: { [SINGLE_KEY]: { shop: "s", next_rating_id: 904 } },
};

describe("struct keys", () => {
  it("takes a rating's id from the counter the data keeps for ratings", () => {
    const spec = toolSpec(
      "rate_order",
      {
        order_id: { type: "string", description: "Order id" },
        score: { type: "string", enum: ["good", "bad"], description: "Score" },
        comment: { type: "string", description: "Why" },
      },
      ["order_id", "score"],
      "Rate a delivered order. A new rating replaces any earlier one.",
    );
    const service = deriveRules("d", [spec], inferTables(shop, { lists: {}, singles: ["settings"] }), shop, null).tools[0]
      ?.service as ServiceModel;
    const set = service.effects.map((r) => r.rule).find((r) => r.kind === "set" && r.place.path.join(".") === "rating");
    expect(set).toEqual({
      kind: "set",
      place: { hops: [], path: ["rating"] },
      value: {
        kind: "object",
        fields: {
          id: { kind: "next", counter: { hops: [], root: { table: "settings" }, path: ["next_rating_id"] }, prefix: "" },
          score: { kind: "parameter", name: "score" },
          comment: { kind: "parameter", name: "comment" },
        },
      },
    });
  });
});
