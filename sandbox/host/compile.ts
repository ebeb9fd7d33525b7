// Compiling a tool module for the isolate: esbuild bundles it with envscale/runtime (and nothing
// else), ts-morph checks it; the result is cached by content hash.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, version as esbuildVersion, type Message, type Plugin } from "esbuild";
import { canonicalText, sha256 } from "../shared/canonical-state.ts";
import { type CompiledModule, type Finding, SCRIPT_EXPORTS, SCRIPT_PREFIX, type ToolDeclaration } from "../shared/tool-module.ts";
import { analyzeToolModule, RUNTIME_SPECIFIER } from "./analyze.ts";

const RUNTIME_DIR = join(import.meta.dirname, "..", "isolate");
const RUNTIME_PATH = join(RUNTIME_DIR, "tool-runtime.ts");
/** Bump when the script format changes; part of every module hash. */
const SCRIPT_FORMAT = "2";

let fingerprint: string | null = null;
function compilerFingerprint(): string {
  fingerprint ??= sha256(`${SCRIPT_FORMAT}\0${esbuildVersion}\0${readFileSync(RUNTIME_PATH, "utf8")}`);
  return fingerprint;
}

/** Compiled modules by content hash (an explicitly named cache: same inputs, same script). */
const compiledCache = new Map<string, CompileResult>();
const CACHE_LIMIT = 512;

export type CompileResult = { ok: true; module: CompiledModule } | { ok: false; findings: Finding[] };

export interface CompileOptions {
  /** How the module is named in findings and stack traces (default `tools.ts`). */
  filename?: string;
  /** The tools the domain declares; without it, every exported function is a write tool. */
  tools?: readonly ToolDeclaration[];
}

/**
 * Compile a tool module. Failures are data (`{ok: false, findings}`), never exceptions: broken
 * code from a model is an expected input.
 */
export async function compileToolModule(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const filename = options.filename ?? "tools.ts";
  const hash = sha256(canonicalText([compilerFingerprint(), filename, source, options.tools ?? null]));
  const cached = compiledCache.get(hash);
  if (cached) return cached;
  const result = await compileUncached(source, filename, options.tools, hash);
  if (compiledCache.size >= CACHE_LIMIT) compiledCache.delete(compiledCache.keys().next().value as string);
  compiledCache.set(hash, result);
  return result;
}

async function compileUncached(
  source: string,
  filename: string,
  declared: readonly ToolDeclaration[] | undefined,
  hash: string,
): Promise<CompileResult> {
  // Both checks always run, so one round reports every problem (a model repairing its code needs them all).
  const [bundled, analysis] = await Promise.all([bundle(source, filename), analyzeToolModule(source, filename, declared)]);
  // The analyzer's findings come first: where both report one problem, its rule name is the one kept.
  const findings = dedupe([...analysis.findings, ...(bundled.ok ? bundled.warnings : bundled.findings)]);
  if (!bundled.ok || findings.some((f) => f.severity === "error")) return { ok: false, findings };
  const tools: ToolDeclaration[] = declared ? declared.map((tool) => ({ ...tool })) : analysis.functions.map((fn) => ({ name: fn.name }));
  return {
    ok: true,
    module: {
      hash,
      filename,
      script: `${SCRIPT_PREFIX}${bundled.code}\nreturn ${SCRIPT_EXPORTS};\n})`,
      sourceMap: bundled.map,
      tools,
      findings,
    },
  };
}

/** Only envscale/runtime may be imported; every other import, require() or import() is an error at its location. */
const onlyRuntime: Plugin = {
  name: "envscale-tool-imports",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      if (args.path === RUNTIME_SPECIFIER && args.kind === "import-statement") return { path: RUNTIME_PATH };
      const what =
        args.kind === "require-call"
          ? `require("${args.path}") is not allowed`
          : args.kind === "dynamic-import"
            ? `dynamic import("${args.path}") is not allowed`
            : `import of "${args.path}" is not allowed`;
      return { errors: [{ text: `${what}: a tool module may only import "${RUNTIME_SPECIFIER}"` }] };
    });
  },
};

type Bundled = { ok: true; code: string; map: string; warnings: Finding[] } | { ok: false; findings: Finding[] };

async function bundle(source: string, filename: string): Promise<Bundled> {
  const toFinding =
    (severity: Finding["severity"]) =>
    (message: Message): Finding => ({
      severity,
      rule: message.id || "esbuild",
      message: message.text,
      // esbuild names the entry relative to the working directory; report it as the module's name.
      file:
        !message.location || message.location.file === "<stdin>" || message.location.file.endsWith(filename)
          ? filename
          : message.location.file,
      line: message.location?.line ?? 1,
      column: (message.location?.column ?? 0) + 1,
    });
  try {
    const result = await build({
      stdin: { contents: source, sourcefile: filename, loader: filename.endsWith(".js") ? "js" : "ts", resolveDir: RUNTIME_DIR },
      // Paths in the bundle's comments and source map are relative to this folder, so the bytes of a
      // compiled module depend neither on the working directory nor on where envscale is installed.
      absWorkingDir: RUNTIME_DIR,
      bundle: true,
      write: false,
      format: "iife",
      globalName: SCRIPT_EXPORTS,
      platform: "neutral",
      target: "es2023",
      sourcemap: "external",
      outfile: "tools.js",
      charset: "utf8",
      legalComments: "none",
      logLevel: "silent",
      plugins: [onlyRuntime],
    });
    // import.meta has no meaning in the isolate; esbuild only warns about it.
    const fatal = result.warnings.filter((w) => w.id === "empty-import-meta");
    if (fatal.length > 0) return { ok: false, findings: fatal.map(toFinding("error")) };
    const code = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text ?? "";
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "{}";
    return { ok: true, code, map, warnings: result.warnings.map(toFinding("warning")) };
  } catch (error) {
    const failure = error as { errors?: Message[]; message?: string };
    if (failure.errors?.length) return { ok: false, findings: failure.errors.map(toFinding("error")) };
    return {
      ok: false,
      findings: [{ severity: "error", rule: "esbuild", message: String(failure.message ?? error), file: filename, line: 1, column: 1 }],
    };
  }
}

/** One finding per place and problem (esbuild and ts-morph both see a forbidden import), in source order. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const finding of findings) {
    const key = `${finding.line}:${finding.severity}:${finding.message.split(":")[0]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
