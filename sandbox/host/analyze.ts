// Static checks of a tool module with ts-morph: exports against declarations, arity, forbidden globals.
//
// Which findings block (make compilation fail) and which warn:
// - error  `missing-tool`     a declared tool is not exported
// - error  `not-a-function`   a tool export is not a function
// - error  `arity`            a tool takes more than (db, args)
// - error  `stray-export`     a value export that is not a declared tool (types are fine)
// - error  `default-export`   tools are named exports
// - error  `async-tool`       tools must be synchronous (no async function, no await)
// - error  `forbidden-global` process, require, module, eval, Function, timers, fetch, XMLHttpRequest,
//                             WebSocket, WebAssembly, SharedArrayBuffer, Atomics, WeakRef,
//                             FinalizationRegistry: none exists in the sandbox (or each is disabled)
// - error  `forbidden-import`  any import but envscale/runtime (type-only imports are fine)
// - error  `dynamic-import`, `import-meta`
// - warning `module-state`    top-level `let`/`var`: it survives between calls of an episode (it is
//                             reset with the episode), so state belongs in the database
import type { Node as MorphNode, Project } from "ts-morph";
import type { Finding, ToolDeclaration } from "../shared/tool-module.ts";

export const RUNTIME_SPECIFIER = "envscale/runtime";

const FORBIDDEN: Record<string, string> = {
  process: "there is no process object in the sandbox",
  require: "require() is not available; import helpers from envscale/runtime",
  module: "there is no module object; use named exports",
  eval: "code generation from strings is disabled in the sandbox",
  Function: "code generation from strings is disabled in the sandbox",
  setTimeout: "there are no timers in the sandbox: tools are synchronous",
  setInterval: "there are no timers in the sandbox: tools are synchronous",
  setImmediate: "there are no timers in the sandbox: tools are synchronous",
  clearTimeout: "there are no timers in the sandbox: tools are synchronous",
  clearInterval: "there are no timers in the sandbox: tools are synchronous",
  queueMicrotask: "there is no task queue in the sandbox: tools are synchronous",
  fetch: "there is no network in the sandbox: the database is the only world",
  XMLHttpRequest: "there is no network in the sandbox: the database is the only world",
  WebSocket: "there is no network in the sandbox: the database is the only world",
  WebAssembly: "WebAssembly is not available in the sandbox",
  SharedArrayBuffer: "shared memory is not available in the sandbox",
  Atomics: "shared memory is not available in the sandbox",
  WeakRef: "WeakRef depends on garbage collection, which is not deterministic",
  FinalizationRegistry: "FinalizationRegistry depends on garbage collection, which is not deterministic",
};

export interface ExportedFunction {
  name: string;
  parameters: number;
}

export interface Analysis {
  findings: Finding[];
  /** Exported functions in source order (the tools when no declarations are given). */
  functions: ExportedFunction[];
}

// ts-morph loads the TypeScript compiler (~0.4 s): load it once, on first use, and reuse one project.
let projectCache: { project: Project; morph: typeof import("ts-morph") } | null = null;

async function morphProject() {
  if (!projectCache) {
    const morph = await import("ts-morph");
    const project = new morph.Project({
      useInMemoryFileSystem: true,
      skipLoadingLibFiles: true,
      compilerOptions: { allowJs: true, noResolve: true },
    });
    projectCache = { project, morph };
  }
  return projectCache;
}

/** Check a module; `declared` are the tools its domain declares (undefined: every exported function is one). */
export async function analyzeToolModule(source: string, filename: string, declared?: readonly ToolDeclaration[]): Promise<Analysis> {
  const { project, morph } = await morphProject();
  const { SyntaxKind, Node } = morph;
  const file = project.createSourceFile(`/${filename.replace(/^\/+/, "")}`, source, { overwrite: true });
  try {
    const findings: Finding[] = [];
    /** A finding where a node starts (a position in the file). */
    const report = (start: number, severity: Finding["severity"], rule: string, message: string) => {
      const { line, column } = file.getLineAndColumnAtPos(start);
      findings.push({ severity, rule, message, file: filename, line, column });
    };
    const at = (node: MorphNode, severity: Finding["severity"], rule: string, message: string) =>
      report(node.getStart(), severity, rule, message);

    // One walk over the compiler's nodes (ts-morph's wrappers cost more than the checks: a module
    // was ~25 ms of the host's event loop), collecting what the checks below need, in source order.
    const ts = morph.ts;
    type TsNode = import("ts-morph").ts.Node;
    const sourceFile = file.compilerNode;
    const declaredNames = new Set<string>();
    const identifiers: import("ts-morph").ts.Identifier[] = [];
    const exportAssignments: TsNode[] = [];
    const dynamicImports: TsNode[] = [];
    const importMetas: TsNode[] = [];
    const awaits: TsNode[] = [];
    const awaitLoops: TsNode[] = [];
    const nameOf = (name: TsNode | undefined) => {
      if (name && ts.isIdentifier(name)) declaredNames.add(name.text);
    };
    const visit = (node: TsNode): void => {
      if (ts.isIdentifier(node)) identifiers.push(node);
      else if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node))
        nameOf(node.name);
      else if (ts.isBindingElement(node)) nameOf(node.name);
      else if (ts.isImportSpecifier(node)) nameOf(node.propertyName ?? node.name);
      if (ts.isExportAssignment(node)) exportAssignments.push(node);
      else if (ts.isCallExpression(node) && node.expression.kind === SyntaxKind.ImportKeyword) dynamicImports.push(node);
      else if (ts.isMetaProperty(node) && node.keywordToken === SyntaxKind.ImportKeyword) importMetas.push(node);
      else if (ts.isAwaitExpression(node)) awaits.push(node);
      else if (ts.isForOfStatement(node) && node.awaitModifier) awaitLoops.push(node);
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    const atNode = (node: TsNode, rule: string, message: string) => report(node.getStart(sourceFile), "error", rule, message);
    /** Inside a type (erased: `interface Function {}` or `x: Function` never reaches the global). */
    const inType = (node: TsNode): boolean => {
      for (let up = node.parent; up; up = up.parent)
        if (ts.isTypeNode(up) || ts.isInterfaceDeclaration(up) || ts.isTypeAliasDeclaration(up)) return true;
      return false;
    };

    // Exports: functions (declarations, or consts bound to function expressions), other values, default.
    const functions: ExportedFunction[] = [];
    const exportedValues = new Map<string, MorphNode>();
    const functionLike = (node: MorphNode | undefined) =>
      node && (Node.isFunctionDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node)) ? node : undefined;
    for (const [name, declarations] of file.getExportedDeclarations()) {
      for (const declaration of declarations) {
        if (Node.isInterfaceDeclaration(declaration) || Node.isTypeAliasDeclaration(declaration)) continue;
        if (name === "default") {
          at(declaration, "error", "default-export", "a default export is not a tool: export each tool by name");
          continue;
        }
        exportedValues.set(name, declaration);
        const fn =
          functionLike(declaration) ?? (Node.isVariableDeclaration(declaration) ? functionLike(declaration.getInitializer()) : undefined);
        if (!fn) continue;
        functions.push({ name, parameters: fn.getParameters().length });
        if (fn.isAsync()) at(fn, "error", "async-tool", `tool "${name}" is async: tools must be synchronous`);
        if (fn.getParameters().length > 2)
          at(fn, "error", "arity", `tool "${name}" takes ${fn.getParameters().length} parameters; a tool is (db, args)`);
      }
    }
    for (const node of exportAssignments) atNode(node, "default-export", "a default export is not a tool: export each tool by name");
    if (declared) {
      const names = new Set(declared.map((tool) => tool.name));
      for (const tool of declared) {
        const node = exportedValues.get(tool.name);
        if (!node)
          findings.push({
            severity: "error",
            rule: "missing-tool",
            message: `declared tool "${tool.name}" is not exported`,
            file: filename,
            line: 1,
            column: 1,
          });
        else if (!functions.some((f) => f.name === tool.name))
          at(node, "error", "not-a-function", `export "${tool.name}" is not a function`);
      }
      for (const [name, node] of exportedValues) {
        if (!names.has(name)) at(node, "error", "stray-export", `export "${name}" is not a declared tool (export only the tools)`);
      }
    } else {
      for (const [name, node] of exportedValues) {
        if (!functions.some((f) => f.name === name))
          at(node, "error", "stray-export", `export "${name}" is not a function, so it cannot be a tool`);
      }
    }

    // Names declared anywhere in the file shadow the globals of the same name.
    for (const identifier of identifiers) {
      const name = identifier.text;
      const reason = FORBIDDEN[name];
      if (!reason || declaredNames.has(name)) continue;
      const parent = identifier.parent;
      // `x.process`, `{ process: 1 }`, `class { fetch() {} }` name properties, not the global.
      if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) continue;
      if (
        (ts.isPropertyAssignment(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isPropertyDeclaration(parent) ||
          ts.isPropertySignature(parent)) &&
        parent.name === identifier
      )
        continue;
      if (ts.isQualifiedName(parent) && parent.right === identifier) continue;
      if (inType(identifier)) continue;
      atNode(identifier, "forbidden-global", `uses ${name}: ${reason}`);
    }
    // esbuild drops unused imports before resolving them; the rule holds for every import anyway.
    for (const declaration of file.getImportDeclarations()) {
      if (declaration.isTypeOnly()) continue;
      const specifier = declaration.getModuleSpecifierValue();
      if (specifier !== RUNTIME_SPECIFIER)
        at(
          declaration,
          "error",
          "forbidden-import",
          `import of "${specifier}" is not allowed: a tool module may only import "${RUNTIME_SPECIFIER}"`,
        );
    }
    for (const declaration of file.getExportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (specifier !== undefined)
        at(declaration, "error", "forbidden-import", `re-export from "${specifier}" is not allowed: export the tools defined here`);
    }
    for (const node of dynamicImports)
      atNode(node, "dynamic-import", "dynamic import() is not allowed: a tool module may only import envscale/runtime");
    for (const node of importMetas) atNode(node, "import-meta", "import.meta is not available in the sandbox");
    for (const node of awaits) atNode(node, "async-tool", "await is not allowed: tools must be synchronous");
    for (const node of awaitLoops) atNode(node, "async-tool", "for await is not allowed: tools must be synchronous");
    for (const statement of file.getVariableStatements()) {
      const kind = statement.getDeclarationKind();
      if (kind === "let" || kind === "var") {
        at(
          statement,
          "warning",
          "module-state",
          `top-level ${kind} keeps state between calls of an episode (it resets with the episode): keep state in the database`,
        );
      }
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { findings, functions };
  } finally {
    project.removeSourceFile(file);
  }
}
