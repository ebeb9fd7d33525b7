// Stage `ingest`: tool catalogs in any supported format → one normalised `catalog` (+ `rejected`).
import { resolve } from "node:path";
import { z } from "zod";
import { normalizeCandidates } from "../../contracts/tool-candidates.ts";
import { type RejectedEntry, rejectedEntrySchema, type ToolSpec, toolSpecSchema } from "../../contracts/tool-spec.ts";
import { defineStage, type Progress } from "../../kernel/stage.ts";
import { documentEntries, type Extracted } from "./formats/function-entries.ts";
import { isOpenApiDocument, openApiCandidates } from "./formats/openapi.ts";
import { parseCatalogFile } from "./parse-file.ts";
import { expandSources, fingerprintSources } from "./sources.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    catalog: ToolSpec[];
    rejected: RejectedEntry[];
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
});

export default defineStage({
  name: "ingest",
  description: "read tool catalogs (OpenAI, JSONL, OpenAPI 3, MCP, BFCL) into normalised ToolSpecs",
  version: "1",
  consumes: [],
  produces: ["catalog", "rejected"],
  options,
  artifacts: {
    catalog: { schema: z.array(toolSpecSchema), format: "jsonl", description: "one ToolSpec per line" },
    rejected: { schema: z.array(rejectedEntrySchema), format: "jsonl", description: "entries that could not be used, with why and where" },
  },
  fingerprint: (opts) => fingerprintSources(opts.sources),
  async run(ctx) {
    const { files, tools, rejected } = await readCatalog(ctx.options.sources, ctx.progress);
    ctx.logger.info({ files, tools: tools.length, rejected: rejected.length }, `ingested ${tools.length} tools from ${files} file(s)`);
    if (rejected.length > 0) ctx.logger.warn(`${rejected.length} catalog entries rejected; see rejected.jsonl`);
    return { catalog: tools, rejected };
  },
});
