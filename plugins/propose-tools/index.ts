// Stage `propose-tools` (ScaleEnv's synthesis from scratch): a catalog made rather than read.
//   envscale run --theme "pet clinic"      a model proposes the domain's tools (offline: the
//                                          shipped sketch of that name, if there is one)
//   envscale run --sketch my-domain.yaml   a person's sketch, expanded into tools by rule
// It takes the place of `ingest` when given themes or sketches; the rest of the pipeline is the same.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import { defineStage } from "../../kernel/stage.ts";
import { domainPackSchema } from "../../lib/contracts/domain-pack.ts";
import { normalizeCandidates, type ToolCandidate } from "../../lib/contracts/tool-candidates.ts";
import { type RejectedEntry, rejectedEntrySchema, toolSpecSchema } from "../../lib/contracts/tool-spec.ts";
import { expandSketch } from "./expand.ts";
import { proposeTools } from "./model-tools.ts";
import { readSketch } from "./sketch.ts";

export const SKETCH_DIR = resolve(import.meta.dirname, "..", "..", "examples", "sketches");

const options = z.object({
  /** Domains to synthesise, in words ("job seeking"). */
  themes: z.array(z.string().min(1)).default([]),
  /** Sketch files (YAML or JSON). */
  sketches: z.array(z.string().min(1)).default([]),
});

const slug = (theme: string) =>
  theme
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The shipped sketch for a theme (`pet clinic` → examples/sketches/pet-clinic.yaml), or null. */
export async function shippedSketch(theme: string): Promise<string | null> {
  const files = await readdir(SKETCH_DIR).catch(() => [] as string[]);
  const found = files.find((file) => basename(file, extname(file)) === slug(theme) && /\.(ya?ml|json)$/.test(file));
  return found ? join(SKETCH_DIR, found) : null;
}

export default defineStage({
  name: "propose-tools",
  description: "make a catalog from themes (a model) or domain sketches (by rule), in place of ingest",
  version: "1",
  consumes: [],
  produces: ["catalog", "rejected", "packs"],
  replaces: "ingest",
  options,
  uses: ["llm"],
  enabled: (opts) => opts.themes.length > 0 || opts.sketches.length > 0,
  artifacts: {
    catalog: { schema: z.array(toolSpecSchema), format: "jsonl", description: "one ToolSpec per line" },
    rejected: { schema: z.array(rejectedEntrySchema), format: "jsonl", description: "entries that could not be used, with why and where" },
    packs: {
      schema: z.array(domainPackSchema),
      format: "json",
      description: "domain packs (none: proposed tools come without a service's data)",
    },
  },
  async fingerprint(opts) {
    const hash = createHash("sha256");
    for (const file of opts.sketches) hash.update(file).update(await readFile(resolve(file)).catch(() => Buffer.from("missing")));
    for (const theme of opts.themes)
      hash.update(`theme:${theme}`).update((await shippedSketch(theme).then((f) => (f ? readFile(f) : null))) ?? "");
    return hash.digest("hex");
  },
  async run(ctx) {
    const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
    const candidates: ToolCandidate[] = [];
    const rejected: RejectedEntry[] = [];
    const sketchFiles = ctx.options.sketches.map((file) => resolve(file));
    for (const theme of ctx.options.themes) {
      if (llm?.kind === "model") {
        const proposed = await proposeTools(llm, theme, llm.settings.repairRounds, ctx.signal);
        if (proposed.ok) candidates.push(...proposed.candidates);
        else {
          rejected.push({
            code: "MODEL",
            reason: `theme "${theme}": ${proposed.reason}`,
            source: { file: `theme:${slug(theme)}`, pointer: "/" },
          });
          ctx.logger.warn({ theme, reason: proposed.reason }, "no usable tools for this theme");
        }
        continue;
      }
      const sketch = await shippedSketch(theme);
      if (!sketch) {
        const available = (await readdir(SKETCH_DIR).catch(() => [] as string[])).map((f) => basename(f, extname(f)));
        throw new EnvscaleError("E_USAGE", `offline, a theme needs a sketch: there is none for "${theme}" in examples/sketches`, {
          hint: `configure a model (--llm openai) to propose tools for any theme, write a sketch and pass --sketch FILE, or use one of: ${available.join(", ")}`,
        });
      }
      sketchFiles.push(sketch);
    }
    for (const file of sketchFiles) {
      const sketch = await readSketch(file);
      candidates.push(...expandSketch(sketch, basename(file)));
    }
    const { tools, rejected: invalid } = normalizeCandidates(candidates);
    rejected.push(...invalid);
    ctx.logger.info({ tools: tools.length, rejected: rejected.length }, `proposed ${tools.length} tools`);
    return { catalog: tools, rejected, packs: [] };
  },
});
