// The `envscale` command line: parses arguments, runs one command, maps errors to exit codes.
import { Command, CommanderError, Option } from "commander";
import { EnvscaleError, errorLine, exitCodeFor, exitCodes, isEnvscaleError } from "../../kernel/errors.ts";
import type { CliIo } from "./io.ts";

/** Collect a repeatable flag into an array. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseInteger(name: string, min = 0): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new EnvscaleError("E_USAGE", `${name} must be an integer ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

function buildProgram(io: CliIo): Command {
  const program = new Command("envscale")
    .description("Turn tool catalogs into verified, sandboxed environments and tool-use training data.")
    .option("--verbose", "debug logs and stack traces")
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  program.addHelpText(
    "after",
    `
Exit codes: 0 success · 1 a stage or tool failed · 2 usage or config error · 130 interrupted.
Run \`envscale <command> --help\` for a command's options.`,
  );

  program
    .command("run")
    .description("run the pipeline on tool catalogs (default: the bundled example catalog)")
    .argument("[catalogs...]", "catalog files, folders or globs")
    .option("--out <dir>", "run directory (default: generated/<catalog>-s<seed>)")
    .option("--seed <n>", "run seed", parseInteger("--seed"))
    .option("--plugins <dir>", "folder of user stage plugins (repeatable)", repeatable)
    .option("--config <file>", "config file (default: envscale.config.{ts,mjs,js,json} in the current folder)")
    .addOption(new Option("--only <stage>", "recompute only this stage").conflicts("from"))
    .option("--from <stage>", "recompute this stage and every later one")
    .option("--concurrency <n>", "items in flight at once", parseInteger("--concurrency", 1))
    .option(
      "--tasks <n>",
      "tasks in all, shared over the domains by what each offers (stage option tasks.limit)",
      parseInteger("--tasks", 1),
    )
    .option(
      "--theme <text>",
      "synthesise a domain from scratch instead of reading a catalog (repeatable; offline: a shipped sketch of that name)",
      repeatable,
    )
    .option("--sketch <file>", "expand a domain sketch (YAML or JSON) into tools instead of reading a catalog (repeatable)", repeatable)
    .option(
      "--data <path>",
      "the service's data: a JSON file of collections or a folder of <collection>.json (per catalog, repeatable)",
      repeatable,
    )
    .option("--policy <file>", "the service's policy document, prose or Markdown (per catalog, repeatable)", repeatable)
    .option(
      "--rules <file>",
      "a rules file (YAML or JSON) adding, replacing or removing a service's rules, see `envscale rules` (per catalog, repeatable)",
      repeatable,
    )
    .option("--llm <provider>", "offline (default), openai, replay:CASSETTE or record:CASSETTE")
    .option(
      "--queue <url>",
      "hand per-domain synthesis and rollout batches to `envscale worker`s through BullMQ on this Redis (redis://HOST:PORT)",
    )
    .action(async (catalogs: string[], flags) => {
      const { runCommand } = await import("./run-command.ts");
      await runCommand({ catalogs, ...flags, verbose: program.opts().verbose }, io);
    });

  program
    .command("stages")
    .description("show the stages in their resolved order, with what each consumes and produces")
    .option("--plugins <dir>", "folder of user stage plugins (repeatable)", repeatable)
    .option("--config <file>", "config file")
    .option("--json", "print the plan as JSON")
    .action(async (flags) => {
      const { stagesCommand } = await import("./stages-command.ts");
      await stagesCommand(flags, io);
    });

  program
    .command("rules")
    .description("print a finished run's service rules in plain sentences: each tool's requirements, effects and answer, with sources")
    .argument("<run>", "run directory (with envs/<domain>/rules.json)")
    .argument("[domain]", "only this domain")
    .action(async (run: string, domain: string | undefined) => {
      const { rulesCommand } = await import("./rules-command.ts");
      await rulesCommand(run, domain, io);
    });

  program
    .command("call")
    .description("run one tool call of a tool module in the sandbox and print one JSON line (result or error, and state_hash)")
    .argument("<module>", "tool module (TypeScript or JavaScript)")
    .option("--tool <name>", "the tool to call")
    .option("--calls <file>", "a JSONL file of calls {tool, arguments}, replayed in order in one episode (instead of --tool)")
    .option("--state-out <file>", "write the final state there, in the shape the --state data had")
    .option("--args <json>", "arguments, a JSON object (default {})")
    .option("--state <file>", "initial database state: a JSON object, or a data file or folder of collections (default {})")
    .option(
      "--spec <file>",
      "tool declarations [{name, parameters?, access?}] or a run's environment.json (default: every exported function, write access)",
    )
    .option("--seed <n>", "seed of Math.random inside the tool", parseInteger("--seed"))
    .option("--clock <iso>", "the task clock (default 2025-01-01T09:00:00.000Z)")
    .option("--timeout-ms <n>", "time limit of the call", parseInteger("--timeout-ms", 1))
    .option("--memory-mb <n>", "memory limit of the isolate", parseInteger("--memory-mb", 8))
    .addHelpText("after", "\nExit codes: 0 the call succeeded · 1 the tool or its code failed (see the printed error) · 2 usage error.")
    .action(async (module: string, flags) => {
      const { callCommand } = await import("./call-command.ts");
      process.exitCode = await callCommand(module, flags, io);
    });

  program
    .command("bench")
    .description(
      "benchmark sandboxed tool calls: raw isolate round trips, Environment.call, direct calls, batches, resets, sandbox processes",
    )
    .option("--json", "print one JSON object instead of a table")
    .option("--seconds <n>", "seconds per measurement", parseInteger("--seconds", 1), 1)
    .option("--workers <n>", "sandbox processes for the scaling measurement (default: CPU cores)", parseInteger("--workers", 1))
    .action(async (flags) => {
      const { benchCommand } = await import("./bench-command.ts");
      await benchCommand(flags, io);
    });

  program
    .command("worker")
    .description("run the jobs `envscale run --queue` hands out (per-domain synthesis, rollout batches), until stopped")
    .requiredOption("--queue <url>", "the Redis the run uses (redis://HOST:PORT)")
    .option("--concurrency <n>", "jobs at a time", parseInteger("--concurrency", 1), 2)
    .option("--lock-ms <n>", "a job's lock; a dead worker's job is handed on after about this long", parseInteger("--lock-ms", 500), 30_000)
    .option("--plugins <dir>", "folder of user stage plugins, as the run uses (repeatable)", repeatable)
    .option("--config <file>", "config file (its plugins apply)")
    .action(async (flags) => {
      const { workerCommand } = await import("./worker-command.ts");
      await workerCommand(flags, io);
    });

  program
    .command("serve")
    .description("serve a finished run's tasks as OpenEnv environments: HTTP reset/step/state, WebSocket /ws, /verify, /mcp")
    .argument("<run>", "run directory (with tasks.jsonl and envs/)")
    .option("--port <n>", "port (0: any free one)", parseInteger("--port"), 8000)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--max-sessions <n>", "episodes open at once", parseInteger("--max-sessions", 1), 512)
    .option("--idle-timeout <s>", "close an episode idle this many seconds", parseInteger("--idle-timeout", 1), 300)
    .option("--max-turns <n>", "most actions in an episode", parseInteger("--max-turns", 1), 30)
    .option("--max-verify-calls <n>", "most calls a /verify replays", parseInteger("--max-verify-calls", 1), 256)
    .option("--max-body-mb <n>", "largest request body or WebSocket message (MB)", parseInteger("--max-body-mb", 1), 4)
    .option(
      "--request-timeout <s>",
      "drop a request (or WebSocket frame) not received whole within this many seconds",
      parseInteger("--request-timeout", 1),
      30,
    )
    .option("--exact-match", "the reward also asks for exact match of the calls (default: state alignment only)")
    .option("--processes <n>", "sandbox processes (default: CPU cores)", parseInteger("--processes", 1))
    .option("--llm <provider>", "the simulated user: offline (scripted, default), openai, replay:CASSETTE")
    .option("--config <file>", "config file (its llm settings apply)")
    .addOption(
      new Option("--token <token>", "bearer token every request must carry (required off loopback; 16+ characters)").env("ENVSCALE_TOKEN"),
    )
    .action(async (run: string, flags) => {
      const { serveCommand } = await import("./serve-command.ts");
      await serveCommand(run, flags, io);
    });

  const evaluate = program.command("eval").description("evaluate what a pipeline step produces");
  evaluate
    .command("domains")
    .description("adjusted Rand index and normalised mutual information of offline domains against catalog labels")
    .argument("<catalogs...>", "labelled catalog files, folders or globs")
    .requiredOption("--label-field <field>", "the label: a ToolSpec field (category), a meta field (tool_name), or a path (meta.field)")
    .option("--json", "print one JSON object: ari, nmi, domains, labels, tools, unlabelled, rejected, modularity")
    .option("--config <file>", "config file (its tool-graph and domains options apply)")
    .option("--seed <n>", "run seed", parseInteger("--seed"))
    .action(async (catalogs: string[], flags) => {
      const { evalDomainsCommand } = await import("./eval-domains-command.ts");
      await evalDomainsCommand(catalogs, flags, io);
    });

  evaluate
    .command("rollouts")
    .description("roll every task of a finished run out k times and report pass^k and pass@k per domain")
    .argument("<run>", "run directory (with tasks.jsonl and envs/)")
    .option("--k <n>", "attempts per task", parseInteger("--k", 1), 4)
    .option("--json", "print one JSON object: k, agent, domains {tasks, pass_hat_k, pass_at_k, pass_rate}, overall")
    .option("--config <file>", "config file (its rollouts, filter and llm settings apply)")
    .option("--seed <n>", "seed of the attempts", parseInteger("--seed"))
    .option("--llm <provider>", "offline (scripted agent, default), openai, replay:CASSETTE or record:CASSETTE")
    .option("--concurrency <n>", "rollouts in flight at once", parseInteger("--concurrency", 1))
    .action(async (run: string, flags) => {
      const { evalRolloutsCommand } = await import("./eval-rollouts-command.ts");
      await evalRolloutsCommand(run, flags, io);
    });

  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = buildProgram(io);
  const verbose = argv.includes("--verbose");
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv as string[], { from: "user" });
    // A command may set its own exit code (`call` exits 1 when the tool failed).
    return typeof process.exitCode === "number" ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return exitCodes.ok;
      }
      // Commander already printed its message on stderr.
      return exitCodes.usage;
    }
    if (isEnvscaleError(error)) {
      io.stderr.write(`${errorLine(error)}\n`);
      if (verbose && error.cause instanceof Error && error.cause.stack) io.stderr.write(`${error.cause.stack}\n`);
      if (verbose && error.stack) io.stderr.write(`${error.stack}\n`);
      return exitCodeFor(error);
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`E_INTERNAL: ${message}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodes.failure;
  }
}
