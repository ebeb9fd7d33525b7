// A field every record holds as two sibling fields joined by a space (`full` = `given` `family`):
// a call that renames one part writes the whole again, and a call that touches neither leaves it.
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

const choir = () => ({
  singers: {
    s_1: { id: "s_1", part: "alto", card: { given: "Ilse", family: "Marr", full: "Ilse Marr" } },
    s_2: { id: "s_2", part: "bass", card: { given: "Oren", family: "Tal", full: "Oren Tal" } },
  },
});

const rename = toolSpec(
  "rename_singer",
  {
    singer_id: { type: "string", description: "Singer id." },
    family: { type: "string", description: "New family name." },
  },
  ["singer_id", "family"],
  "Change a Singer's family name.",
);
const move = toolSpec(
  "move_singer",
  { singer_id: { type: "string", description: "Singer id." }, part: { type: "string", description: "New voice part." } },
  ["singer_id", "part"],
  "Move a Singer to another voice part.",
);

describe("joined fields", () => {
  it("writes the joined field again when a part changes", async () => {
    const env = await serviceEnvironment(sandbox, [rename, move], choir());
    const { outcomes, state } = await env.run([
      { tool: "rename_singer", arguments: { singer_id: "s_1", family: "Oduya" } },
      { tool: "move_singer", arguments: { singer_id: "s_2", part: "tenor" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const singers = state.singers as Record<string, { card: { full: string } }>;
    expect(singers.s_1?.card.full).toBe("Ilse Oduya");
    expect(singers.s_2?.card.full).toBe("Oren Tal");
  });
});
