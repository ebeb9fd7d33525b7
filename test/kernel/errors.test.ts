import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvscaleError, errorCatalog, exitCodeFor } from "../../kernel/errors.ts";
import { callErrorCatalog } from "../../sandbox/index.ts";
import { repoRoot } from "../support/helpers.ts";

const documented = (file: string) =>
  [...readFileSync(join(repoRoot, file), "utf8").matchAll(/^### ([A-Z_]+)$/gm)].map((m) => m[1] as string);

describe("the error catalog", () => {
  it("documents every kernel error code in docs/errors.md, and nothing else", () => {
    const codes = Object.keys(errorCatalog);
    const docs = documented("docs/errors.md").filter((code) => code.startsWith("E_"));
    expect(docs.sort()).toEqual(codes.sort());
  });

  it("documents every tool call error code in docs/errors.md, and nothing else", () => {
    const docs = documented("docs/errors.md").filter((code) => !code.startsWith("E_"));
    expect(docs.sort()).toEqual(Object.keys(callErrorCatalog).sort());
  });

  it("maps usage errors to exit code 2, runtime errors to 1 and interruptions to 130", () => {
    expect(exitCodeFor(new EnvscaleError("E_CONFIG_UNKNOWN_KEY", "x"))).toBe(2);
    expect(exitCodeFor(new EnvscaleError("E_STAGE_FAILED", "x"))).toBe(1);
    expect(exitCodeFor(new EnvscaleError("E_ABORTED", "x"))).toBe(130);
    expect(exitCodeFor(new Error("plain"))).toBe(1);
  });
});
