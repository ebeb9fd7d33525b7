// A list a call gives whole, kept as the data keeps its entries: "Creates a Manifest ("mft_…") with
// its lines ("mline_…", numbered after it in order)": each line keyed from the counter after the
// manifest, with the values every line holds alike and its worth written as the data writes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const line = (id: string, label: string, count: number, worth: string) => ({
  id,
  object: "ManifestLine",
  label,
  count,
  worth,
  created_at: "2025-01-05T10:00:00Z",
});
const data = {
  counters: { next_id: 520 },
  manifests: {
    mft_501: {
      id: "mft_501",
      vessel: "Aurora",
      lines: [line("mline_502", "Rope", 4, "12.50"), line("mline_503", "Nets", 2, "80.00")],
      created_at: "2025-01-05T10:00:00Z",
    },
    mft_504: { id: "mft_504", vessel: "Brisa", lines: [line("mline_505", "Oars", 6, "45.00")], created_at: "2025-01-06T10:00:00Z" },
  },
};

const tools = [
  toolSpec(
    "create_manifest",
    {
      vessel: { type: "string", description: "The vessel." },
      lines: {
        type: "array",
        description: "The goods.",
        items: {
          type: "object",
          properties: { label: { type: "string" }, count: { type: "integer" }, worth: { type: "number" } },
          required: ["label", "count", "worth"],
        },
      },
    },
    ["vessel", "lines"],
    'Creates a Manifest ("mft_…") with its lines ("mline_…", numbered after it in order). Returns the Manifest.',
  ),
];

describe("a list given whole, kept as the data keeps its entries", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("keys each line after the record, adds what every line holds, and writes its worth as text", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-02-01 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([
      {
        tool: "create_manifest",
        arguments: {
          vessel: "Cora",
          lines: [
            { label: "Buoys", count: 3, worth: 30 },
            { label: "Tar", count: 1, worth: 7.5 },
          ],
        },
      },
    ]);
    expect(outcomes[0]?.ok).toBe(true);
    const made = (state.manifests as Record<string, Record<string, unknown>>).mft_520;
    expect(made?.lines).toEqual([
      { id: "mline_521", object: "ManifestLine", label: "Buoys", count: 3, worth: "30.00", created_at: "2025-02-01T10:00:00Z" },
      { id: "mline_522", object: "ManifestLine", label: "Tar", count: 1, worth: "7.50", created_at: "2025-02-01T10:00:00Z" },
    ]);
    expect(state.counters).toEqual({ next_id: 523 });
  });
});
