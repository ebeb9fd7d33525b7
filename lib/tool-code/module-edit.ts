// Edits of a tool module by function (ts-morph): read one tool's code, put a repaired one in its
// place, or withdraw tools that failed verification (they stay as plain functions, unexported).
import type { Project, SourceFile } from "ts-morph";

// ts-morph loads the TypeScript compiler (~0.4 s): load it on first use. Every edit gets a project
// of its own (a few ms): a shared one answered differently depending on the edits made before in it
// (replaced text came out indented differently when domains were verified in another order), and
// the same seed must give the same modules at any `--concurrency`.
let morph: typeof import("ts-morph") | null = null;

async function edit<T>(source: string, change: (file: SourceFile) => T): Promise<{ source: string; value: T }> {
  morph ??= await import("ts-morph");
  const project: Project = new morph.Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noResolve: true },
  });
  const file = project.createSourceFile("/__edit.ts", source);
  const value = change(file);
  return { source: file.getFullText(), value };
}

/** The text of the exported function `name`, or null. */
export async function functionText(source: string, name: string): Promise<string | null> {
  const { value } = await edit(source, (file) => file.getFunction(name)?.getText() ?? null);
  return value;
}

/** The module with function `name` replaced by `code` (one function declaration); null if `name` is absent. */
export async function replaceFunction(source: string, name: string, code: string): Promise<string | null> {
  const result = await edit(source, (file) => {
    const fn = file.getFunction(name);
    if (!fn) return false;
    fn.replaceWithText(code.trim());
    return true;
  });
  return result.value ? result.source : null;
}

/** The module with these functions no longer exported (tools withdrawn from the environment). */
export async function withdrawFunctions(source: string, names: readonly string[]): Promise<string> {
  if (names.length === 0) return source;
  const result = await edit(source, (file) => {
    for (const name of names) file.getFunction(name)?.setIsExported(false);
  });
  return result.source;
}

/** Whether `code` is exactly one function declaration named `name` (what a repair must answer). */
export async function isSingleFunction(code: string, name: string): Promise<string | null> {
  const { value } = await edit(code, (file) => {
    const functions = file.getFunctions();
    if (functions.length !== 1 || functions[0]?.getName() !== name) return `expected exactly one function declaration named ${name}`;
    const others = file.getStatements().filter((s) => s !== functions[0]);
    return others.length > 0 ? "answer with the function alone: no imports, helpers or other statements" : null;
  });
  return value;
}
