// The README's trainer loop in Python is a complete program: the README shows examples/python/ws_loop.py
// as it is, and the file runs against the server with nothing but `websockets`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/helpers.ts";
import { pythonWithWebsockets } from "../../support/machine.ts";
import { type Served, serveExampleRun } from "../../support/server.ts";

const program = join(repoRoot, "examples", "python", "ws_loop.py");
const python = pythonWithWebsockets();

describe("the README's Python loop", () => {
  it("is in the README as the example file has it", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    expect(readme).toContain(readFileSync(program, "utf8").trim());
  });

  describe.runIf(python)("against the server", () => {
    let served: Served;
    serveExampleRun((ready) => {
      served = ready;
    });

    it("runs as pasted: three episodes, each with its reward and rule", async () => {
      const child = spawn(python as string, [program, served.ws, "3"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      const code = await new Promise<number | null>((done) => child.once("exit", done));
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out.match(/^episode /gm)?.length).toBe(3);
      // The demo policy does nothing useful: every kept task pays it 0.
      expect(out.match(/^ {2}reward 0 \((state-alignment|exact-match)\): /gm)?.length).toBe(3);
    }, 60_000);
  });
});
