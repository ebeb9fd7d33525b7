// A new record's key as the description spells it out (a prefix and the count of the records plus
// one, zero-padded), where the data's random keys show no pattern a new key could follow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

describe("a new key the description spells out", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("gives 'AL' and the count of albums plus one in 6 digits, so the next call can name the new record", async () => {
    const data = {
      albums: {
        Xq93kLmPz: { id: "Xq93kLmPz", title: "Harbor", year: "2019" },
        b7TTw02Qa: { id: "b7TTw02Qa", title: "Lanterns", year: "2021" },
      },
    };
    const tools = [
      toolSpec(
        "make_album",
        { title: S("Album title"), year: S("Release year") },
        ["title", "year"],
        'Create an album. The new id is "AL" followed by (number of stored albums + 1) zero-padded to 6 digits. Returns the new album.',
      ),
      toolSpec("retitle_album", { album_id: S("Album id"), title: S("New title") }, ["album_id", "title"], "Change an album's title."),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "make_album", arguments: { title: "Tide", year: "2024" } },
      { tool: "make_album", arguments: { title: "Ember", year: "2025" } },
      { tool: "retitle_album", arguments: { album_id: "AL000003", title: "Tides" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(Object.keys(state.albums as object).sort()).toEqual(["AL000003", "AL000004", "Xq93kLmPz", "b7TTw02Qa"]);
    expect((state.albums as Record<string, { title: string }>).AL000003?.title).toBe("Tides");
  });
});
