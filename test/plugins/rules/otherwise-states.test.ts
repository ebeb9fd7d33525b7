// A new record's first state when the description names an exception first: "A request made fewer
// than 3 days before arrival is created with status late; otherwise queued" — a plain new request is
// queued (the condition picks the other), and approving it "while the cabin is open" or "adds to the
// cabin's booked_nights" neither reopens the cabin nor makes a new cabin.
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

const lodge = () => ({
  cabins: {
    c_1: { id: "c_1", name: "Fir", state: "open", booked_nights: 4, guest: "Ona" },
    c_2: { id: "c_2", name: "Ash", state: "closed", booked_nights: 0, guest: "Rue" },
  },
  stay_requests: {
    r_1: { id: "r_1", cabin_id: "c_1", guest: "Ona", status: "queued", nights: 2 },
    r_2: { id: "r_2", cabin_id: "c_1", guest: "Pel", status: "late", nights: 1 },
    r_3: { id: "r_3", cabin_id: "c_2", guest: "Rue", status: "accepted", nights: 3 },
    r_4: { id: "r_4", cabin_id: "c_2", guest: "Sim", status: "queued", nights: 5 },
  },
});

const request = toolSpec(
  "create_stay_request",
  { cabin_id: { type: "string", description: "Cabin id." }, guest: { type: "string", description: "Guest name." } },
  ["cabin_id", "guest"],
  "Submit a Stay Request for a Cabin. A request made fewer than 3 days before arrival is created with status late; otherwise queued. Returns the request.",
);

const accept = toolSpec(
  "accept_stay_request",
  { stay_request_id: { type: "string", description: "Stay Request id." } },
  ["stay_request_id"],
  "Accept a Stay Request (queued requests only, while the Cabin is open): adds to the cabin's booked_nights; the request becomes accepted.",
);

describe("a first state after an exception, and states the call only finds", () => {
  it("creates a plain request in the otherwise state", async () => {
    const env = await serviceEnvironment(sandbox, [request], lodge());
    const { outcomes, state } = await env.run([{ tool: "create_stay_request", arguments: { cabin_id: "c_1", guest: "Tam" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const made = Object.values(state.stay_requests as Record<string, { guest: string; status: string }>).find((r) => r.guest === "Tam");
    expect(made?.status).toBe("queued");
  });

  it("accepts without reopening the cabin or making a cabin", async () => {
    const env = await serviceEnvironment(sandbox, [accept], lodge());
    const { outcomes, state } = await env.run([{ tool: "accept_stay_request", arguments: { stay_request_id: "r_4" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const cabins = state.cabins as Record<string, { state: string }>;
    expect(Object.keys(cabins)).toEqual(["c_1", "c_2"]);
    expect(cabins.c_2?.state).toBe("closed");
    expect((state.stay_requests as Record<string, { status: string }>).r_4?.status).toBe("accepted");
  });
});
