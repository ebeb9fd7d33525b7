// Stage `export` (AgentScaler step 11, AgentFounder's CPT data): SFT files for two-phase
// fine-tuning and their loss-mask variant; first- and higher-order action synthesis records; both
// packed into 32K- and 128K-token sequences.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { KeptTrajectory } from "../../lib/contracts/judgement.ts";
import type { Task } from "../../lib/contracts/task.ts";
import { type CptRecord, firstOrder, higherOrder } from "./cpt.ts";
import { type PackedSequence, pack, TOKENIZER, tokenCount } from "./pack.ts";
import { maskedRecord, sftRecord } from "./sft.ts";

const jsonLines = z.array(z.record(z.string(), z.json()));
const files = z.record(z.string(), jsonLines);

const cptRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(["first-order", "higher-order"]),
  task_id: z.string(),
  domain: z.string(),
  text: z.string(),
  tokens: z.number().int(),
});
const packedSchema = z.object({ id: z.string(), tokens: z.number().int(), documents: z.array(z.string()), text: z.string() });

export const exportSummarySchema = z.object({
  tokenizer: z.string(),
  sft: z.object({ phase1: z.number().int(), phase2: z.record(z.string(), z.number().int()) }),
  cpt: z.object({
    first_order: z.number().int(),
    higher_order: z.number().int(),
    tokens: z.number().int(),
    packed: z.record(z.string(), z.object({ sequences: z.number().int(), tokens: z.number().int(), fill: z.number() })),
  }),
});
export type ExportSummary = z.infer<typeof exportSummarySchema>;

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    "sft-phase1": Record<string, Record<string, unknown>[]>;
    "sft-phase2": Record<string, Record<string, unknown>[]>;
    "sft-loss-mask": Record<string, Record<string, unknown>[]>;
    cpt: Record<string, Record<string, unknown>[]>;
    "export-summary": ExportSummary;
  }
}

export const exportOptions = z.object({
  /** Candidate actions besides the one taken, per higher-order step. */
  candidates: z.number().int().min(1).max(8).default(3),
  /** Sequence lengths to pack into, in tokens. */
  sequences: z.array(z.number().int().min(256)).min(1).default([32_768, 131_072]),
});

const label = (tokens: number) => (tokens % 1024 === 0 ? `${tokens / 1024}k` : String(tokens));

export default defineStage({
  name: "export",
  description: "SFT files (phase 1 general, phase 2 per domain, loss-mask variant) and CPT records packed into 32K/128K sequences",
  version: "1",
  consumes: ["sft-candidates", "rejected-trajectories", "tasks", "environments"],
  produces: ["sft-phase1", "sft-phase2", "sft-loss-mask", "cpt", "export-summary"],
  options: exportOptions,
  artifacts: {
    "sft-phase1": {
      schema: files,
      format: "files",
      path: "sft/phase1/{key}.jsonl",
      description: "phase 1 (general, all domains): {messages, tools} per line",
      count: (f) => Object.values(f).reduce((n, lines) => n + lines.length, 0),
    },
    "sft-phase2": {
      schema: files,
      format: "files",
      path: "sft/phase2/{key}.jsonl",
      description: "phase 2 (one file per domain): {messages, tools} per line",
      count: (f) => Object.values(f).reduce((n, lines) => n + lines.length, 0),
    },
    "sft-loss-mask": {
      schema: files,
      format: "files",
      path: "sft/loss-mask/{key}.jsonl",
      description: "the same dialogues with weight 0/1 on assistant messages (which spans are trained on)",
      count: (f) => Object.values(f).reduce((n, lines) => n + lines.length, 0),
    },
    cpt: {
      schema: files,
      format: "files",
      path: "cpt/{key}.jsonl",
      description: "first- and higher-order action synthesis records, and their packed sequences",
      count: (f) => Object.values(f).reduce((n, lines) => n + lines.length, 0),
    },
    "export-summary": {
      schema: exportSummarySchema,
      format: "json",
      path: "export.json",
      description: "export sizes and token counts",
      count: () => 1,
    },
  },
  summary: ({ "export-summary": s }) => {
    const packed = Object.entries(s.cpt.packed)
      .map(([name, p]) => `${p.sequences} × ${name}`)
      .join(", ");
    return [
      `export: sft phase 1 ${s.sft.phase1} dialogues, phase 2 ${Object.keys(s.sft.phase2).length} domain files; ` +
        `cpt ${s.cpt.first_order} first-order + ${s.cpt.higher_order} higher-order records, ${s.cpt.tokens} tokens → ${packed} sequences`,
    ];
  },
  async run(ctx, inputs) {
    const kept = inputs["sft-candidates"] as KeptTrajectory[];
    const tasks = new Map(inputs.tasks.map((t) => [t.id, t]));
    const phase2: Record<string, Record<string, unknown>[]> = {};
    const masked: Record<string, Record<string, unknown>[]> = { "phase1-general": [] };
    for (const trajectory of kept) {
      const record = sftRecord(trajectory) as unknown as Record<string, unknown>;
      const mask = maskedRecord(trajectory) as unknown as Record<string, unknown>;
      (phase2[trajectory.domain] ??= []).push(record);
      masked["phase1-general"]?.push(mask);
      (masked[`phase2-${trajectory.domain}`] ??= []).push(mask);
    }

    const spec = (domain: string) => inputs.environments[domain] as EnvironmentSpec;
    const records: CptRecord[] = inputs.tasks.filter((t) => inputs.environments[t.domain]).map((t) => firstOrder(t, spec(t.domain)));
    const judged = [
      ...kept.map((t) => ({ trajectory: t as KeptTrajectory, judgement: "correct: it passed validity, state alignment and exact match." })),
      ...inputs["rejected-trajectories"].map((r) => ({
        trajectory: r.trajectory,
        judgement: `incorrect: rejected at ${r.stage} (${r.reasons[0] ?? "no reason"}).`,
      })),
    ].sort((a, b) => (a.trajectory.id < b.trajectory.id ? -1 : a.trajectory.id > b.trajectory.id ? 1 : 0));
    for (const { trajectory, judgement } of judged) {
      if (!inputs.environments[trajectory.domain]) continue;
      const task = tasks.get(trajectory.task_id) as Task | undefined;
      records.push(higherOrder(trajectory, task, spec(trajectory.domain), judgement, ctx.options.candidates, ctx.rng.fork(trajectory.id)));
    }
    const counted = records.map((r) => ({ ...r, tokens: tokenCount(r.text) }));
    const counts = new Map(counted.map((r) => [r.id, r.tokens]));
    const cpt: Record<string, Record<string, unknown>[]> = {
      "first-order": counted.filter((r) => r.kind === "first-order"),
      "higher-order": counted.filter((r) => r.kind === "higher-order"),
    };
    const packedSummary: ExportSummary["cpt"]["packed"] = {};
    for (const limit of ctx.options.sequences) {
      const name = label(limit);
      const sequences: PackedSequence[] = pack(records, counts, limit, name);
      cpt[`packed-${name}`] = sequences.map((s) => packedSchema.parse(s));
      const tokens = sequences.reduce((n, s) => n + s.tokens, 0);
      packedSummary[name] = {
        sequences: sequences.length,
        tokens,
        fill: Number((tokens / Math.max(1, sequences.length * limit)).toFixed(4)),
      };
    }
    for (const record of counted) cptRecordSchema.parse(record);
    const summary: ExportSummary = {
      tokenizer: TOKENIZER,
      sft: { phase1: kept.length, phase2: Object.fromEntries(Object.entries(phase2).map(([d, lines]) => [d, lines.length])) },
      cpt: {
        first_order: cpt["first-order"]?.length ?? 0,
        higher_order: cpt["higher-order"]?.length ?? 0,
        tokens: counted.reduce((n, r) => n + r.tokens, 0),
        packed: packedSummary,
      },
    };
    return {
      "sft-phase1": { general: kept.map((t) => sftRecord(t) as unknown as Record<string, unknown>) },
      "sft-phase2": phase2,
      "sft-loss-mask": masked,
      cpt,
      "export-summary": summary,
    };
  },
});
