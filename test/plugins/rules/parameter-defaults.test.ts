// Optional parameters' defaults as services state them (the schema's `default`, "true (default) for
// a public reply", "priority defaults to normal and type to question"): a call that leaves one out
// acts as if it gave the default, so the entry it writes holds it.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { serviceBody } from "../../../lib/tool-code/service-bodies.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const notes: DomainState = {
  cases: {
    c1: { id: "c1", status: "open", notes: [{ author: "u1", text: "hi", visible: true, created_at: "2025-01-01T00:00:00Z" }] },
    c2: { id: "c2", status: "open", notes: [{ author: "u2", text: "x", visible: false, created_at: "2025-01-02T00:00:00Z" }] },
  },
};

function derived(data: DomainState, spec: ToolSpec) {
  const tables = inferTables(data);
  const rules = deriveRules("d", [spec], tables, data, null);
  return { service: rules.tools[0]?.service as ServiceModel, tool: rules.tools[0], tables };
}

describe("parameter defaults", () => {
  it("reads 'true (default) for …' in a parameter's description and writes it when the call leaves it out", () => {
    const spec = toolSpec(
      "add_case_note",
      {
        case_id: { type: "string", description: "Case id" },
        author: { type: "string", description: "Who writes" },
        text: { type: "string", description: "Note text" },
        visible: { type: "boolean", description: "true (default) for a note the customer sees, false for an internal one" },
      },
      ["case_id", "author", "text"],
      "Add a note to a case. The note is appended to the case's notes.",
    );
    const { service, tool, tables } = derived(notes, spec);
    expect(service.defaults).toEqual({ visible: true });
    const body = serviceBody(tool as never, { tables, source: "data" } as never, new Set()).join("\n");
    expect(body).toContain('if (args.visible === undefined) args = { ...args, "visible": true };');
  });

  it("reads the schema's default, 'defaults to X' in the tool's description, and a second one sharing its verb", () => {
    const spec = toolSpec(
      "open_case",
      {
        title: { type: "string", description: "Title" },
        level: { type: "string", enum: ["low", "normal", "high"], description: "How urgent" },
        kind: { type: "string", enum: ["question", "incident"], description: "Kind of case" },
        channel: { type: "string", enum: ["api", "web"], description: "Where from", default: "api" },
        note: { type: "string", description: "Free text" },
      },
      ["title"],
      "Open a case. level defaults to normal and kind to question.",
    );
    const data: DomainState = { cases: { c1: { id: "c1", title: "t", level: "low", kind: "incident", channel: "web", note: "" } } };
    expect(derived(data, spec).service.defaults).toEqual({ level: "normal", kind: "question", channel: "api" });
  });

  it("states no default where none is written", () => {
    const spec = toolSpec(
      "close_case",
      { case_id: { type: "string", description: "Case id" }, reason: { type: "string", description: "Why, e.g. 'duplicate'" } },
      ["case_id"],
      "Close a case; its status becomes closed.",
    );
    expect(derived(notes, spec).service.defaults).toBeUndefined();
  });

  it("reads a quoted text default whole, and the value marked '(default)' among those the tool's text lists", () => {
    const spec = toolSpec(
      "add_case_note",
      {
        case_id: { type: "string", description: "Case id" },
        author: { type: "string", description: "Who writes" },
        text: { type: "string", description: "Note text" },
        channel: { type: "string", enum: ["email", "phone"], description: "How it came in." },
        footer: { type: "string", description: "Closing line." },
      },
      ["case_id", "author", "text"],
      'Add a note to a case. channel is email (default) or phone; footer defaults to "Kind regards (Support)".',
    );
    const { service } = derived(notes, spec);
    expect(service.defaults).toEqual({ channel: "email", footer: "Kind regards (Support)" });
  });
});
