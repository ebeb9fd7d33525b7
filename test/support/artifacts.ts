// The artifacts of a run directory as files, to compare runs byte for byte. Left out: the files that
// record wall times (the manifest, the log, the report) and the item journals of unfinished stages.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const TIMED = new Set(["manifest.json", "logs.jsonl", "report.html"]);

/** Relative paths of every artifact file of a run directory, sorted. */
export function artifactFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile() && !TIMED.has(f.split("/").at(-1) as string) && !f.startsWith(".work"))
    .sort();
}

/** `sha256  path` of every artifact, one per line, sorted by path. */
export function artifactDigest(dir: string): string {
  return artifactFiles(dir)
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}\n`,
    )
    .join("");
}

/** The paths whose hash differs between two digests (missing or new ones included). */
export function digestDifferences(expected: string, actual: string): string[] {
  const parse = (text: string) =>
    new Map(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(66), l.slice(0, 64)] as const),
    );
  const [a, b] = [parse(expected), parse(actual)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f)).sort();
}
