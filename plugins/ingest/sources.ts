// Catalog sources: files, folders or globs, expanded to a sorted list of files.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, relative, resolve } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { EnvscaleError } from "../../kernel/errors.ts";

export interface CatalogFile {
  path: string;
  /** How the file is named in ToolSpec.source: relative to the folder or glob it was found through. */
  display: string;
}

export const CATALOG_EXTENSIONS = ["json", "jsonl", "ndjson", "yaml", "yml"];

/** Expand sources in order; within a folder or glob, files are sorted. Duplicates are kept once. */
export async function expandSources(sources: readonly string[], cwd = process.cwd()): Promise<CatalogFile[]> {
  const out: CatalogFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, base: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, display: relative(base, path).split("\\").join("/") || basename(path) });
  };
  for (const source of sources) {
    const absolute = resolve(cwd, source);
    const info = await stat(absolute).catch(() => null);
    if (info?.isFile()) {
      add(absolute, dirname(absolute));
    } else if (info?.isDirectory()) {
      const files = await glob(`**/*.{${CATALOG_EXTENSIONS.join(",")}}`, { cwd: absolute, absolute: true });
      if (files.length === 0) {
        throw new EnvscaleError(
          "E_INPUT_UNREADABLE",
          `catalog folder ${absolute} holds no ${CATALOG_EXTENSIONS.map((e) => `.${e}`).join("/")} files`,
        );
      }
      for (const file of files.sort()) add(file, absolute);
    } else if (isDynamicPattern(source)) {
      const files = await glob(source, { cwd, absolute: true, onlyFiles: true });
      if (files.length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `no catalog file matches ${source}`);
      for (const file of files.sort()) add(file, cwd);
    } else {
      throw new EnvscaleError("E_INPUT_UNREADABLE", `catalog ${absolute} does not exist`, {
        details: { file: absolute },
        hint: "give a catalog file, a folder of them, or a glob",
      });
    }
  }
  return out;
}

/** A digest of the files' names and contents: editing a catalog invalidates ingest's cached output. */
export async function fingerprintSources(sources: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await expandSources(sources)) {
    hash.update(file.display).update("\0");
    hash.update(await readFile(file.path)).update("\0");
  }
  return hash.digest("hex");
}
