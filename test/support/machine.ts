// What a test needs from the machine beyond Node.js and npm (a browser, a Redis). Under CI it is
// required: the test runs and fails without it. Elsewhere a test that lacks it is skipped, with one
// line saying how to enable it, so `npm ci && npm test` passes on a fresh machine.
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { findChromium } from "../../plugins/report/screenshot.ts";

/** Whether to run tests that need `what`; prints how to enable them when they are skipped. */
export function needs(what: string, available: boolean, howTo: string): boolean {
  if (available || process.env.CI) return true;
  console.warn(`skipped: the tests that need ${what} (${howTo} to run them)`);
  return false;
}

/** Whether something accepts TCP connections at host:port (within 500 ms). */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export const haveChromium = () => needs("Debian's Chromium", findChromium() !== null, "`apt-get install chromium`, or set CHROMIUM_PATH");

export const haveRedis = async () =>
  needs("a Redis on 127.0.0.1:6379", await listening("127.0.0.1", 6379), "start one: `redis-server --port 6379 --save ''`");

/**
 * A Python 3 that can import `websockets` (the README's trainer loop needs nothing else), or null.
 * Not required under CI: Python is the reader's tool, not one envscale runs on.
 */
export function pythonWithWebsockets(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import websockets"], { stdio: "ignore" });
    if (probe.status === 0) return python;
  }
  console.warn("skipped: the test that runs the README's Python loop (`apt-get install python3-websockets` to run it)");
  return null;
}
