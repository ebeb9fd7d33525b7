// "Rejected for a non-refundable fare": a call that names a record whose boolean field of that name
// is false is refused; the record is named by a field of its own the call gives (`code`). A flag
// another sentence asks of some calls only ("group bookings must use a transferable fare") is no
// refusal of every call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const ferry = () => ({
  fares: {
    f_1: { id: "f_1", code: "FLEX", price: 40, refundable: true, transferable: true },
    f_2: { id: "f_2", code: "SAVER", price: 25, refundable: false, transferable: false },
  },
  claims: {
    c_1: { id: "c_1", code: "FLEX", seats: 2, created_at: "2025-04-01T08:00:00Z" },
  },
});

const claim = toolSpec(
  "create_claim",
  {
    code: { type: "string", description: "The fare's code, e.g. FLEX." },
    seats: { type: "integer", description: "Seats to claim back." },
  },
  ["code", "seats"],
  "Files a refund claim for a fare. Group claims must use a transferable fare. Rejected with 403 for a non-refundable or non-transferable fare.",
);

describe("refusals of a record without a flag", () => {
  it("refuses a call naming a record whose flag is false, and only for the flag asked of every call", async () => {
    const env = await serviceEnvironment(sandbox, [claim], ferry());
    const flags = (env.rules.tools[0]?.service.requires ?? []).flatMap((r) =>
      r.rule.kind === "compare" && r.rule.condition.left.kind === "match" ? [r.rule.condition.left.field] : [],
    );
    expect(flags).toEqual(["refundable"]);
    const { outcomes, state } = await env.run([
      { tool: "create_claim", arguments: { code: "SAVER", seats: 1 } },
      { tool: "create_claim", arguments: { code: "FLEX", seats: 1 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(Object.keys(state.claims as object)).toHaveLength(2);
  });
});

// "shareWithPublic exists only for club accounts; on this account the service refuses it": a flag
// argument a sentence opening with its name turns down is refused when set, and nothing else is.
const settings = () => ({ gallery: { title: "Spring", shareWithFriends: false, shareWithPublic: false } });
const putSettings = toolSpec(
  "put_gallery",
  { title: { type: "string" }, shareWithFriends: { type: "boolean" }, shareWithPublic: { type: "boolean" } },
  ["title"],
  "Replace the gallery's settings.",
);

describe("flag arguments the service turns down", () => {
  it("refuses the flag a sentence opening with its name says the service refuses", async () => {
    const env = await serviceEnvironment(
      sandbox,
      [putSettings],
      settings(),
      "shareWithPublic exists only for club accounts; on this account the service refuses it. shareWithFriends lets friends see the gallery.",
    );
    const { outcomes, state } = await env.run([
      { tool: "put_gallery", arguments: { title: "Summer", shareWithPublic: true } },
      { tool: "put_gallery", arguments: { title: "Summer", shareWithFriends: true, shareWithPublic: false } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(state.gallery).toMatchObject({ title: "Summer", shareWithFriends: true, shareWithPublic: false });
  });

  it("refuses nothing when no sentence turns the flag down", async () => {
    const env = await serviceEnvironment(sandbox, [putSettings], settings(), "shareWithPublic shows the gallery to everyone.");
    const { outcomes } = await env.run([{ tool: "put_gallery", arguments: { title: "Summer", shareWithPublic: true } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
  });
});
