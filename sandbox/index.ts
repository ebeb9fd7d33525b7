// The sandbox's public face: everything outside sandbox/ imports from here. Compile and check a
// tool module (host/compile.ts), run it in supervised sandbox processes (host/sandbox.ts), the
// types of modules, calls and outcomes, and the sandbox as a service plugin (service.ts).
// What runs where: host/ in the caller's process, process/ in a sandbox process, isolate/ inside
// an isolate; protocol.ts and the types here are shared by the sides (see README.md).
export { type CallErrorCode, callErrorCatalog } from "./call-errors.ts";
export { DEFAULT_CLOCK, type EnvironmentOptions, type ResetOptions } from "./environment-options.ts";
export { type CompileOptions, type CompileResult, compileToolModule } from "./host/compile.ts";
export { Sandbox, SandboxEnvironment, type SandboxMetrics, type SandboxOptions } from "./host/sandbox.ts";
export type { EpisodeResult, ProcessStats } from "./protocol.ts";
export { default as sandboxService, sandboxConfigSchema } from "./service.ts";
export {
  type CallError,
  type CallOutcome,
  type CompiledModule,
  compileFailure,
  type Finding,
  type ToolCall,
  type ToolDeclaration,
  toolDeclarationSchema,
} from "./tool-module.ts";
