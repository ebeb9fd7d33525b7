// A record a call is given and uses: a voucher applied to a booking counts one more use
// (`times_used`), and the booking's struct that holds a voucher (`offer: {voucher, since, until}`)
// is filled with it, from now.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const travel: DomainState = {
  vouchers: {
    SUMMER5: { id: "SUMMER5", percent: 5, times_used: 3, max_uses: 10 },
    AUTUMN9: { id: "AUTUMN9", percent: 9, times_used: 0, max_uses: null },
  },
  bookings: {
    bk_701: { id: "bk_701", guest: "Ines", nights: 2, offer: { voucher: "SUMMER5", since: 1751000000, until: null } },
    bk_702: { id: "bk_702", guest: "Olu", nights: 4, offer: null },
    bk_703: { id: "bk_703", guest: "Pia", nights: 1, offer: { voucher: "AUTUMN9", since: 1752000000, until: 1754000000 } },
  },
};

const spec = toolSpec(
  "update_booking",
  {
    booking: { type: "string", description: "The booking id, e.g. bk_701." },
    voucher: { type: "string", description: "Voucher code to put on the booking." },
  },
  ["booking"],
  "Changes a booking: put a voucher on it.",
);

describe("a record the call is given and uses", () => {
  const service = deriveRules("d", [spec], inferTables(travel), travel, null).tools[0]?.service as ServiceModel;
  const given = [{ left: { kind: "parameter", name: "voucher" }, op: "given" }];

  it("counts one more use of the voucher when one is given", () => {
    const use = service.effects.find((e) => e.rule.kind === "add");
    expect(use?.rule).toEqual({
      kind: "add",
      place: { hops: [], path: ["times_used"], root: { table: "vouchers", key: { kind: "parameter", name: "voucher" } } },
      amount: { kind: "constant", value: 1 },
      sign: 1,
    });
    expect(use?.when).toEqual(given);
  });

  it("fills the booking's offer with the voucher, from now", () => {
    const offer = service.effects.find((e) => e.rule.kind === "set" && e.rule.place.path[0] === "offer");
    expect(offer?.rule).toEqual({
      kind: "set",
      place: { hops: [], path: ["offer"] },
      value: {
        kind: "object",
        fields: {
          voucher: { kind: "parameter", name: "voucher" },
          since: { kind: "now", unixSeconds: true },
          until: { kind: "constant", value: null },
        },
      },
    });
    expect(offer?.when).toEqual(given);
  });
});
