// Time-ordered ids: a key that is the record's own time (Unix milliseconds) shifted left by some
// bits and written in hex, as message and snowflake ids are. The data shows it when every key, read
// as a number and shifted back, is exactly the record's time. A new record's key is the clock so
// shifted, past every key held, and its time field is the clock, written as the data writes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const hex = (ms: number, low: number) => ((BigInt(ms) << 8n) + BigInt(low)).toString(16);

const times = [1740000000000, 1740500000000, 1741000000000];
const readings = (time: (ms: number) => unknown) =>
  Object.fromEntries(
    times.map((ms, i) => {
      const id = hex(ms, 17 * (i + 1));
      return [id, { id, sensor: "greenhouse", value: String(20 + i), takenAt: time(ms) }];
    }),
  );
const tools = [
  toolSpec("record_reading", { sensor: S("Sensor name."), value: S("Reading.") }, ["sensor", "value"], "Record a sensor reading."),
];
const policy = "Today is 2025-03-05 and the time is 14:30 UTC.";
const NOW = Date.parse("2025-03-05T14:30:00Z");

describe("keys made from the clock", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("keys a new record with the clock, shifted as the data's keys are, and stamps its time so", async () => {
    const data = { readings: readings((ms) => String(ms)) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "record_reading", arguments: { sensor: "cellar", value: "12" } },
      { tool: "record_reading", arguments: { sensor: "cellar", value: "13" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const all = state.readings as Record<string, Record<string, unknown>>;
    const first = hex(NOW, 0);
    expect(all[first]).toMatchObject({ id: first, sensor: "cellar", value: "12", takenAt: String(NOW) });
    // The second call's clock may have moved on: its key is still its own time, shifted.
    const second = Object.values(all).find((r) => r.value === "13");
    expect(second && BigInt(`0x${second.id}`) >> 8n).toBe(BigInt(second?.takenAt as string));
  });

  it("writes the time as a number when the data does", async () => {
    const data = { readings: readings((ms) => ms) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { state } = await env.run([{ tool: "record_reading", arguments: { sensor: "cellar", value: "12" } }]);
    expect((state.readings as Record<string, Record<string, unknown>>)[hex(NOW, 0)]?.takenAt).toBe(NOW);
  });

  it("keeps a fresh id when the keys are not the records' times", async () => {
    const data = { readings: readings((ms) => String(ms + 5000)) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { state } = await env.run([{ tool: "record_reading", arguments: { sensor: "cellar", value: "12" } }]);
    expect(Object.keys(state.readings as object)).not.toContain(hex(NOW, 0));
  });
});
