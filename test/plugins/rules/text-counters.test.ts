// Counters kept as text: a version written `v11` that each change moves on, its prefix and width kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

describe("a version kept as text", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("moves 'v9' on to 'v10' and 'r007' to 'r008' when a change increments the counter", async () => {
    const data = {
      documents: {
        d1: { id: "d1", title: "Plan", version: "v9" },
        d2: { id: "d2", title: "Notes", version: "r007" },
      },
    };
    const tools = [
      toolSpec(
        "rename_document",
        { document_id: S("Document id"), title: S("New title") },
        ["document_id", "title"],
        'Rename a document. Each successful change increments the document\'s version counter ("v3" -> "v4").',
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "rename_document", arguments: { document_id: "d1", title: "Plan B" } },
      { tool: "rename_document", arguments: { document_id: "d2", title: "Notes 2" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(state.documents).toEqual({
      d1: { id: "d1", title: "Plan B", version: "v10" },
      d2: { id: "d2", title: "Notes 2", version: "r008" },
    });
  });
  it('reads \'("v3" -> "v4")\' as the counter moving on, not as the only values a parameter may take', async () => {
    const data = { documents: { d1: { id: "d1", title: "Plan", version: "v9" } } };
    const tools = [
      toolSpec(
        "retitle_document",
        { document_id: S("Document id"), title: S("New title"), version: S("The version the change is based on") },
        ["document_id", "title"],
        'Rename a document. On success the version counter is incremented ("v3" -> "v4").',
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "retitle_document", arguments: { document_id: "d1", title: "Plan B", version: "v9" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(state.documents).toEqual({ d1: { id: "d1", title: "Plan B", version: "v10" } });
  });
});
