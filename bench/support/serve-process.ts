// `envscale serve` in a process of its own, as a trainer runs it, and what its process tree holds
// in memory: the server and its sandbox processes, read from /proc (resident set sizes).
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");

export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  address: string;
  stop(): Promise<void>;
}

/** Start `envscale serve RUN_DIR` on a free loopback port with the given extra flags (and environment variables). */
export async function startServe(runDir: string, flags: readonly string[] = [], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(root, "bin", "envscale.ts"), "serve", resolve(runDir), "--port", "0", ...flags], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const address = await new Promise<string>((done, fail) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /on (http:\/\/[^\s]+)/.exec(out);
      if (found?.[1]) done(found[1]);
    });
    child.once("exit", (code) => fail(new Error(`envscale serve exited (${code}) before listening: ${stderr.trim()}`)));
  });
  return {
    child,
    address,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

/** Resident memory (MB) of a process and, apart, of all its descendants. */
export function treeRss(pid: number): { self: number; children: number; processes: number } {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command name (which may hold spaces, in parentheses): state ppid …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(fields[1]));
      const status = readFileSync(`/proc/${name}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      rss.set(Number(name), kb ? Number(kb) / 1024 : 0);
    } catch {
      // The process ended while we looked.
    }
  }
  const descendants: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const [child, of] of parents)
      if (of === parent) {
        descendants.push(child);
        frontier.push(child);
      }
  }
  return {
    self: rss.get(pid) ?? 0,
    children: descendants.reduce((sum, child) => sum + (rss.get(child) ?? 0), 0),
    processes: descendants.length,
  };
}
