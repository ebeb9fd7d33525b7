// A record named by a digest of its own text within a parent the call names: a rider on a route is
// found by `rider_hash` (the SHA-1 of the rider's lowercase handle, as the data's `id` holds it), or by
// the handle itself, among the riders of the route `route_id` names; not the route itself.

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyedCollections } from "../../../lib/data-pack/read.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const sha1 = (text: string) => createHash("sha1").update(text.trim().toLowerCase()).digest("hex");
const rider = (route: string, handle: string, seat: string, n: number) => ({
  id: sha1(handle),
  handle,
  seat,
  stop: `stop ${n}`,
  route_id: route,
  ticket_no: `t${n}`,
});
const data = {
  routes: {
    r_north: { id: "r_north", name: "North loop" },
    r_south: { id: "r_south", name: "South loop" },
  },
  // The same rider on two routes: their hash is no key of its own.
  riders: [
    rider("r_north", "Wren.Ash@example.org", "window", 1),
    rider("r_south", "Wren.Ash@example.org", "aisle", 2),
    rider("r_north", "ola.birch@example.org", "aisle", 3),
  ],
};

const move = toolSpec(
  "update_rider",
  {
    route_id: { type: "string" },
    rider_hash: { type: "string", description: "SHA-1 of the lowercase handle." },
    seat: { type: "string" },
  },
  ["route_id", "rider_hash"],
  "Update a rider's seat.",
);

describe("records named by a digest of their own text", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("reads the digest off the data: a field that is the hash of another's lowercase text", () => {
    const read = keyedCollections(data, "test data");
    const riders = inferTables(read.data, read).find((t) => t.name === "riders");
    expect(riders?.fields.find((f) => f.name === "id")?.digestOf).toEqual({ field: "handle", algorithm: "sha1", lowercase: true });
    expect(riders?.fields.find((f) => f.name === "handle")?.digestOf).toBeUndefined();
  });

  it("changes the record the digest names on the route the call names, by the digest or the text itself", async () => {
    const env = await serviceEnvironment(sandbox, [move], data);
    const { outcomes, state } = await env.run([
      { tool: "update_rider", arguments: { route_id: "r_south", rider_hash: sha1("wren.ash@example.org"), seat: "front" } },
      { tool: "update_rider", arguments: { route_id: "r_north", rider_hash: "ola.birch@example.org", seat: "back" } },
      { tool: "update_rider", arguments: { route_id: "r_south", rider_hash: sha1("ola.birch@example.org"), seat: "front" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    const riders = state.riders as { seat: string }[];
    expect(riders.map((r) => r.seat)).toEqual(["window", "front", "back"]);
    expect(state.routes).toEqual(data.routes);
  });
});
