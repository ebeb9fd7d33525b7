// One flag that needs another to hold a value: "a shared folder must have listed false" refuses a
// call that sets shared and leaves listed true (by its stated default too), and verification
// keeps the rule (its broken case sets the one flag and the other wrong).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const B = (description: string) => ({ type: "boolean", description });

describe("a flag that needs another's value", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses 'shared' with 'listed' true or left to its default true, and accepts it with listed false", async () => {
    const data = { folders: { f_1: { id: "f_1", title: "Docs", listed: true, shared: false } } };
    const tools = [
      toolSpec(
        "make_folder",
        {
          title: { type: "string", description: "Folder title" },
          listed: B("Whether it is listed. Default true."),
          shared: B("Whether others may edit. Default false."),
        },
        ["title"],
        "Create a folder. listed defaults to true and shared to false; a shared folder must have listed false, so shared true with listed true or omitted is refused.",
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes } = await env.run([
      { tool: "make_folder", arguments: { title: "A", shared: true, listed: true } },
      { tool: "make_folder", arguments: { title: "B", shared: true } },
      { tool: "make_folder", arguments: { title: "C", shared: true, listed: false } },
      { tool: "make_folder", arguments: { title: "D" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true, true]);
  });
});
