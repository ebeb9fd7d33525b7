// An entry of the record's list picked by its values, not its key: "books one of its slot_offers,
// chosen by room and sitting" copies the entry into `chosen_offer` and "the price is charged to the
// guest's balance (refused when it does not cover it)" takes that entry's price off, on a dining service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const offer = (room: string, sitting: string, price: string) => ({ room, sitting, price });
const data = {
  guests: { gst_1: { id: "gst_1", name: "Aya", balance: "60.00" }, gst_2: { id: "gst_2", name: "Bo", balance: "5.00" } },
  tables: {
    tbl_1: {
      id: "tbl_1",
      guest_id: "gst_1",
      status: "offered",
      slot_offers: [offer("garden", "early", "12.00"), offer("garden", "late", "18.00"), offer("cellar", "late", "25.00")],
      chosen_offer: null,
    },
    tbl_2: { id: "tbl_2", guest_id: "gst_2", status: "offered", slot_offers: [offer("cellar", "early", "20.00")], chosen_offer: null },
    tbl_3: {
      id: "tbl_3",
      guest_id: "gst_1",
      status: "booked",
      slot_offers: [offer("garden", "early", "12.00")],
      chosen_offer: offer("garden", "early", "12.00"),
    },
  },
};

const tools = [
  toolSpec(
    "book_table",
    {
      table_id: { type: "string", description: "The table." },
      room: { type: "string", enum: ["garden", "cellar"], description: "The room of the chosen offer." },
      sitting: { type: "string", enum: ["early", "late"], description: "The sitting of the chosen offer." },
    },
    ["table_id", "room", "sitting"],
    "Books a table by taking one of its slot_offers, chosen by room and sitting. The price is charged to the guest's balance (refused when it does not cover it); the table becomes booked with chosen_offer. Returns the Table.",
  ),
];

describe("an entry picked by its values", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("copies the entry both values pick and charges its price", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-07-01 and the time is 18:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "book_table", arguments: { table_id: "tbl_1", room: "garden", sitting: "late" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.tables as Record<string, Record<string, unknown>>).tbl_1).toMatchObject({
      status: "booked",
      chosen_offer: { room: "garden", sitting: "late", price: "18.00" },
    });
    expect((state.guests as Record<string, Record<string, unknown>>).gst_1?.balance).toBe("42.00");
  });

  it("refuses an entry the balance does not cover", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-07-01 and the time is 18:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "book_table", arguments: { table_id: "tbl_2", room: "cellar", sitting: "early" } }]);
    expect(outcomes[0]?.ok).toBe(false);
    expect((state.guests as Record<string, Record<string, unknown>>).gst_2?.balance).toBe("5.00");
  });
});
