import { describe, expect, it } from "vitest";
import { compileToolModule } from "../../sandbox/index.ts";

const errors = async (source: string, tools?: { name: string }[]) => {
  const result = await compileToolModule(source, tools ? { tools } : {});
  return result.ok ? [] : result.findings.filter((f) => f.severity === "error").map((f) => `${f.rule} ${f.line}:${f.column} ${f.message}`);
};

describe("compileToolModule", () => {
  it("bundles envscale/runtime and lists exported functions as write tools", async () => {
    const result = await compileToolModule(
      `import { newId } from "envscale/runtime";\nexport function make() { return newId("x"); }\nexport const get = (db, args) => db[args.k];\nexport interface Shape { a: string }`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.module.tools).toEqual([{ name: "make" }, { name: "get" }]);
    expect(result.module.script.startsWith('(function () {"use strict";')).toBe(true);
    expect(result.module.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes the same script and source map wherever it runs: paths are relative to the runtime, never to the working directory", async () => {
    const source = `import { now } from "envscale/runtime";\nexport function when() { return now(); }`;
    const here = await compileToolModule(source, { filename: "shop/tools.ts" });
    const cwd = process.cwd();
    process.chdir("/");
    try {
      const elsewhere = await compileToolModule(`${source}\n`, { filename: "shop/tools.ts" });
      if (!here.ok || !elsewhere.ok) throw new Error("expected both to compile");
      expect(elsewhere.module.script).toBe(here.module.script);
      expect(JSON.parse(here.module.sourceMap).sources).toEqual(["shop/tools.ts", "tool-runtime.ts"]);
      expect(here.module.script).not.toContain(cwd);
    } finally {
      process.chdir(cwd);
    }
  });

  it("returns the same compiled module for the same source (cached by content)", async () => {
    const source = `export function t() { return 1; }`;
    const a = await compileToolModule(source);
    const b = await compileToolModule(source);
    expect(a).toBe(b);
  });

  it("checks exports against the declared tools: missing, not a function, stray, arity, default", async () => {
    expect(await errors(`export function a(db, args) {}`, [{ name: "a" }, { name: "b" }])).toEqual([
      'missing-tool 1:1 declared tool "b" is not exported',
    ]);
    expect(await errors(`export const a = 5;`, [{ name: "a" }])).toEqual(['not-a-function 1:14 export "a" is not a function']);
    expect(await errors(`export function a() {}\nexport function helper() {}`, [{ name: "a" }])).toEqual([
      'stray-export 2:1 export "helper" is not a declared tool (export only the tools)',
    ]);
    expect(await errors(`export function a(db, args, more) {}`)).toEqual(['arity 1:1 tool "a" takes 3 parameters; a tool is (db, args)']);
    expect(await errors(`export default function () {}`)).toEqual([
      "default-export 1:1 a default export is not a tool: export each tool by name",
    ]);
  });

  it("refuses async tools, await and for await", async () => {
    expect(await errors(`export async function a() {}`)).toEqual(['async-tool 1:1 tool "a" is async: tools must be synchronous']);
  });

  it("reports a syntax error with its location", async () => {
    expect(await errors(`export function a(db) {\n  return db.x + ;\n}`)).toEqual(['esbuild 2:17 Unexpected ";"']);
  });

  it("warns, without failing, about module-level mutable state", async () => {
    const result = await compileToolModule(`let calls = 0;\nexport function a() { return ++calls; }`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.module.findings.map((f) => `${f.severity} ${f.rule} ${f.line}`)).toEqual(["warning module-state 1"]);
  });
});
