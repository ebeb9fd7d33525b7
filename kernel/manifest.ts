// `<run>/manifest.json`: what every stage of a run consumed, produced, and how it went.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalStringify } from "./canonical-json.ts";
import { writeFileAtomic } from "./fs-atomic.ts";

const storedArtifactSchema = z.object({
  hash: z.string(),
  count: z.number(),
  /** `null` for the version downstream stages read; else the name it is stored under in versions/. */
  variant: z.string().nullable(),
  files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
});

const stageRecordSchema = z.object({
  status: z.enum(["running", "done", "failed"]),
  version: z.string(),
  /** The stage's validated options. */
  options: z.unknown(),
  /** Cache key: hash of stage name, version, options, input hashes, fingerprint and seed. */
  key: z.string(),
  /** Hash of every consumed artifact, by kind. */
  inputs: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), storedArtifactSchema),
  wall_ms: z.number(),
  /** Items journaled by mapItems: how many there were and how many a resumed run took from the journal. */
  items: z.object({ total: z.number(), resumed: z.number() }).optional(),
  /** Increase of each service's counters during the stage (LLM tokens, sandbox calls…). */
  metrics: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** The stage's summary lines for the end of the run. */
  summary: z.array(z.string()).optional(),
});

export const manifestSchema = z.object({
  envscale: z.string(),
  seed: z.number(),
  /** Stage names in execution order. */
  order: z.array(z.string()),
  stages: z.record(z.string(), stageRecordSchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type StageRecord = z.infer<typeof stageRecordSchema>;
export type ManifestArtifact = z.infer<typeof storedArtifactSchema>;

export const MANIFEST_FILE = "manifest.json";

/** The manifest of a run directory, or null when there is none (or it is unreadable: start afresh). */
export async function readManifest(runDir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(runDir, MANIFEST_FILE), "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeManifest(runDir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(runDir, MANIFEST_FILE), `${canonicalStringify(manifest, 2)}\n`);
}
