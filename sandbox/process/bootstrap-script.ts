// The bootstrap script every tool isolate runs first, built once per process from isolate/bootstrap.ts.
import { join } from "node:path";
import { buildSync } from "esbuild";

const BOOTSTRAP_PATH = join(import.meta.dirname, "..", "isolate", "bootstrap.ts");
const GLOBAL = "__envscale_bootstrap";

let bootstrapScript: string | null = null;

/** A strict script whose completion value is `createIsolateKernel` (see isolate/bootstrap.ts). */
export function bootstrapSource(): string {
  if (bootstrapScript === null) {
    const result = buildSync({
      entryPoints: [BOOTSTRAP_PATH],
      bundle: true,
      write: false,
      format: "iife",
      globalName: GLOBAL,
      platform: "neutral",
      target: "es2023",
      logLevel: "silent",
      legalComments: "none",
    });
    const code = result.outputFiles[0]?.text ?? "";
    // Inside a function, esbuild's `var ${GLOBAL}` is a local: nothing of the bootstrap is left on
    // the global object for tool code to find.
    bootstrapScript = `(function () {\n"use strict";\n${code}\nreturn ${GLOBAL}.createIsolateKernel;\n})()`;
  }
  return bootstrapScript;
}
