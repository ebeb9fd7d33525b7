// Times the data writes as Unix seconds (`created: 1746436800`), as some APIs write every time: the
// field is a time, and "now" is written into it as a number of seconds, not as text. A time no record
// has set yet (`closed_at: null`) beside such fields is written the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

const desk = () => ({
  tickets: {
    tk_1: { id: "tk_1", subject: "Printer", status: "open", priority: 3, created: 1756800000, closed_at: null },
    tk_2: { id: "tk_2", subject: "VPN", status: "open", priority: 1, created: 1757000000, closed_at: null },
  },
});
const clock = "Today is 2025-09-16; the current time is 2025-09-16T15:00:00Z.";

describe("times written as Unix seconds", () => {
  it("reads integer times in the epoch's range as times, and leaves other integers alone", () => {
    const fields = inferTables(desk()).find((t) => t.name === "tickets")?.fields ?? [];
    const of = (name: string) => fields.find((f) => f.name === name);
    expect(of("created")).toMatchObject({ type: "integer", unixSeconds: true });
    expect(of("closed_at")).toMatchObject({ type: "integer", unixSeconds: true });
    expect(of("priority")?.unixSeconds).toBeUndefined();
  });

  it("stamps a new record's time with now in Unix seconds", async () => {
    const open = toolSpec(
      "create_ticket",
      { subject: { type: "string", description: "What it is about." } },
      ["subject"],
      "Opens a ticket.",
    );
    const env = await serviceEnvironment(sandbox, [open], desk(), clock);
    const { outcomes, state } = await env.run([{ tool: "create_ticket", arguments: { subject: "Badge" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const made = Object.values(state.tickets as Record<string, { subject: string; created: unknown }>).find((t) => t.subject === "Badge");
    expect(made?.created).toBe(Date.parse("2025-09-16T15:00:00Z") / 1000);
  });

  it("sets a time a description sets to now in Unix seconds", async () => {
    const close = toolSpec(
      "close_ticket",
      { ticket_id: { type: "string", description: 'The ticket id, e.g. "tk_1".' } },
      ["ticket_id"],
      "Closes a ticket: its status becomes closed and closed_at is set to now.",
    );
    const env = await serviceEnvironment(sandbox, [close], desk(), clock);
    const { state } = await env.run([{ tool: "close_ticket", arguments: { ticket_id: "tk_2" } }]);
    expect((state.tickets as Record<string, { closed_at: unknown }>).tk_2?.closed_at).toBe(1758034800);
  });
});
