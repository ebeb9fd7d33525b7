// Opaque ids that are base64 of a counter (`Y3BuLTAwNw` is `cpn-007`), as services hand out over
// numbered records: a new record takes the next number, written the same way (padding as the data's
// keys have it). Ids that only look like base64 (decoding to bytes, not text) keep a fresh id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const b64 = (text: string) => Buffer.from(text).toString("base64").replace(/=+$/, "");

const coupon = (id: string, code: string) => ({ id, code, percent: 10 });
const tools = [toolSpec("create_coupon", { code: S("Coupon code.") }, ["code"], "Create a discount coupon.")];
const policy = "Today is 2025-03-05 and the time is 14:30 UTC.";

describe("base64 keys over a counter", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("keys a new record with the next number, encoded as the data's keys are", async () => {
    const keys = ["cpn-007", "cpn-012", "cpn-009"].map(b64);
    const data = { coupons: Object.fromEntries(keys.map((k, i) => [k, coupon(k, `SPRING${i}`)])) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "create_coupon", arguments: { code: "SUMMER" } },
      { tool: "create_coupon", arguments: { code: "AUTUMN" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const made = Object.keys(state.coupons as object).filter((k) => !keys.includes(k));
    expect(made.sort()).toEqual([b64("cpn-013"), b64("cpn-014")].sort());
    expect((state.coupons as Record<string, { code: string }>)[b64("cpn-013")]?.code).toBe("SUMMER");
  });

  it("keeps padding when the data's keys are padded", async () => {
    const keys = ["cp-1", "cp-2"].map((t) => Buffer.from(t).toString("base64"));
    expect(keys.every((k) => k.endsWith("="))).toBe(true);
    const data = { coupons: Object.fromEntries(keys.map((k) => [k, coupon(k, "X")])) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { state } = await env.run([{ tool: "create_coupon", arguments: { code: "SUMMER" } }]);
    expect(Object.keys(state.coupons as object)).toContain(Buffer.from("cp-3").toString("base64"));
  });

  it("does not read keys that decode to bytes as a counter", async () => {
    const keys = ["q8Zx3Lw1", "Pp0vK7aZ", "m2Rt9QxY"];
    const data = { coupons: Object.fromEntries(keys.map((k) => [k, coupon(k, "X")])) };
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { state } = await env.run([{ tool: "create_coupon", arguments: { code: "SUMMER" } }]);
    const made = Object.keys(state.coupons as object).filter((k) => !keys.includes(k));
    expect(made).toHaveLength(1);
    expect(Buffer.from(made[0] as string, "base64").toString("latin1")).not.toMatch(/^[\x20-\x7e]+$/);
  });
});
