// A state said in a parenthesised remark after the record ("Publish a draft Exhibition (status becomes
// showing)") is the state the call leaves it in, not one made up from the tool's verb ("published").
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
    ex_3: { id: "ex_3", title: "Tide", status: "archived" },
  },
  artworks: {
    aw_1: { id: "aw_1", exhibition_id: "ex_1", title: "Brine I" },
    aw_2: { id: "aw_2", exhibition_id: "ex_2", title: "Frond" },
  },
});

const publish = toolSpec(
  "publish_exhibition",
  { exhibition_id: { type: "string", description: "Exhibition id." } },
  ["exhibition_id"],
  "Publish a draft Exhibition (status becomes showing). The Exhibition must have at least one Artwork and a title.",
);

describe("a state in a parenthesised remark", () => {
  it("leaves the record in the remarked state", async () => {
    const env = await serviceEnvironment(sandbox, [publish], gallery());
    const { outcomes, state } = await env.run([{ tool: "publish_exhibition", arguments: { exhibition_id: "ex_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.exhibitions as Record<string, { status: string }>).ex_1?.status).toBe("showing");
  });
});
