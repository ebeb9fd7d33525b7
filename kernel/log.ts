// Logging: pino JSON lines to `<run>/logs.jsonl`, readable lines on stderr.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";

export interface LoggerOptions {
  /** Where logs.jsonl goes; without it, only stderr. */
  runDir?: string;
  /** Level written to logs.jsonl (default info; debug with --verbose). */
  level?: pino.Level;
  /** Level shown on stderr: info in a terminal, warn otherwise (CI logs stay short). */
  stderrLevel?: pino.Level;
  /** Colours and relative layout for a person at a terminal. */
  pretty?: boolean;
}

export interface RunLogger {
  logger: Logger;
  /** Flush the file stream (call before exiting). */
  flush(): void;
}

export async function createLogger(options: LoggerOptions): Promise<RunLogger> {
  const level = options.level ?? "info";
  const stderrLevel = options.stderrLevel ?? (options.pretty ? "info" : "warn");
  const streams: pino.StreamEntry[] = [];
  let file: pino.DestinationStream | undefined;
  if (options.runDir) {
    mkdirSync(options.runDir, { recursive: true });
    file = pino.destination({ dest: join(options.runDir, "logs.jsonl"), append: true, sync: false });
    streams.push({ level, stream: file });
  }
  // pino-pretty is only loaded when something is shown, to keep start-up fast.
  const { default: pretty } = await import("pino-pretty");
  streams.push({
    level: stderrLevel,
    stream: pretty({
      destination: 2,
      colorize: options.pretty ?? false,
      ignore: "pid,hostname",
      translateTime: options.pretty ? "HH:MM:ss" : false,
      sync: true,
    }),
  });
  const minimum = [level, stderrLevel].sort((a, b) => pino.levels.values[a]! - pino.levels.values[b]!)[0] as pino.Level;
  const logger = pino({ level: minimum, base: undefined }, pino.multistream(streams));
  return {
    logger,
    flush() {
      // A run that fails before the log file has opened has nothing to flush: the run's own error
      // is what the user must see, not the logger's.
      try {
        (file as { flushSync?: () => void } | undefined)?.flushSync?.();
      } catch {}
    },
  };
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
