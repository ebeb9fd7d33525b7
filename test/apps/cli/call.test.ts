import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../../support/helpers.ts";

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
  it("takes the environment.json beside a run's module: its tool names, its clock, and a clock that stands still", async () => {
    const dir = setup();
    writeFileSync(
      join(dir, "clock.ts"),
      `export function stamp(db, args) { db.notes[args.id] = { at: new Date().toISOString() }; return db.notes[args.id].at; }\n`,
    );
    const spec = {
      clock: "2025-06-11T09:00:00Z",
      clockStepMs: 0,
      tools: [
        {
          name: "stamp",
          catalogName: "stamp_note",
          parameters: { type: "object", properties: { id: { type: "string" } } },
          access: "write",
        },
      ],
    };
    writeFileSync(join(dir, "environment.json"), JSON.stringify(spec));
    writeFileSync(join(dir, "calls.jsonl"), ["a", "b"].map((id) => JSON.stringify({ tool: "stamp_note", arguments: { id } })).join("\n"));
    const result = await runCli(["call", "clock.ts", "--calls", "calls.jsonl", "--state", "state.json"], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.result)).toEqual(["2025-06-11T09:00:00.000Z", "2025-06-11T09:00:00.000Z"]);
  });

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

  it("fails a module whose top-level code loops, bombs or throws as a call would, within the call's limits", async () => {
    const dir = setup();
    const cases: [string, string, string[]][] = [
      ["loop.ts", "while (true) {}", ["--timeout-ms", "500"]],
      ["bomb.ts", "const hold = []; for (;;) hold.push(new Array(1000000).fill(1));", ["--memory-mb", "16"]],
      ["throws.ts", 'throw new Error("no config at load");', []],
    ];
    const codes = ["TIMEOUT", "MEMORY_LIMIT", "TOOL_ERROR"];
    for (const [i, [file, top, flags]] of cases.entries()) {
      writeFileSync(join(dir, file), `${top}\nexport function t() { return 1; }\n`);
      const started = performance.now();
      const result = await runCli(["call", file, "--tool", "t", ...flags], { cwd: dir });
      expect(result.code, file).toBe(1);
      expect(line(result.stdout).error.code, file).toBe(codes[i]);
      expect(performance.now() - started, file).toBeLessThan(12_000);
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

  it("replays --calls in one episode, a line per call, and writes --state-out in the data's own shape", async () => {
    const dir = setup();
    writeFileSync(
      join(dir, "ledger.ts"),
      `import { fail } from "envscale/runtime";
export function deposit(db, args) {
  const account = db.accounts[args.account_id];
  if (!account) fail("no such account");
  account.balance += args.amount;
  return account.balance;
}
export function open_account(db, args) {
  db.accounts[args.account_id] = { account_id: args.account_id, balance: 0 };
  return args.account_id;
}
`,
    );
    // The data as a service keeps it: a list of records, beside a keyed collection.
    const data = {
      accounts: [
        { account_id: "b", balance: 5 },
        { account_id: "a", balance: 1 },
      ],
      branches: { main: { city: "Oslo" } },
    };
    writeFileSync(join(dir, "data.json"), JSON.stringify(data));
    const calls = [
      { tool: "deposit", arguments: { account_id: "a", amount: 2 } },
      { tool: "deposit", arguments: { account_id: "zz", amount: 2 } },
      { tool: "open_account", arguments: { account_id: "c" } },
      { tool: "deposit", arguments: { account_id: "c", amount: 4 } },
    ];
    writeFileSync(join(dir, "calls.jsonl"), `${calls.map((c) => JSON.stringify(c)).join("\n")}\n`);
    const result = await runCli(["call", "ledger.ts", "--calls", "calls.jsonl", "--state", "data.json", "--state-out", "out.json"], {
      cwd: dir,
    });
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.ok, l.result ?? l.error.code])).toEqual([
      [true, 3],
      [false, "TOOL_ERROR"],
      [true, "c"],
      [true, 4],
    ]);
    expect(lines[0].state_hash).not.toBe(lines[2].state_hash);
    expect(lines[1].state_hash).toBe(lines[0].state_hash);
    expect(result.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))).toEqual({
      accounts: [
        { account_id: "b", balance: 5 },
        { account_id: "a", balance: 3 },
        { account_id: "c", balance: 4 },
      ],
      branches: { main: { city: "Oslo" } },
    });
  });

  it("refuses a calls file with a bad line, naming the line, before any call runs", async () => {
    const dir = setup();
    writeFileSync(join(dir, "calls.jsonl"), `{"tool":"create_note","arguments":{"text":"a"}}\n{"arguments":{}}\n`);
    const result = await runCli(["call", "tools.ts", "--calls", "calls.jsonl", "--state", "state.json"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("calls.jsonl:2");
    writeFileSync(join(dir, "proto.json"), '{"notes":{"__proto__":{"x":1}}}');
    const proto = await runCli(["call", "tools.ts", "--tool", "create_note", "--state", "proto.json"], { cwd: dir });
    expect(proto.code).toBe(2);
    expect(proto.stderr).toContain("__proto__");
  });
});

describe("envscale call --state: hostile states", () => {
  /** A state whose `notes` nests `levels` objects below its root (the root is one level). */
  const deep = (levels: number) => {
    let text = "{}";
    for (let i = 2; i < levels; i++) text = `{"child":${text}}`;
    return `{"notes":${text}}`;
  };
  const run = (dir: string, stateFile: string, extra: string[] = []) =>
    runCli(["call", "tools.ts", "--tool", "create_note", "--args", '{"text":"hi"}', "--state", stateFile, ...extra], { cwd: dir });

  it("refuses a state past the depth or size bound, or with a number JSON cannot hold, as a usage error naming the bound", async () => {
    const dir = setup();
    const cases: [string, string, RegExp][] = [
      ["deep-5000.json", deep(5000), /nested more than 64 levels deep at db\.notes\.child\.child/],
      ["deep-2500.json", deep(2500), /nested more than 64 levels deep/],
      ["deep-65.json", deep(65), /nested more than 64 levels deep/],
      ["huge-number.json", '{"notes":{"n1":{"id":"n1","size":1e400}}}', /Infinity at db\.notes\.n1\.size, which JSON cannot write/],
      [
        "large.json",
        `{"notes":{"n1":{"id":"n1","text":"${"z".repeat(86 * 1024 * 1024)}"}}}`,
        /larger than its bound of 16,777,216 characters of JSON \(16 MiB: a quarter of the isolate's memory limit\)/,
      ],
    ];
    for (const [file, text, message] of cases) {
      writeFileSync(join(dir, file), text);
      const result = await run(dir, file);
      expect(result.code, file).toBe(2);
      expect(result.stdout, file).toBe("");
      expect(result.stderr, file).toMatch(message);
      expect(result.stderr, file).not.toContain("E_INTERNAL");
    }
    // The deepest state allowed runs.
    writeFileSync(join(dir, "deep-64.json"), deep(64));
    expect((await run(dir, "deep-64.json")).code).toBe(0);
  });

  it("refuses a list whose key field holds __proto__, naming the record, rather than losing it", async () => {
    const dir = setup();
    writeFileSync(
      join(dir, "proto-key.json"),
      JSON.stringify({
        notes: [
          { id: "a", text: "kept" },
          { id: "__proto__", text: "would vanish" },
        ],
      }),
    );
    const result = await run(dir, "proto-key.json");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/collection "notes": record 2 has "__proto__" in its key field id/);
  });

  it("takes fields and records named constructor or prototype as ordinary data", async () => {
    const dir = setup();
    writeFileSync(
      join(dir, "ordinary.json"),
      JSON.stringify({
        notes: { constructor: { id: "constructor", text: "a", prototype: { x: 1 } } },
        shelves: [
          { id: "prototype", constructor: "oak" },
          { id: "s2", constructor: "pine" },
        ],
      }),
    );
    const result = await run(dir, "ordinary.json", ["--state-out", "out.json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
    expect(out.notes.constructor).toEqual({ id: "constructor", text: "a", prototype: { x: 1 } });
    expect(Object.keys(out.notes)).toHaveLength(2);
    expect(out.shelves).toEqual([
      { id: "prototype", constructor: "oak" },
      { id: "s2", constructor: "pine" },
    ]);
  });

  it("takes any JSON object as a state: a collection that is a list of plain values stays a list", async () => {
    const dir = setup();
    writeFileSync(
      join(dir, "list-tools.ts"),
      "export function first(db) { return db.items[0]; }\nexport function push(db, args) { db.items.push(args.value); return db.items.length; }\n",
    );
    writeFileSync(join(dir, "plain-list.json"), JSON.stringify({ items: [1, 2], empty: [] }));
    const first = await runCli(["call", "list-tools.ts", "--tool", "first", "--state", "plain-list.json"], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(line(first.stdout)).toMatchObject({ ok: true, result: 1 });
    const pushed = await runCli(
      ["call", "list-tools.ts", "--tool", "push", "--args", '{"value":3}', "--state", "plain-list.json", "--state-out", "out.json"],
      { cwd: dir },
    );
    expect(line(pushed.stdout)).toMatchObject({ ok: true, result: 3 });
    expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))).toEqual({ items: [1, 2, 3], empty: [] });
  });
});
