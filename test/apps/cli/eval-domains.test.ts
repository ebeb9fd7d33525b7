// `envscale eval domains`: domain recovery against catalog labels.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../../support/helpers.ts";

const exampleCatalog = join(repoRoot, "examples", "catalog");

describe("envscale eval domains", () => {
  it("prints ari, nmi, domains and labels as JSON against a label field", async () => {
    const result = await runCli(["eval", "domains", exampleCatalog, "--label-field", "source.file", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const scores = JSON.parse(result.stdout) as Record<string, number>;
    expect(scores).toMatchObject({ ari: 1, nmi: 1, domains: 5, labels: 5, tools: 40, rejected: 0 });
  });

  it("says which field is missing when no tool has it", async () => {
    const result = await runCli(["eval", "domains", exampleCatalog, "--label-field", "meta.nothing"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no tool has a value in label field "meta.nothing"/);
  });
});
