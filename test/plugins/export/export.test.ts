// The export stage on an offline run: SFT files for two-phase fine-tuning, CPT records, packing.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import type { Funnel, KeptTrajectory } from "../../../lib/contracts/judgement.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import type { ExportSummary } from "../../../plugins/export/index.ts";
import { SEPARATOR } from "../../../plugins/export/pack.ts";
import { jsonLines, sharedExampleRun } from "../../support/example.ts";
import type { RunView } from "../../support/pipeline.ts";

let first: RunView;

beforeAll(async () => {
  first = sharedExampleRun();
}, 120_000);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}

describe("SFT export", () => {
  it("phase 1 holds every kept dialogue as {messages, tools}; phase 2 splits them by domain", () => {
    const kept = jsonLines<KeptTrajectory>(first.text("sft-candidates.jsonl"));
    const phase1 = jsonLines<{ messages: unknown[]; tools: unknown[] }>(first.text("sft/phase1/general.jsonl"));
    expect(phase1.length).toBe(kept.length);
    expect(phase1.length).toBe(first.json<Funnel>("funnel.json").total.kept);
    for (const line of phase1) {
      expect(Object.keys(line).sort()).toEqual(["messages", "tools"]);
      expect(line.tools.length).toBeGreaterThan(0);
    }
    const domains = [...new Set(kept.map((k) => k.domain))].sort();
    const phase2 = files(join(first.runDir, "sft", "phase2"));
    expect(phase2).toEqual(domains.map((d) => `${d}.jsonl`));
    const total = phase2.reduce((n, f) => n + jsonLines(first.text(`sft/phase2/${f}`)).length, 0);
    expect(total).toBe(phase1.length);
    // Tool results pair with calls in every exported dialogue.
    for (const line of phase1 as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[] }[]) {
      const ids = line.messages.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id));
      const answered = line.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id);
      expect(answered.sort()).toEqual(ids.sort());
    }
  });

  it("the loss-mask variant weights assistant messages only, and not the calls the environment refused", () => {
    const masked = jsonLines<{
      id: string;
      messages: { role: string; weight?: number; tool_calls?: { id: string }[]; tool_call_id?: string; content: string | null }[];
    }>(first.text("sft/loss-mask/phase1-general.jsonl"));
    expect(masked.length).toBe(jsonLines(first.text("sft/phase1/general.jsonl")).length);
    let zero = 0;
    for (const line of masked) {
      for (const m of line.messages) {
        if (m.role === "assistant") expect([0, 1]).toContain(m.weight);
        else expect(m.weight).toBeUndefined();
      }
      for (const m of line.messages.filter((x) => x.weight === 0)) {
        const results = line.messages.filter((r) => r.role === "tool" && m.tool_calls?.some((c) => c.id === r.tool_call_id));
        expect(results.some((r) => r.content?.startsWith('{"error":'))).toBe(true);
        zero += 1;
      }
    }
    const withErrors = jsonLines<KeptTrajectory>(first.text("sft-candidates.jsonl")).filter((k) => k.judgement.tool_errors > 0).length;
    expect(zero >= withErrors).toBe(true);
  });
});

describe("CPT export", () => {
  const tasks = () => jsonLines<Task>(first.text("tasks.jsonl"));

  it("first-order records plan from the task alone, with no tool output", () => {
    const records = jsonLines<{ id: string; kind: string; task_id: string; text: string; tokens: number }>(
      first.text("cpt/first-order.jsonl"),
    );
    expect(records.length).toBe(tasks().length);
    for (const record of records) {
      expect(record.kind).toBe("first-order");
      expect(record.text).toMatch(/Plan:\n1\. /);
      expect(record.text).not.toMatch(/Observation:/);
      expect(record.tokens).toBe(countTokens(record.text));
    }
  });

  it("higher-order records offer N+1 candidates per step with the taken one among them, and end with the judgement", () => {
    const records = jsonLines<{ text: string; task_id: string }>(first.text("cpt/higher-order.jsonl"));
    expect(records.length).toBe(jsonLines(first.text("trajectories.jsonl")).length);
    for (const record of records) {
      const steps = record.text.split(/\nStep \d+\. Candidate actions:\n/).slice(1);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        const options = step.split("\n").filter((l) => /^ {2}\([A-Z]\) /.test(l));
        expect(options.length).toBeGreaterThanOrEqual(2);
        expect(options.length).toBeLessThanOrEqual(4);
        const chosen = /\nChosen: \(([A-Z])\)/.exec(`\n${step}`)?.[1];
        expect(options.some((o) => o.startsWith(`  (${chosen})`))).toBe(true);
      }
      expect(record.text).toMatch(/\nJudgement: (correct|incorrect)/);
    }
  });

  it("packs every record into 32K and 128K sequences within their token limits, counted by the tokenizer", () => {
    const summary = first.json<ExportSummary>("export.json");
    const ids = [
      ...jsonLines<{ id: string }>(first.text("cpt/first-order.jsonl")),
      ...jsonLines<{ id: string }>(first.text("cpt/higher-order.jsonl")),
    ].map((r) => r.id);
    for (const [name, limit] of [
      ["32k", 32_768],
      ["128k", 131_072],
    ] as const) {
      const sequences = jsonLines<{ tokens: number; documents: string[]; text: string }>(first.text(`cpt/packed-${name}.jsonl`));
      expect(sequences.length).toBe(summary.cpt.packed[name]?.sequences);
      const packed = sequences.flatMap((s) => s.documents);
      expect(packed.sort()).toEqual([...ids].sort());
      for (const s of sequences) {
        expect(s.tokens).toBeLessThanOrEqual(limit);
        expect(countTokens(s.text)).toBe(s.tokens);
        expect(s.text.split(SEPARATOR).length).toBe(s.documents.length);
      }
    }
    expect(summary.tokenizer).toMatch(/o200k_base/);
  });
});
