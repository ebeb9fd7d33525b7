// The error codes a tool call can end with (part of the `envscale call` and Environment contract).

export const callErrorCatalog = {
  INVALID_ARGS: "The arguments fail the tool's JSON Schema (checked before entering the isolate).",
  UNKNOWN_TOOL: "The module declares no tool of that name.",
  TOOL_ERROR: "The tool threw: the message, what it threw (`thrown`, e.g. ToolError) and the line in the tool's own source.",
  TIMEOUT: "The call ran past its time limit; the state is as it was before the call.",
  MEMORY_LIMIT: "The call ran past its memory limit (or killed its sandbox process); the state is as it was before the call.",
  INVALID_RESULT: "The result is not JSON (a function, a cycle, a BigInt, NaN, a getter, a Promise…) or is too large.",
  INVALID_STATE:
    "The tool left non-JSON data in the database (or a `__proto__` key, a getter, a hole…); the state is as it was before the call.",
  COMPILE_ERROR:
    "The module does not compile or breaks a static rule (a forbidden import, a missing tool…); findings name file:line:column.",
  INTERNAL: "The sandbox itself failed (a bug, or a sandbox process died for another reason); the state is as it was before the call.",
} as const;

export type CallErrorCode = keyof typeof callErrorCatalog;
