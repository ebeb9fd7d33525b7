// The one error the sandbox raises outside a tool call (a process that cannot start, a closed
// sandbox or environment). It carries the code `E_SANDBOX` of the kernel's error catalog and the
// same fields as the kernel's errors, which recognise errors by code, not by class: the sandbox
// imports no other layer.

export class SandboxError extends Error {
  readonly code = "E_SANDBOX" as const;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown>; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SandboxError";
    this.details = options.details ?? {};
    this.hint = options.hint;
  }
}
