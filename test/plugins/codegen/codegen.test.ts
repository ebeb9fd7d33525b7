// The codegen stage offline: every file of every environment, seeded states, reports, and a generated
// environment served through `envscale call`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CodegenReport } from "../../../lib/contracts/codegen-report.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import { domainOf, sharedExampleRun } from "../../support/example.ts";
import { runCli } from "../../support/helpers.ts";
import type { RunView } from "../../support/pipeline.ts";

let run: RunView;

beforeAll(async () => {
  run = sharedExampleRun();
}, 60_000);

describe("an offline run on the example catalog", () => {
  it("writes every file of every environment, and the run-level graph and domains", () => {
    const domains = run.json<Domains>("domains.json").domains;
    expect(domains).toHaveLength(5);
    expect(existsSync(join(run.runDir, "tool-graph.json"))).toBe(true);
    for (const domain of domains) {
      for (const file of [
        "schema.json",
        "tools.ts",
        "tools.bundle.js",
        "verification.json",
        "dependencies.json",
        "sample-state.json",
        "environment.json",
        "codegen.json",
      ]) {
        expect(existsSync(join(run.runDir, "envs", domain.name, file)), `${domain.name}/${file}`).toBe(true);
      }
    }
  });

  it("serves a generated environment through `envscale call`", async () => {
    const domain = domainOf(run, "get_flight");
    const dir = join(run.runDir, "envs", domain);
    const state = run.json<DomainState>(`envs/${domain}/sample-state.json`);
    const flight = Object.keys(state.flights ?? {})[0] as string;
    const result = await runCli([
      "call",
      join(dir, "tools.ts"),
      "--tool",
      "get_flight",
      "--args",
      JSON.stringify({ flight_id: flight }),
      "--state",
      join(dir, "sample-state.json"),
    ]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, result: { flight_id: flight } });
  });
});

describe("rules and generators", () => {
  it("codegen reports say who wrote the code", () => {
    const report = run.json<CodegenReport>(`envs/${domainOf(run, "get_flight")}/codegen.json`);
    expect(report).toMatchObject({ source: "templates", rounds: 0, tests: [], functions: { get_flight: "get_flight" } });
  });
});
