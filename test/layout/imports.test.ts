// The shape of the codebase, as its imports show it: five layers, in this order.
//   kernel   the contract and the driver: imports no other layer
//   sandbox  the engine for untrusted code: imports no other layer
//   lib      what stages agree on: imports only the kernel and the sandbox
//   plugins  one folder per stage: the kernel, `sandbox/index.ts` and lib; never another stage,
//            an app or an LLM provider (providers are adapters the apps choose)
//   apps     the programs (and `bin/`, their entry): anything below them
// No two folders import each other, directly or through others, and no file imports one that
// imports it back.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCE_FOLDERS } from "../../apps/cli/compose.ts";
import { repoRoot } from "../support/helpers.ts";

/** The layers, lowest first, and the top-level folders of the repository besides them. */
const LAYERS = ["kernel", "sandbox", "lib", "plugins", "apps"] as const;
const OTHER_FOLDERS = ["bench", "bin", "docs", "examples", "generated", "test"];
const SOURCE = [...LAYERS, "bin"];
const IMPORT = /(?:\bfrom|\bimport|declare\s+module)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g;

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of envscale's own source (tests, benchmarks and examples aside). */
function imports(): Edge[] {
  const edges: Edge[] = [];
  for (const folder of SOURCE) {
    for (const file of readdirSync(join(repoRoot, folder), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts")) continue;
      const from = join(folder, file);
      // Strip comments: a doc comment may show an import as an example.
      const text = readFileSync(join(repoRoot, from), "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
      for (const match of text.matchAll(IMPORT)) edges.push({ from, to: normalize(join(dirname(from), match[1] as string)) });
    }
  }
  return edges;
}

/** The unit a file belongs to: a folder of lib, plugins or apps, a sandbox side, or a top-level folder. */
function unit(file: string): string {
  const [top, second] = file.split("/");
  if (["lib", "plugins", "apps", "sandbox"].includes(top as string) && second?.includes(".") === false) return `${top}/${second}`;
  return top as string;
}

const layer = (file: string) => file.split("/")[0] as string;

function allowed({ from, to }: Edge): boolean {
  const [a, b] = [unit(from), unit(to)];
  if (a === b) return true;
  const [la, lb] = [layer(from), layer(to)];
  if (la === "kernel") return false;
  if (la === "sandbox") return lb === "sandbox";
  if (to.startsWith("lib/llm/providers/") && a !== "lib/llm" && la !== "apps" && la !== "bin") return false;
  if (la === "lib") return lb === "kernel" || lb === "sandbox" || lb === "lib";
  if (la === "plugins") return lb === "kernel" || to === "sandbox/index.ts" || lb === "lib";
  // apps and their entry: anything below them, never the tests or benchmarks.
  return lb !== "test" && lb !== "bench";
}

/** Files that import each other, directly or through other files. */
function fileCycles(edges: readonly Edge[]): string[][] {
  return cycles(
    edges.map(({ from, to }) => ({ from: `=${from}`, to: `=${to}` })),
    (f) => f.slice(1),
  );
}

/** Strongly connected groups of more than one folder (Tarjan); `by` names a file's node. */
function cycles(edges: readonly Edge[], by: (file: string) => string = unit): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [by(from), by(to)];
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    graph.get(a)?.add(b);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) group.push(w);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

describe("the layout", () => {
  const edges = imports();

  it("reads the imports of every source folder", () => {
    expect(edges.length).toBeGreaterThan(300);
    const units = new Set(edges.map((e) => unit(e.from)));
    for (const u of ["kernel", "sandbox/host", "lib/episodes", "plugins/verify", "apps/cli", "bin"]) expect(units).toContain(u);
  });

  it("holds the five layers and nothing else at the top level", () => {
    const top = readdirSync(repoRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
    expect(top.filter((f) => f !== "node_modules")).toEqual([...LAYERS, ...OTHER_FOLDERS].sort());
  });

  it("has no import that crosses a boundary: stage to stage, stage to app or provider, shared to stage, kernel outward", () => {
    const crossing = edges.filter((edge) => !allowed(edge)).map((e) => `${e.from} → ${relative(".", e.to)}`);
    expect(crossing).toEqual([]);
  });

  it("has no cycle between folders, nor between files", () => {
    expect(cycles(edges)).toEqual([]);
    expect(fileCycles(edges)).toEqual([]);
  });

  it("catches what it should: a layer importing upward, a stage importing another, and cycles", () => {
    expect(allowed({ from: "plugins/tasks/index.ts", to: "plugins/verify/cases.ts" })).toBe(false);
    expect(allowed({ from: "plugins/tasks/index.ts", to: "sandbox/host/sandbox.ts" })).toBe(false);
    expect(allowed({ from: "plugins/tasks/index.ts", to: "sandbox/index.ts" })).toBe(true);
    expect(allowed({ from: "lib/episodes/dialogue.ts", to: "plugins/rollouts/scripted.ts" })).toBe(false);
    expect(allowed({ from: "lib/episodes/dialogue.ts", to: "sandbox/host/sandbox.ts" })).toBe(true);
    expect(allowed({ from: "lib/episodes/dialogue.ts", to: "apps/server/app.ts" })).toBe(false);
    expect(allowed({ from: "plugins/schema/model-schema.ts", to: "lib/llm/providers/openai/openai-llm.ts" })).toBe(false);
    expect(allowed({ from: "kernel/run.ts", to: "apps/worker/bullmq-queue.ts" })).toBe(false);
    expect(allowed({ from: "sandbox/host/sandbox.ts", to: "kernel/errors.ts" })).toBe(false);
    expect(allowed({ from: "apps/cli/serve-command.ts", to: "apps/server/app.ts" })).toBe(true);
    expect(allowed({ from: "apps/cli/bench-command.ts", to: "bench/support/args.ts" })).toBe(false);
    expect(
      cycles([
        { from: "plugins/filter/index.ts", to: "plugins/rollouts/index.ts" },
        { from: "plugins/rollouts/index.ts", to: "plugins/filter/judge.ts" },
      ]),
    ).toEqual([["plugins/filter", "plugins/rollouts"]]);
    expect(
      fileCycles([
        { from: "apps/cli/main.ts", to: "apps/cli/run-command.ts" },
        { from: "apps/cli/run-command.ts", to: "apps/cli/main.ts" },
      ]),
    ).toEqual([["apps/cli/main.ts", "apps/cli/run-command.ts"]]);
  });

  it("versions the built-in stages by every folder of code they run: a change to shared code invalidates cached stages", () => {
    for (const folder of ["kernel", "sandbox", "lib", "plugins"]) expect(SOURCE_FOLDERS, folder).toContain(folder);
  });
});
