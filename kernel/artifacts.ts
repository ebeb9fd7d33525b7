// Artifact kinds (schema + storage) and their files under the run directory.
import { readFile, rm, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { glob } from "tinyglobby";
import { z } from "zod";
import { canonicalStringify, sha256 } from "./canonical-json.ts";
import { EnvscaleError, formatPath } from "./errors.ts";
import { writeFileAtomic } from "./fs-atomic.ts";
import type { AnyStage, ArtifactSpec } from "./stage.ts";

/** A kind's storage, with defaults filled in. */
export interface ResolvedArtifactSpec extends ArtifactSpec {
  kind: string;
  declaredBy: string | null;
  /** Relative path (a template with `{key}` for `files`). */
  path: string;
}

/** What the manifest records about one stored artifact. */
export interface StoredArtifact {
  hash: string;
  count: number;
  files: { path: string; bytes: number; sha256: string }[];
}

const anyJson = z.json();

/** Kinds known to a run: declared by stages (first declaration wins), or any JSON by default. */
export class ArtifactRegistry {
  readonly #specs = new Map<string, ResolvedArtifactSpec>();

  static fromStages(stages: readonly AnyStage[]): ArtifactRegistry {
    const registry = new ArtifactRegistry();
    for (const stage of stages) {
      for (const [kind, spec] of Object.entries(stage.artifacts ?? {})) {
        if (spec) registry.declare(kind, spec as ArtifactSpec, stage.name);
      }
    }
    return registry;
  }

  declare(kind: string, spec: ArtifactSpec, stage: string): void {
    const resolved = resolveSpec(kind, spec, stage);
    const existing = this.#specs.get(kind);
    if (!existing) {
      this.#specs.set(kind, resolved);
      return;
    }
    if (existing.format !== resolved.format || existing.path !== resolved.path) {
      throw new EnvscaleError(
        "E_ARTIFACT_CONFLICT",
        `artifact "${kind}" is declared as ${existing.format} at ${existing.path} by stage "${existing.declaredBy}" but as ${resolved.format} at ${resolved.path} by stage "${stage}"`,
        {
          details: { kind, stages: [existing.declaredBy, stage] },
          hint: "a replacement stage must store a kind the way the original does",
        },
      );
    }
  }

  get(kind: string): ResolvedArtifactSpec {
    return this.#specs.get(kind) ?? resolveSpec(kind, { schema: anyJson, format: "json" }, null);
  }
}

function resolveSpec(kind: string, spec: ArtifactSpec, declaredBy: string | null): ResolvedArtifactSpec {
  const path = spec.path ?? (spec.format === "files" ? `${kind}/{key}.json` : `${kind}.${spec.format === "jsonl" ? "jsonl" : "json"}`);
  if (spec.format === "files" && !path.includes("{key}")) {
    throw new EnvscaleError("E_ARTIFACT_CONFLICT", `artifact "${kind}" has format "files" but its path "${path}" has no {key}`);
  }
  return { ...spec, kind, declaredBy, path };
}

/** Validate a stage's output against its kind's schema; the error names stage, artifact and path. */
export function validateArtifact(spec: ResolvedArtifactSpec, value: unknown, stage: string): unknown {
  const result = spec.schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? formatPath(issue.path) : "(root)";
  const count = result.error.issues.length;
  throw new EnvscaleError(
    "E_ARTIFACT_INVALID",
    `stage "${stage}" produced an invalid "${spec.kind}" artifact at ${where}: ${issue?.message ?? "invalid"}${count > 1 ? ` (and ${count - 1} more issue${count > 2 ? "s" : ""})` : ""}`,
    { details: { stage, artifact: spec.kind, path: where, issues: result.error.issues.slice(0, 20) } },
  );
}

/** Where a version of an artifact lives: the final one at its path, earlier ones (before a transform) under `versions/<stage>/`. */
function locate(spec: ResolvedArtifactSpec, variant: string | null): string {
  return variant ? posix.join("versions", variant, spec.path) : spec.path;
}

function encodeFile(relPath: string, value: unknown, where: string): string {
  if (relPath.endsWith(".jsonl")) {
    if (!Array.isArray(value)) throw new TypeError(`${where}: a .jsonl file needs an array`);
    return value.map((item) => `${canonicalStringify(item)}\n`).join("");
  }
  if (relPath.endsWith(".json")) return `${canonicalStringify(value, 2)}\n`;
  if (typeof value !== "string") throw new TypeError(`${where}: ${posix.extname(relPath) || "a non-JSON"} file needs a string`);
  return value;
}

function decodeFile(relPath: string, text: string): unknown {
  if (relPath.endsWith(".jsonl")) {
    return text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as unknown);
  }
  if (relPath.endsWith(".json")) return JSON.parse(text) as unknown;
  return text;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function countItems(spec: ResolvedArtifactSpec, value: unknown): number {
  if (spec.count) return spec.count(value);
  if (spec.format === "files" || !Array.isArray(value)) {
    return typeof value === "object" && value !== null ? Object.keys(value).length : 1;
  }
  return value.length;
}

/** Encode and write an artifact atomically, file by file; returns what the manifest records. */
export async function writeArtifact(
  runDir: string,
  spec: ResolvedArtifactSpec,
  value: unknown,
  variant: string | null = null,
): Promise<StoredArtifact> {
  const template = locate(spec, variant);
  const files: { path: string; text: string }[] = [];
  try {
    if (spec.format === "files") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new TypeError(`a "files" artifact must be an object mapping keys to file contents`);
      }
      for (const key of Object.keys(value).sort()) {
        if (!SAFE_KEY.test(key)) throw new TypeError(`key ${JSON.stringify(key)} cannot name a file (letters, digits, . _ - only)`);
        const rel = template.replaceAll("{key}", key);
        files.push({ path: rel, text: encodeFile(rel, (value as Record<string, unknown>)[key], key) });
      }
    } else if (spec.format === "jsonl") {
      files.push({ path: template, text: encodeFile(template.endsWith(".jsonl") ? template : `${template}.jsonl`, value, spec.kind) });
    } else {
      files.push({ path: template, text: encodeFile(template.endsWith(".json") ? template : `${template}.json`, value, spec.kind) });
    }
  } catch (error) {
    throw new EnvscaleError("E_ARTIFACT_INVALID", `artifact "${spec.kind}" cannot be stored: ${(error as Error).message}`, {
      details: { artifact: spec.kind },
    });
  }
  const stored: StoredArtifact["files"] = [];
  for (const file of files) {
    await writeFileAtomic(join(runDir, file.path), file.text);
    stored.push({ path: file.path, bytes: Buffer.byteLength(file.text), sha256: sha256(file.text) });
  }
  if (spec.format === "files") await removeStaleFiles(runDir, template, new Set(files.map((f) => f.path)));
  const hash =
    stored.length === 1 && spec.format !== "files"
      ? (stored[0]?.sha256 ?? "")
      : sha256(canonicalStringify(stored.map((f) => [f.path, f.sha256])));
  return { hash, count: countItems(spec, value), files: stored };
}

async function removeStaleFiles(runDir: string, template: string, keep: Set<string>): Promise<void> {
  const existing = await glob(template.replaceAll("{key}", "*"), { cwd: runDir, dot: false });
  await Promise.all(existing.filter((rel) => !keep.has(rel)).map((rel) => rm(join(runDir, rel), { force: true })));
}

/** Read a stored artifact back (no re-validation: the manifest's hashes vouch for it). */
export async function readArtifact(runDir: string, spec: ResolvedArtifactSpec, stored: StoredArtifact): Promise<unknown> {
  if (spec.format !== "files") {
    const file = stored.files[0];
    if (!file) return null;
    return decodeFile(file.path, await readFile(join(runDir, file.path), "utf8"));
  }
  const [before, after] = spec.path.split("{key}") as [string, string];
  const out: Record<string, unknown> = {};
  for (const file of stored.files) {
    // Earlier versions live under versions/<stage>/: strip that prefix to recover the key.
    const rel = file.path.startsWith("versions/") ? file.path.split("/").slice(2).join("/") : file.path;
    const key = rel.slice(before.length, rel.length - after.length);
    out[key] = decodeFile(file.path, await readFile(join(runDir, file.path), "utf8"));
  }
  return out;
}

/** Whether every file of a stored artifact is still there with its recorded size (cheap cache check). */
export async function artifactIsIntact(runDir: string, stored: StoredArtifact): Promise<boolean> {
  for (const file of stored.files) {
    try {
      const info = await stat(join(runDir, file.path));
      if (info.size !== file.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}
