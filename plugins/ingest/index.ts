// Stage `ingest`: tool catalogs in any supported format → one normalised `catalog` (+ `rejected`).
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { defineStage, type Progress } from "../../kernel/stage.ts";
import { type DomainPack, domainPackSchema, packSourceSchema } from "../../lib/contracts/domain-pack.ts";
import { normalizeCandidates } from "../../lib/contracts/tool-candidates.ts";
import { type RejectedEntry, rejectedEntrySchema, type ToolSpec, toolSpecSchema } from "../../lib/contracts/tool-spec.ts";
import { documentEntries, type Extracted } from "./formats/function-entries.ts";
import { isOpenApiDocument, openApiCandidates } from "./formats/openapi.ts";
import { readPacks } from "./packs.ts";
import { parseCatalogFile } from "./parse-file.ts";
import { expandSources, fingerprintSources } from "./sources.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    catalog: ToolSpec[];
    rejected: RejectedEntry[];
    packs: DomainPack[];
  }
}

/** Read, normalise and check catalogs (pure: the stage, and `envscale eval`, use it). */
export async function readCatalog(
  sources: readonly string[],
  progress?: Progress,
): Promise<{ files: number; tools: ToolSpec[]; rejected: RejectedEntry[] }> {
  const files = await expandSources(sources);
  const extracted: Extracted = { candidates: [], rejections: [] };
  progress?.start(files.length, "files");
  for (const file of files) {
    const parsed = await parseCatalogFile(file);
    extracted.rejections.push(...parsed.rejections);
    for (const { doc, pointer, line } of parsed.documents) {
      const part = isOpenApiDocument(doc.value)
        ? await openApiCandidates(doc, file.path, file.display)
        : documentEntries(doc, file.display, pointer, line);
      extracted.candidates.push(...part.candidates);
      extracted.rejections.push(...part.rejections);
    }
    progress?.tick();
  }
  progress?.done();
  const { tools, rejected } = normalizeCandidates(extracted.candidates);
  return {
    files: files.length,
    tools,
    rejected: inSourceOrder(
      [...extracted.rejections, ...rejected],
      files.map((f) => f.display),
    ),
  };
}

/** Rejections as a reader goes through the sources: by file, then line (stable for entries without one). */
function inSourceOrder(entries: RejectedEntry[], files: string[]): RejectedEntry[] {
  const rank = new Map(files.map((file, i) => [file, i]));
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort(
      (a, b) =>
        (rank.get(a.entry.source.file) ?? 0) - (rank.get(b.entry.source.file) ?? 0) ||
        (a.entry.source.line ?? 0) - (b.entry.source.line ?? 0) ||
        a.i - b.i,
    )
    .map(({ entry }) => entry);
}

const exampleCatalog = resolve(import.meta.dirname, "..", "..", "examples", "catalog");

const options = z.object({
  /** Catalog files, folders or globs, read in this order. */
  sources: z.array(z.string().min(1)).min(1).default([exampleCatalog]),
  /** Domain packs: catalog sources (also read as sources) with the service's data and policy. */
  packs: z.array(packSourceSchema).default([]),
});

/** A digest of a pack's data and policy files, so that editing them invalidates the run. */
async function fingerprintPacks(packs: readonly z.infer<typeof packSourceSchema>[]): Promise<string> {
  const hash = createHash("sha256");
  for (const pack of packs) {
    hash.update(pack.catalog).update("\0");
    for (const path of [pack.data, pack.policy, ...(pack.rules ? [pack.rules] : [])]) {
      if (!path) {
        hash.update("-\0");
        continue;
      }
      const info = await stat(path).catch(() => null);
      const files = info?.isDirectory() ? (await readdir(path)).sort().map((f) => join(path, f)) : [path];
      for (const file of files)
        hash
          .update(file)
          .update("\0")
          .update(await readFile(file).catch(() => ""))
          .update("\0");
    }
  }
  return hash.digest("hex");
}

export default defineStage({
  name: "ingest",
  description: "read tool catalogs (OpenAI, JSONL, OpenAPI 3, MCP, BFCL) into normalised ToolSpecs",
  version: "1",
  consumes: [],
  produces: ["catalog", "rejected", "packs"],
  options,
  artifacts: {
    catalog: { schema: z.array(toolSpecSchema), format: "jsonl", description: "one ToolSpec per line" },
    rejected: { schema: z.array(rejectedEntrySchema), format: "jsonl", description: "entries that could not be used, with why and where" },
    packs: {
      schema: z.array(domainPackSchema),
      format: "json",
      description: "domain packs: each service's tools with its data (in the data's own shape) and policy",
    },
  },
  fingerprint: async (opts) =>
    opts.packs.length > 0
      ? `${await fingerprintSources(opts.sources)}:${await fingerprintPacks(opts.packs)}`
      : fingerprintSources(opts.sources),
  async run(ctx) {
    const sources = [...ctx.options.sources];
    for (const pack of ctx.options.packs) if (!sources.includes(pack.catalog)) sources.push(pack.catalog);
    const { files, tools, rejected } = await readCatalog(sources, ctx.progress);
    const packs = await readPacks(ctx.options.packs, tools, (own) => readCatalog(own));
    for (const pack of packs)
      ctx.logger.info(
        { pack: pack.name, tools: pack.tools.length, collections: Object.keys(pack.data ?? {}).length, policy: Boolean(pack.policy) },
        `pack ${pack.name}: ${pack.tools.length} tools, ${Object.keys(pack.data ?? {}).length} collections${pack.policy ? ", a policy" : ""}`,
      );
    ctx.logger.info({ files, tools: tools.length, rejected: rejected.length }, `ingested ${tools.length} tools from ${files} file(s)`);
    if (rejected.length > 0) ctx.logger.warn(`${rejected.length} catalog entries rejected; see rejected.jsonl`);
    return { catalog: tools, rejected, packs };
  },
});
