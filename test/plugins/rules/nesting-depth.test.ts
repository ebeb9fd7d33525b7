// "Comments go one level deep only": where a record names its parent among its own kind (a
// comment's `parent`), placing a record under a parent that has a parent itself is refused; under a
// top-level one, or with no parent, it goes through. Without such a sentence, any depth goes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const data = {
  photos: {
    ph_1: { id: "ph_1", title: "Harbour at dawn" },
  },
  comments: {
    cm_1: { id: "cm_1", photo_id: "ph_1", text: "Lovely photo" },
    cm_2: { id: "cm_2", photo_id: "ph_1", text: "Where was this?" },
    cm_3: { id: "cm_3", photo_id: "ph_1", text: "Thanks!", parent: "cm_1" },
  },
};
const tools = [
  toolSpec(
    "create_comment",
    { photo_id: S("Photo id."), text: S("Comment text."), parent: S("Comment id, to reply to it.") },
    ["photo_id", "text"],
    "Add a comment to a photo, or a reply to a comment.",
  ),
];
const calls = [
  { tool: "create_comment", arguments: { photo_id: "ph_1", text: "Agreed", parent: "cm_3" } },
  { tool: "create_comment", arguments: { photo_id: "ph_1", text: "Agreed", parent: "cm_1" } },
  { tool: "create_comment", arguments: { photo_id: "ph_1", text: "First!" } },
];

describe("records nested one level only", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses a parent that has a parent of its own", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Comments go one level deep only: a reply cannot have its own replies.");
    const { outcomes } = await env.run(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
  });

  it("takes any depth when the limit speaks of another kind of record", async () => {
    const env = await serviceEnvironment(
      sandbox,
      tools,
      data,
      "Albums go one level deep only: a sub-album cannot have its own sub-albums.",
    );
    const { outcomes } = await env.run(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
  });

  it("takes any depth when no text limits it", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Be kind in comments.");
    const { outcomes } = await env.run(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
  });
});
