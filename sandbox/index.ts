// The sandbox's public face: everything outside sandbox/ imports from here. Compile and check a
// tool module (host/compile.ts), run it in supervised sandbox processes (host/sandbox.ts), the
// types of modules, calls and outcomes, states and their hash. The sandbox imports no other layer;
// lib/sandbox-service plugs it into the kernel as the `sandbox` service.
// What runs where: host/ in the caller's process, process/ in a sandbox process, isolate/ inside
// an isolate; protocol.ts and the types here are shared by the sides (see README.md).

export { type CompileOptions, type CompileResult, compileToolModule } from "./host/compile.ts";
export { Sandbox, type SandboxOptions } from "./host/sandbox.ts";
export { type EpisodeResult, SandboxEnvironment, type SandboxMetrics } from "./host/sandbox-environment.ts";
export { type CallErrorCode, callErrorCatalog, type ModuleLoadCode, ModuleLoadError } from "./shared/call-errors.ts";
export { canonicalStateText, canonicalText, type JsonObject, type JsonValue, sha256 } from "./shared/canonical-state.ts";
export { DEFAULT_CLOCK, DEFAULT_MEMORY_MB, type EnvironmentOptions, type ResetOptions } from "./shared/environment-options.ts";
export type { ProcessStats } from "./shared/protocol.ts";
export { SandboxError } from "./shared/sandbox-error.ts";
export { MAX_DEPTH, maxStateChars } from "./shared/state-bounds.ts";
export { applyStateChanges, type StateChanges } from "./shared/state-changes.ts";
export { type StateBound, StateBoundsError } from "./shared/state-checks.ts";
export {
  type CallError,
  type CallOutcome,
  type CompiledModule,
  compileFailure,
  type Finding,
  type ToolCall,
  type ToolDeclaration,
  toolDeclarationSchema,
} from "./shared/tool-module.ts";
