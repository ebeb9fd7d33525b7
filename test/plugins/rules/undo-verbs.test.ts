// A tool whose verb undoes another's (`unpublish_poster`, `unsubscribe_…` excepted): the record must
// be in the state the undone verb leads to (published), and goes back to the state the data's
// records start in (draft). A verb whose own state the data shows (`unretire` → unretired) is no undo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const poster = (id: string, state: string) => ({ id, title: `Poster ${id}`, state });
const data = {
  posters: Object.fromEntries(
    [
      poster("p1", "draft"),
      poster("p2", "draft"),
      poster("p3", "draft"),
      poster("p4", "published"),
      poster("p5", "retired"),
      poster("p6", "unretired"),
    ].map((p) => [p.id, p]),
  ),
};
const tools = [
  toolSpec("unpublish_poster", { poster_id: { type: "string" } }, ["poster_id"], "Take a poster down."),
  toolSpec("unretire_poster", { poster_id: { type: "string" } }, ["poster_id"], "Bring a poster back."),
];

describe("verbs that undo another's act", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("needs the state the undone act leads to and goes back to the first state", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "unpublish_poster", arguments: { poster_id: "p4" } },
      { tool: "unpublish_poster", arguments: { poster_id: "p1" } },
      { tool: "unretire_poster", arguments: { poster_id: "p5" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const posters = state.posters as Record<string, { state: string }>;
    expect(posters.p4?.state).toBe("draft");
    expect(posters.p1?.state).toBe("draft");
    expect(posters.p5?.state).toBe("unretired");
  });
});
