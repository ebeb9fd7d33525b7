// Moves written without "up by"/"down by": "the member's points change by the amount" moves them by
// the amount as signed (a negative amount lowers them), and "the voucher's amount_used grows" moves
// by the amount the call gives, only on the calls that give one; "on an open bill it reduces the
// amount still owed" does so on calls whose bill is open.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const I = (description: string) => ({ type: "integer", description });

function serviceOf(data: DomainState, spec: ToolSpec): ServiceModel {
  return deriveRules("d", [spec], inferTables(data), data, null).tools[0]?.service as ServiceModel;
}

const club: DomainState = {
  members: {
    mem_1: { id: "mem_1", name: "Ada", points: 120 },
    mem_2: { id: "mem_2", name: "Ben", points: 0 },
  },
  point_entries: { pe_1: { id: "pe_1", member: "mem_1", amount: 120, note: "Welcome" } },
  vouchers: {
    vo_1: { id: "vo_1", member: "mem_1", amount: 5000, amount_used: 0 },
    vo_2: { id: "vo_2", member: "mem_2", amount: 2000, amount_used: 500 },
  },
  redemptions: { rd_1: { id: "rd_1", voucher: "vo_2", amount: 500 } },
};

describe("moves written without 'up by' or 'down by'", () => {
  it("reads 'the member's points change by the amount' as a move by the signed amount", () => {
    const s = serviceOf(
      club,
      toolSpec(
        "create_point_entry",
        { member: S('The member id, e.g. "mem_1".'), amount: I("Points, negative to take some away."), note: S("Why.") },
        ["member", "amount", "note"],
        "Adds an entry to a member's point history. The member's points change by the amount.",
      ),
    );
    const moves = s.effects.map((r) => r.rule).filter((r) => r.kind === "add");
    expect(moves).toEqual([
      {
        kind: "add",
        place: { hops: [{ field: "member", table: "members" }], path: ["points"] },
        amount: { kind: "parameter", name: "amount" },
        sign: 1,
      },
    ]);
  });

  it("reads 'the voucher's amount_used grows' as a move by the amount the call gives, when it gives one", () => {
    const s = serviceOf(
      club,
      toolSpec(
        "create_redemption",
        { voucher: S('The voucher id, e.g. "vo_1".'), amount: I("Amount to redeem.") },
        ["voucher"],
        "Redeems part of a voucher. The voucher's amount_used grows.",
      ),
    );
    const moves = s.effects.filter((r) => r.rule.kind === "add");
    expect(moves.map((r) => [r.rule, r.when])).toEqual([
      [
        {
          kind: "add",
          place: { hops: [{ field: "voucher", table: "vouchers" }], path: ["amount_used"] },
          amount: { kind: "parameter", name: "amount" },
          sign: 1,
        },
        [{ left: { kind: "parameter", name: "amount" }, op: "given" }],
      ],
    ]);
  });

  it("leaves a bare 'grows' unread when the call gives no amount", () => {
    const s = serviceOf(
      club,
      toolSpec(
        "use_voucher",
        { voucher: S('The voucher id, e.g. "vo_1".') },
        ["voucher"],
        "Uses a voucher. The voucher's amount_used grows.",
      ),
    );
    expect(s.effects.filter((r) => r.rule.kind === "add")).toEqual([]);
  });
});

describe("a move on a record the new one refers to, in one state", () => {
  const billing: DomainState = {
    bills: {
      bl_1: { id: "bl_1", status: "open", amount_owed: 3000 },
      bl_2: { id: "bl_2", status: "paid", amount_owed: 0 },
    },
    adjustments: { ad_1: { id: "ad_1", bill: "bl_2", amount: 500, note: "Late fee waived" } },
  };

  it("reads 'on an open bill it reduces the amount still owed' as a move on the bill, when it is open", () => {
    const s = serviceOf(
      billing,
      toolSpec(
        "create_adjustment",
        { bill: S('The bill id, e.g. "bl_1".'), amount: I("Amount in cents."), note: S("Why.") },
        ["bill", "amount"],
        "Issues an adjustment that lowers what a bill is worth. On an open bill it reduces the amount still owed.",
      ),
    );
    const moves = s.effects.filter((r) => r.rule.kind === "add");
    expect(moves.map((r) => [r.rule, r.when])).toEqual([
      [
        {
          kind: "add",
          place: { hops: [{ field: "bill", table: "bills" }], path: ["amount_owed"] },
          amount: { kind: "parameter", name: "amount" },
          sign: -1,
        },
        [
          {
            left: { kind: "read", place: { hops: [{ field: "bill", table: "bills" }], path: ["status"] } },
            op: "==",
            right: { kind: "constant", value: "open" },
          },
        ],
      ],
    ]);
  });
});
