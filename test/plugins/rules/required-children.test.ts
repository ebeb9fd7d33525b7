// "The Exhibition must have at least one Artwork": a record none of whose records of the table named
// refers to it is refused; one with such a record goes through.
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

const gallery = () => ({
  exhibitions: {
    ex_1: { id: "ex_1", title: "Salt", status: "draft" },
    ex_2: { id: "ex_2", title: "Kelp", status: "showing" },
    ex_3: { id: "ex_3", title: "Tide", status: "draft" },
  },
  artworks: {
    aw_1: { id: "aw_1", exhibition_id: "ex_1", title: "Brine I" },
    aw_2: { id: "aw_2", exhibition_id: "ex_2", title: "Frond" },
  },
});

const open = toolSpec(
  "open_exhibition",
  { exhibition_id: { type: "string", description: "Exhibition id." } },
  ["exhibition_id"],
  "Open a draft Exhibition (status becomes showing). The Exhibition must have at least one Artwork and a title.",
);

describe("records a record must have", () => {
  it("refuses a record with none of them", async () => {
    const env = await serviceEnvironment(sandbox, [open], gallery());
    const { outcomes } = await env.run([
      { tool: "open_exhibition", arguments: { exhibition_id: "ex_3" } },
      { tool: "open_exhibition", arguments: { exhibition_id: "ex_1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });
});
