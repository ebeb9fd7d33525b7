// The shape of the codebase, as its imports show it. Stages import only the kernel, the sandbox's
// public entry and the shared layer (contracts, domain model, episode runtime, LLM port, tool code);
// never another stage, an app or an LLM provider. The shared layer imports no stage or app; the
// kernel imports only itself; the sandbox only itself and the kernel. No two folders import each
// other, directly or through others.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCE_FOLDERS } from "../../cli/compose.ts";
import { repoRoot } from "../support/helpers.ts";

const SHARED = ["contracts", "data-pack", "domain-model", "episodes", "llm", "tool-code"];
const APPS = ["bin", "cli", "server", "worker"];
const SOURCE = ["kernel", "sandbox", "plugins", ...SHARED, ...APPS];
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

/** The unit a file belongs to: a stage folder, a sandbox side, or a top-level folder. */
function unit(file: string): string {
  const [top, second] = file.split("/");
  if (top === "plugins" || (top === "sandbox" && second?.includes(".") === false)) return `${top}/${second}`;
  return top as string;
}

function allowed({ from, to }: Edge): boolean {
  const [a, b] = [unit(from), unit(to)];
  if (a === b) return true;
  const top = (u: string) => u.split("/")[0] as string;
  if (top(a) === "kernel") return false;
  if (top(a) === "sandbox") return top(b) === "sandbox" || b === "kernel";
  if (top(a) === "plugins" || SHARED.includes(a)) {
    if (to.startsWith("llm/providers/") && a !== "llm") return false;
    return b === "kernel" || to === "sandbox/index.ts" || SHARED.includes(b);
  }
  return true;
}

/** Strongly connected groups of more than one folder (Tarjan). */
function cycles(edges: readonly Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [unit(from), unit(to)];
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
    expect(new Set(edges.map((e) => unit(e.from)))).toContain("plugins/verify");
  });

  it("has no import that crosses a boundary: stage to stage, stage to app or provider, shared to stage, kernel outward", () => {
    const crossing = edges.filter((edge) => !allowed(edge)).map((e) => `${e.from} → ${relative(".", e.to)}`);
    expect(crossing).toEqual([]);
  });

  it("has no cycle between folders", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("catches what it should: a stage importing another, and a cycle", () => {
    expect(allowed({ from: "plugins/tasks/index.ts", to: "plugins/verify/cases.ts" })).toBe(false);
    expect(allowed({ from: "plugins/tasks/index.ts", to: "sandbox/host/sandbox.ts" })).toBe(false);
    expect(allowed({ from: "episodes/dialogue.ts", to: "plugins/rollouts/scripted.ts" })).toBe(false);
    expect(allowed({ from: "plugins/schema/model-schema.ts", to: "llm/providers/openai/openai-llm.ts" })).toBe(false);
    expect(allowed({ from: "kernel/run.ts", to: "worker/bullmq-queue.ts" })).toBe(false);
    expect(allowed({ from: "cli/serve-command.ts", to: "server/app.ts" })).toBe(true);
    expect(
      cycles([
        { from: "plugins/filter/index.ts", to: "plugins/rollouts/index.ts" },
        { from: "plugins/rollouts/index.ts", to: "plugins/filter/judge.ts" },
      ]),
    ).toEqual([["plugins/filter", "plugins/rollouts"]]);
  });

  it("versions the built-in stages by every folder of code they run: a change to shared code invalidates cached stages", () => {
    for (const folder of ["kernel", "plugins", "sandbox", ...SHARED]) expect(SOURCE_FOLDERS, folder).toContain(folder);
  });
});
