import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../support/helpers.ts";

const MODULE = `import { fail, newId } from "envscale/runtime";
export function create_note(db, args) {
  if (!args.text) fail("text is empty");
  const id = newId("note");
  db.notes[id] = { id, text: args.text };
  return { id };
}
export function spin() { for (;;) {} }
export function bomb() { const hold = []; for (;;) hold.push(new Array(1000000).fill(1)); }
export function escape() { return ({}).constructor.constructor("return process")().exit(3); }
export function stack() { throw new Error("with a stack"); }
`;

function setup() {
  const dir = tempDir();
  writeFileSync(join(dir, "tools.ts"), MODULE);
  writeFileSync(join(dir, "state.json"), JSON.stringify({ notes: {} }));
  return dir;
}

const line = (stdout: string) => {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string);
};

describe("envscale call", () => {
  it("prints the result and the state hash on one line and exits 0", async () => {
    const dir = setup();
    const result = await runCli(
      ["call", "tools.ts", "--tool", "create_note", "--args", '{"text":"hi"}', "--state", "state.json", "--seed", "3"],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const out = line(result.stdout);
    expect(out.ok).toBe(true);
    expect(out.result.id).toMatch(/^note_[0-9a-z]{8}$/);
    expect(out.state_hash).toMatch(/^[0-9a-f]{64}$/);
    // Deterministic for the same seed.
    const again = await runCli(
      ["call", "tools.ts", "--tool", "create_note", "--args", '{"text":"hi"}', "--state", "state.json", "--seed", "3"],
      { cwd: dir },
    );
    expect(line(again.stdout)).toEqual(out);
  });

  it("exits 1 with the error on one line for every failure of the tool, never a stack trace", async () => {
    const dir = setup();
    const cases: [string[], string][] = [
      [["--tool", "create_note", "--args", '{"text":""}'], "TOOL_ERROR"],
      [["--tool", "spin", "--timeout-ms", "200"], "TIMEOUT"],
      [["--tool", "bomb", "--memory-mb", "16", "--timeout-ms", "20000"], "MEMORY_LIMIT"],
      [["--tool", "escape"], "TOOL_ERROR"],
      [["--tool", "stack"], "TOOL_ERROR"],
      [["--tool", "missing"], "UNKNOWN_TOOL"],
    ];
    for (const [flags, code] of cases) {
      const result = await runCli(["call", "tools.ts", "--state", "state.json", ...flags], { cwd: dir });
      expect(result.code, flags.join(" ")).toBe(1);
      const out = line(result.stdout);
      expect(out.error.code, flags.join(" ")).toBe(code);
      expect(result.stderr).not.toContain("    at ");
      expect(result.stdout).not.toContain("    at ");
    }
  });

  it("prints COMPILE_ERROR with file:line:column for a module that breaks the rules", async () => {
    const dir = setup();
    writeFileSync(join(dir, "bad.ts"), `import fs from "node:fs";\nexport function t() { return fs.readFileSync("/etc/passwd"); }\n`);
    const result = await runCli(["call", "bad.ts", "--tool", "t"], { cwd: dir });
    expect(result.code).toBe(1);
    const out = line(result.stdout);
    expect(out.error.code).toBe("COMPILE_ERROR");
    expect(out.error.message).toMatch(/^bad\.ts:1:1: import of "node:fs" is not allowed/);
  });

  it("exits 2 on usage errors", async () => {
    const dir = setup();
    expect((await runCli(["call", "tools.ts", "--tool", "create_note", "--args", "{oops"], { cwd: dir })).code).toBe(2);
    expect((await runCli(["call", "missing.ts", "--tool", "x"], { cwd: dir })).code).toBe(2);
    expect((await runCli(["call", "tools.ts"], { cwd: dir })).code).toBe(2);
    writeFileSync(join(dir, "list.json"), "[1]");
    expect((await runCli(["call", "tools.ts", "--tool", "spin", "--state", "list.json"], { cwd: dir })).code).toBe(2);
  });
});
