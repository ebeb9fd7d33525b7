// V8 code caches of the scripts this process compiles (the bootstrap, tool modules), by content:
// rebuilding an isolate reuses the parsed code of earlier ones. Only this process's own
// compilations are cached; nothing is read from disk or from anyone else.
import type ivm from "isolated-vm";
import { sha256 } from "../shared/canonical-state.ts";

/** V8 code caches by script hash: rebuilding an isolate reuses the parsed code of earlier ones. */
const codeCache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();

export function compileCached(isolate: ivm.Isolate, code: string, filename: string): ivm.Script {
  const key = sha256(code);
  const cached = codeCache.get(key);
  if (cached) {
    // isolated-vm reports a rejected cache on the options object it was given.
    const info: ivm.ScriptInfo & { cachedDataRejected?: boolean } = { filename, cachedData: cached };
    const script = isolate.compileScriptSync(code, info);
    if (!info.cachedDataRejected) return script;
  }
  const script = isolate.compileScriptSync(code, { filename, produceCachedData: true }) as ivm.Script & ivm.CachedDataResult;
  if (script.cachedData) codeCache.set(key, script.cachedData);
  return script;
}
