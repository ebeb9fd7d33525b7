// A tool that adds a record or updates it when it is there already: a badge holder on a board is
// named by `holder_hash` (the MD5 of the lowercase handle) within the board the call names; the
// holder there takes the fields the call gives (`tier` when given), and a new one takes `tier_if_new`.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const md5 = (text: string) => createHash("md5").update(text.trim().toLowerCase()).digest("hex");
const holder = (board_id: string, handle: string, tier: string, n: number) => ({
  id: md5(handle),
  handle,
  tier,
  board_id,
  badge_no: `b${n}`,
});
const data = {
  boards: { bd_red: { id: "bd_red", title: "Red" }, bd_blue: { id: "bd_blue", title: "Blue" } },
  holders: [
    holder("bd_red", "kit@example.net", "gold", 1),
    holder("bd_blue", "kit@example.net", "bronze", 2),
    holder("bd_red", "lou@example.net", "silver", 3),
  ],
};

const put = toolSpec(
  "add_or_update_holder",
  {
    board_id: { type: "string" },
    holder_hash: { type: "string", description: "MD5 hash of the lowercase handle." },
    handle: { type: "string" },
    tier_if_new: { type: "string", enum: ["gold", "silver", "bronze"] },
    tier: { type: "string", enum: ["gold", "silver", "bronze"] },
  },
  ["board_id", "holder_hash", "handle", "tier_if_new"],
  "Add a holder to a board, or update the holder if the handle is already on it.",
);

describe("adding or updating a record", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("updates the holder the call names on its board, and adds one that is not there", async () => {
    const env = await serviceEnvironment(sandbox, [put], data);
    const { outcomes, state } = await env.run([
      {
        tool: "add_or_update_holder",
        arguments: {
          board_id: "bd_blue",
          holder_hash: md5("kit@example.net"),
          handle: "kit@example.net",
          tier_if_new: "silver",
          tier: "gold",
        },
      },
      {
        tool: "add_or_update_holder",
        arguments: { board_id: "bd_red", holder_hash: "lou@example.net", handle: "lou@example.net", tier_if_new: "gold" },
      },
      {
        tool: "add_or_update_holder",
        arguments: {
          board_id: "bd_blue",
          holder_hash: md5("lou@example.net"),
          handle: "lou@example.net",
          tier_if_new: "bronze",
          tier: "gold",
        },
      },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const holders = state.holders as { board_id: string; handle: string; tier: string }[];
    expect(holders.map((h) => [h.board_id, h.handle, h.tier])).toEqual([
      ["bd_red", "kit@example.net", "gold"],
      ["bd_blue", "kit@example.net", "gold"],
      ["bd_red", "lou@example.net", "silver"],
      ["bd_blue", "lou@example.net", "bronze"],
    ]);
  });
});
