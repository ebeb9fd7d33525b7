// `envscale call MODULE.ts --tool NAME --args JSON`: one tool call in a sandbox process, one JSON line out.
// `envscale call MODULE.ts --calls FILE.jsonl`: a sequence of calls `{tool, arguments}` replayed in
// order in one episode, one JSON line per call; `--state-out FILE` writes the final state, in the
// shape the `--state` data had (collections given as lists are lists again).
//
// Exit 0 when every call succeeds, 1 when one is refused or any error of the tool or its code (the
// line says which), 2 for usage errors. The tool runs in a supervised sandbox process, so nothing it does (a crash,
// a hang, a memory bomb) can make this command print a stack trace, hang, or exit otherwise.

import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { canonicalStringify, type JsonObject, sha256 } from "../../kernel/canonical-json.ts";
import { EnvscaleError, exitCodes } from "../../kernel/errors.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { type DataShape, inDataShape, keyedCollections, readData } from "../../lib/data-pack/read.ts";
import type { ToolDeclaration } from "../../sandbox/index.ts";
import type { CliIo } from "./io.ts";

export interface CallFlags {
  tool?: string;
  /** A JSONL file of calls `{tool, arguments}`, replayed in order in one episode. */
  calls?: string;
  /** Where to write the final state. */
  stateOut?: string;
  args?: string;
  state?: string;
  spec?: string;
  seed?: number;
  clock?: string;
  timeoutMs?: number;
  memoryMb?: number;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `${what} ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Levels a call line may nest (as a state may: the sandbox keeps nothing deeper). */
const MAX_CALL_DEPTH = 64;

/**
 * What a call line holds that is refused, or null: the key `__proto__` (JSON.parse makes it an own
 * property, a copy would set a prototype), or nesting past the depth bound (walked no deeper).
 */
function refusedInCall(value: unknown, path: string[] = []): string | null {
  if (typeof value !== "object" || value === null) return null;
  if (path.length >= MAX_CALL_DEPTH) return `nesting more than ${MAX_CALL_DEPTH} levels deep at ${path.slice(0, 8).join(".")}…`;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "__proto__") return `the key ${[...path, key].join(".")}`;
    const found = refusedInCall(inner, [...path, key]);
    if (found) return found;
  }
  return null;
}

const isRecord = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The initial state: any JSON object, or a domain pack's data (a file or folder whose collections
 * may be lists of records). Lists of records are keyed as the environment keys them; other lists
 * (of plain values, empty) stay as they are. A state past the sandbox's bounds (depth, size, a
 * number JSON cannot write, a `__proto__` key) is a usage error naming the bound.
 */
async function readState(path: string, memoryMb: number | undefined): Promise<{ state: JsonObject; shape: DataShape }> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) {
    const read = await readData(path);
    return { state: await withinBounds(read.data as JsonObject, `state folder ${path}`, memoryMb), shape: read };
  }
  const value = await readJsonFile(path, "state file");
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new EnvscaleError("E_USAGE", `state file ${path} must hold a JSON object`);
  await withinBounds(value as JsonObject, `state file ${path}`, memoryMb);
  const listed = Object.fromEntries(Object.entries(value).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isRecord)));
  if (Object.keys(listed).length === 0) return { state: value as JsonObject, shape: { lists: {} } };
  const keyed = keyedCollections(listed, `state file ${path}`);
  return { state: { ...(value as JsonObject), ...(keyed.data as JsonObject) }, shape: keyed };
}

/** The state, or a usage error naming the bound it breaks (the sandbox would refuse it the same way). */
async function withinBounds(state: JsonObject, origin: string, memoryMb: number | undefined): Promise<JsonObject> {
  const { canonicalStateText, DEFAULT_MEMORY_MB, StateBoundsError } = await import("../../sandbox/index.ts");
  try {
    canonicalStateText(state, memoryMb ?? DEFAULT_MEMORY_MB);
  } catch (error) {
    if (error instanceof StateBoundsError) throw new EnvscaleError("E_USAGE", `${origin}: ${error.message}`);
    throw error;
  }
  return state;
}

async function writeState(path: string, state: unknown): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(state, null, 2)}\n`);
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot write --state-out ${path}: ${(error as Error).message}`);
  }
}

/** Tool declarations: a list of `{name, parameters?, access?}`, or a run's environment.json. */
async function readSpec(
  path: string,
): Promise<{ tools: ToolDeclaration[]; catalogNames: [string, string][]; clock?: string; clockStepMs?: number }> {
  const { toolDeclarationSchema } = await import("../../sandbox/index.ts");
  const value = await readJsonFile(path, "tool spec");
  const environment = z
    .object({
      clock: z.string().optional(),
      clockStepMs: z.number().int().min(0).optional(),
      tools: z.array(toolDeclarationSchema.extend({ catalogName: z.string().optional() })),
    })
    .safeParse(value);
  if (environment.success)
    return {
      tools: environment.data.tools.map(({ catalogName: _c, ...tool }) => tool),
      catalogNames: environment.data.tools.flatMap((t) => (t.catalogName ? [[t.catalogName, t.name] as [string, string]] : [])),
      ...(environment.data.clock ? { clock: environment.data.clock } : {}),
      ...(environment.data.clockStepMs !== undefined ? { clockStepMs: environment.data.clockStepMs } : {}),
    };
  const parsed = z.array(toolDeclarationSchema).safeParse(value);
  if (!parsed.success)
    throw new EnvscaleError(
      "E_INPUT_UNREADABLE",
      `tool spec ${path} is neither an environment.json nor a list of {name, parameters?, access?}: ${parsed.error.issues[0]?.message}`,
    );
  return { tools: parsed.data, catalogNames: [] };
}

const callLineSchema = z.union([
  z.object({ tool: z.string().min(1), arguments: z.record(z.string(), z.json()).default({}) }),
  z
    .object({ name: z.string().min(1), arguments: z.record(z.string(), z.json()).default({}) })
    .transform((c) => ({ tool: c.name, arguments: c.arguments })),
]);

/** The calls of a JSONL file, every line checked before any runs (blank lines skipped). */
async function readCalls(path: string): Promise<{ tool: string; arguments: unknown }[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read --calls ${path}: ${(error as Error).message}`);
  }
  const calls: { tool: string; arguments: unknown }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new EnvscaleError("E_USAGE", `${path}:${i + 1}: not JSON: ${(error as Error).message}`);
    }
    const refused = refusedInCall(value);
    if (refused) throw new EnvscaleError("E_USAGE", `${path}:${i + 1}: ${refused} is refused`);
    const parsed = callLineSchema.safeParse(value);
    if (!parsed.success)
      throw new EnvscaleError(
        "E_USAGE",
        `${path}:${i + 1}: a call is {"tool": NAME, "arguments": {…}}: ${parsed.error.issues[0]?.message}`,
      );
    calls.push(parsed.data);
  });
  if (calls.length === 0) throw new EnvscaleError("E_USAGE", `--calls ${path} holds no call`);
  return calls;
}

/** Returns the exit code (0 or 1); usage errors throw EnvscaleError (exit 2). */
export async function callCommand(modulePath: string, flags: CallFlags, io: CliIo): Promise<number> {
  let source: string;
  try {
    source = await readFile(modulePath, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read module ${modulePath}: ${(error as Error).message}`);
  }
  if ((flags.tool === undefined) === (flags.calls === undefined))
    throw new EnvscaleError("E_USAGE", "give --tool (one call) or --calls FILE.jsonl (a sequence), not both and not neither");
  if (flags.calls && flags.args !== undefined)
    throw new EnvscaleError("E_USAGE", "--args goes with --tool; with --calls each line has its arguments");
  let args: unknown = {};
  if (flags.args !== undefined) {
    try {
      args = JSON.parse(flags.args);
    } catch (error) {
      throw new EnvscaleError("E_USAGE", `--args is not JSON: ${(error as Error).message}`);
    }
  }
  const { state, shape } = flags.state ? await readState(flags.state, flags.memoryMb) : { state: {}, shape: { lists: {} } };
  // A run's environment folder holds the module's environment.json: its tool names and clock go with it.
  const beside = join(dirname(modulePath), "environment.json");
  const specPath = flags.spec ?? (existsSync(beside) ? beside : undefined);
  const spec = specPath ? await readSpec(specPath) : undefined;
  const tools = spec?.tools;
  // Calls name tools as the catalog does; the module's functions may be named otherwise.
  const functionOf = new Map((spec?.catalogNames ?? []).map(([catalog, name]) => [catalog, name]));
  const calls = flags.calls
    ? (await readCalls(flags.calls)).map((c) => ({ ...c, tool: functionOf.get(c.tool) ?? c.tool }))
    : [{ tool: functionOf.get(flags.tool as string) ?? (flags.tool as string), arguments: args }];
  const clock = flags.clock ?? spec?.clock;
  const { Sandbox } = await import("../../sandbox/index.ts");
  const { compileFailure } = await import("../../sandbox/index.ts");
  const print = (line: object) => io.stdout.write(`${JSON.stringify(line)}\n`);
  const initialHash = sha256(canonicalStringify(state));

  const compiled = await (await import("../../sandbox/index.ts")).compileToolModule(source, {
    filename: basename(modulePath),
    ...(tools ? { tools } : {}),
  });
  if (!compiled.ok) {
    print({ ...compileFailure(compiled.findings), state_hash: initialHash });
    return exitCodes.failure;
  }
  const sandbox = await Sandbox.start({ processes: 1 });
  // A backstop far past the tool's own limit: the sandbox enforces limits, this guards the guard.
  const limit = (flags.timeoutMs ?? 1000) + 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      const env = await sandbox.open(compiled.module, state as Record<string, never>, {
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(clock !== undefined ? { clock } : {}),
        ...(spec?.clockStepMs !== undefined ? { clockStepMs: spec.clockStepMs } : {}),
        ...(flags.timeoutMs !== undefined ? { timeoutMs: flags.timeoutMs } : {}),
        ...(flags.memoryMb !== undefined ? { memoryMb: flags.memoryMb } : {}),
      });
      let failed = false;
      try {
        for (const call of calls) {
          const outcome = await env.call(call.tool, call.arguments);
          // Each line as soon as its call is done: a replay cut short keeps what it printed.
          print({ ...outcome, state_hash: await env.stateHash() });
          if (!outcome.ok) failed = true;
        }
        if (flags.stateOut) await writeState(flags.stateOut, inDataShape((await env.state()) as DomainState, shape, state as DomainState));
      } finally {
        await env.close();
      }
      return failed;
    })();
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the sandbox within ${limit} ms`)), limit * calls.length);
    });
    const failed = await Promise.race([work, backstop]);
    return failed ? exitCodes.failure : exitCodes.ok;
  } catch (error) {
    if (error instanceof EnvscaleError) throw error;
    // A module that cannot load fails as a call does: TIMEOUT, MEMORY_LIMIT or TOOL_ERROR.
    if (error instanceof Error && error.name === "ModuleLoadError" && "code" in error) {
      print({ ok: false, error: { code: error.code, message: error.message }, state_hash: initialHash });
      return exitCodes.failure;
    }
    const message = error instanceof Error ? error.message : String(error);
    print({ ok: false, error: { code: "INTERNAL", message }, state_hash: initialHash });
    return exitCodes.failure;
  } finally {
    clearTimeout(timer);
    await sandbox.close();
  }
}
