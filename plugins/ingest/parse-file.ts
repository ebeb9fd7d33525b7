// Parsing a catalog file into JSON values with their locations (lines where the format has them).
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { RejectedEntry } from "../../lib/contracts/tool-spec.ts";
import type { CatalogFile } from "./sources.ts";

/** A parsed document, able to say on which line a value sits. */
export interface ParsedDocument {
  value: unknown;
  /** 1-based line of the value at `path`, if known. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export interface ParsedFile {
  /** JSON or YAML: one document. JSON Lines: one per line, with rejections for lines that do not parse. */
  documents: { doc: ParsedDocument; pointer: string; line?: number }[];
  rejections: RejectedEntry[];
}

/** Above this size a JSON file is parsed without line numbers (the YAML pass that finds them is slow). */
const LINE_TRACKING_LIMIT = 4 * 1024 * 1024;

export async function parseCatalogFile(file: CatalogFile): Promise<ParsedFile> {
  let text: string;
  try {
    text = await readFile(file.path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read catalog ${file.path}: ${(error as Error).message}`, {
      details: { file: file.path },
    });
  }
  const ext = extname(file.path).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson" || (ext !== ".yaml" && ext !== ".yml" && looksLikeJsonLines(text)))
    return parseJsonLines(text, file);
  if (ext === ".yaml" || ext === ".yml") return { documents: [{ doc: parseYaml(text, file), pointer: "" }], rejections: [] };
  return { documents: [{ doc: parseJson(text, file), pointer: "" }], rejections: [] };
}

/** Several top-level JSON objects, one per line (and not one pretty-printed document). */
function looksLikeJsonLines(text: string): boolean {
  const lines = text.split("\n", 3).filter((line) => line.trim().length > 0);
  if (lines.length < 2) return false;
  return lines.every((line) => {
    const t = line.trim();
    return t.startsWith("{") && t.endsWith("}");
  });
}

function parseJsonLines(text: string, file: CatalogFile): ParsedFile {
  const out: ParsedFile = { documents: [], rejections: [] };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (!line) continue;
    const location = { file: file.display, line: i + 1, pointer: `/${i}` };
    try {
      const value = JSON.parse(line) as unknown;
      out.documents.push({ doc: { value, lineOf: () => i + 1 }, pointer: `/${i}`, line: i + 1 });
    } catch (error) {
      out.rejections.push({ code: "PARSE", reason: `line is not JSON: ${(error as Error).message}`, source: location });
    }
  }
  return out;
}

function parseJson(text: string, file: CatalogFile): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `catalog ${file.path} is not valid JSON: ${(error as Error).message}`, {
      details: { file: file.path },
    });
  }
  if (text.length > LINE_TRACKING_LIMIT) return { value, lineOf: () => undefined };
  return withLines(value, text);
}

function parseYaml(text: string, file: CatalogFile): ParsedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw new EnvscaleError(
      "E_INPUT_UNREADABLE",
      `catalog ${file.path} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ""}: ${error.message.split("\n")[0]}`,
      {
        details: { file: file.path },
      },
    );
  }
  return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown, lineOf: lineFinder(doc, lineCounter) };
}

/** Line numbers for a JSON document, found lazily with the YAML parser (JSON is YAML). */
function withLines(value: unknown, text: string): ParsedDocument {
  let finder: ((path: readonly (string | number)[]) => number | undefined) | undefined;
  return {
    value,
    lineOf(path) {
      if (!finder) {
        const lineCounter = new LineCounter();
        finder = lineFinder(parseDocument(text, { lineCounter, uniqueKeys: false }), lineCounter);
      }
      return finder(path);
    },
  };
}

function lineFinder(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter) {
  return (path: readonly (string | number)[]): number | undefined => {
    // Inside a map, point at the key's line (`get:`), not at where its value starts.
    const parent = path.length > 0 ? doc.getIn(path.slice(0, -1) as (string | number)[], true) : undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(path[path.length - 1]));
      const offset = pair && isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) return lineCounter.linePos(offset).line;
    }
    const node = doc.getIn(path as (string | number)[], true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

/** RFC 6901 JSON pointer from path segments. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
