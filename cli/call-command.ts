// `envscale call MODULE.ts --tool NAME --args JSON`: one tool call in a sandbox process, one JSON line out.
//
// Exit 0 when the call succeeds, 1 for any error of the tool or its code (the line says which),
// 2 for usage errors. The tool runs in a supervised sandbox process, so nothing it does (a crash,
// a hang, a memory bomb) can make this command print a stack trace, hang, or exit otherwise.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { canonicalStringify, sha256 } from "../kernel/canonical-json.ts";
import { EnvscaleError, exitCodes } from "../kernel/errors.ts";
import type { CliIo } from "./main.ts";

export interface CallFlags {
  tool: string;
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

/** Returns the exit code (0 or 1); usage errors throw EnvscaleError (exit 2). */
export async function callCommand(modulePath: string, flags: CallFlags, io: CliIo): Promise<number> {
  let source: string;
  try {
    source = await readFile(modulePath, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read module ${modulePath}: ${(error as Error).message}`);
  }
  let args: unknown = {};
  if (flags.args !== undefined) {
    try {
      args = JSON.parse(flags.args);
    } catch (error) {
      throw new EnvscaleError("E_USAGE", `--args is not JSON: ${(error as Error).message}`);
    }
  }
  const state = flags.state ? await readJsonFile(flags.state, "state file") : {};
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `state file ${flags.state} must hold a JSON object`);
  }
  const { toolDeclarationSchema } = await import("../sandbox/index.ts");
  let tools: z.infer<typeof toolDeclarationSchema>[] | undefined;
  if (flags.spec) {
    const parsed = z.array(toolDeclarationSchema).safeParse(await readJsonFile(flags.spec, "tool spec"));
    if (!parsed.success)
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        `tool spec ${flags.spec} is not a list of {name, parameters?, access?}: ${parsed.error.issues[0]?.message}`,
      );
    tools = parsed.data;
  }
  const { Sandbox } = await import("../sandbox/index.ts");
  const { compileFailure } = await import("../sandbox/index.ts");
  const print = (line: object) => io.stdout.write(`${JSON.stringify(line)}\n`);
  const initialHash = sha256(canonicalStringify(state));

  const compiled = await (await import("../sandbox/index.ts")).compileToolModule(source, {
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
        ...(flags.clock !== undefined ? { clock: flags.clock } : {}),
        ...(flags.timeoutMs !== undefined ? { timeoutMs: flags.timeoutMs } : {}),
        ...(flags.memoryMb !== undefined ? { memoryMb: flags.memoryMb } : {}),
      });
      const outcome = await env.call(flags.tool, args);
      return { outcome, hash: await env.stateHash() };
    })();
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the sandbox within ${limit} ms`)), limit);
    });
    const { outcome, hash } = await Promise.race([work, backstop]);
    print({ ...outcome, state_hash: hash });
    return outcome.ok ? exitCodes.ok : exitCodes.failure;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    print({ ok: false, error: { code: "INTERNAL", message }, state_hash: initialHash });
    return exitCodes.failure;
  } finally {
    clearTimeout(timer);
    await sandbox.close();
  }
}
