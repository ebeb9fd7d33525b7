// Before any test file: one offline run of the example catalog, which the tests that only read a
// finished run share (`sharedExampleRun()`), instead of each running the pipeline again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { runInto } from "./built-in-stages.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run directory of the shared example run (read it; never write into it). */
    exampleRunDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "envscale-shared-example-"));
  await runInto(dir, { config: { stages: { ingest: { sources: [join(import.meta.dirname, "..", "..", "examples", "catalog")] } } } });
  project.provide("exampleRunDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
