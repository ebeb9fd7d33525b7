// Verification when the code is bad: tools that hang, crash or do not compile are repaired or
// dropped, a domain whose every tool fails gets no environment, and the run goes on.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnyStage, Outputs, StageContext } from "../../../kernel/stage.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import type { EnvironmentSpec } from "../../../lib/contracts/environment-spec.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { replaceFunction } from "../../../lib/tool-code/module-edit.ts";
import codegen from "../../../plugins/codegen/index.ts";
import { builtInStages } from "../../support/built-in-stages.ts";
import { repoRoot } from "../../support/helpers.ts";
import { type PipelineRun, runStages } from "../../support/pipeline.ts";

type CodegenOutputs = Outputs<readonly ["tool-modules", "sample-states", "codegen-reports"]>;

/** Codegen as built in, then sabotaged: what a careless model might have written. */
const sabotaged: AnyStage = {
  ...(codegen as AnyStage),
  name: "sabotaged-codegen",
  replaces: "codegen",
  async run(ctx: StageContext, inputs: Record<string, unknown>) {
    const out = (await (codegen as AnyStage).run(ctx, inputs)) as CodegenOutputs;
    const modules = out["tool-modules"];
    for (const [domain, source] of Object.entries(modules)) {
      let edited = source;
      if (source.includes("export function get_reservation")) {
        edited = (await replaceFunction(
          edited,
          "get_reservation",
          "export function get_reservation(db, args) { while (true) {} }",
        )) as string;
        edited = (await replaceFunction(
          edited,
          "cancel_reservation",
          "export function cancel_reservation(db, args) { for (;;) {} }",
        )) as string;
      }
      if (source.includes("export function transfer_funds")) {
        for (const name of out["codegen-reports"][domain]?.functions ? Object.values(out["codegen-reports"][domain].functions) : []) {
          edited = (await replaceFunction(edited, name, `export function ${name}(db, args) { return args.nothing.deeper; }`)) as string;
        }
      }
      if (source.includes("export function create_event")) edited = `${edited}\nexport function broken( {`;
      modules[domain] = edited;
    }
    return out;
  },
};

let run: PipelineRun;
let domains: Domains;
const domainOf = (tool: string) => domains.domains.find((d) => d.tools.includes(tool))?.name as string;

beforeAll(async () => {
  run = await runStages({
    stages: [...builtInStages, sabotaged],
    config: { stages: { ingest: { sources: [join(repoRoot, "examples", "catalog")] }, verify: { timeoutMs: 150 } } },
  });
  domains = run.json<Domains>("domains.json");
}, 120_000);

describe("verify against broken tools", () => {
  it("drops a write tool that hangs, after reporting the time-outs", () => {
    const domain = domainOf("cancel_reservation");
    const verification = run.json<Verification>(`envs/${domain}/verification.json`);
    const cancel = verification.tools.find((t) => t.tool === "cancel_reservation");
    expect(cancel).toMatchObject({ verdict: "dropped", rounds: 0 });
    expect(cancel?.unexpected_failure).toBeGreaterThan(0);
    expect(cancel?.failures.join("\n")).toMatch(/TIMEOUT/);
    const environment = run.json<EnvironmentSpec>(`envs/${domain}/environment.json`);
    expect(environment.tools.map((t) => t.name)).not.toContain("cancel_reservation");
    // The dropped tool stays in tools.ts for the record, unexported.
    const source = run.text(`envs/${domain}/tools.ts`);
    expect(source).toMatch(/\nfunction cancel_reservation\(/);
    expect(source).not.toMatch(/export function cancel_reservation/);
  });

  it("repairs a read tool that hangs (offline: the generic read of its table) and keeps it", () => {
    const domain = domainOf("get_reservation");
    const verification = run.json<Verification>(`envs/${domain}/verification.json`);
    const get = verification.tools.find((t) => t.tool === "get_reservation");
    expect(get).toMatchObject({ verdict: "repaired", rounds: 1, repair: "generic list template (offline)" });
    expect(get?.failures.join("\n")).toMatch(/TIMEOUT/);
    const environment = run.json<EnvironmentSpec>(`envs/${domain}/environment.json`);
    expect(environment.tools.find((t) => t.name === "get_reservation")).toMatchObject({ operation: "list", access: "read" });
  });

  it("drops the crashing writes of a domain and repairs its reads", () => {
    const verification = run.json<Verification>(`envs/${domainOf("transfer_funds")}/verification.json`);
    for (const t of verification.tools) {
      expect(t.verdict, t.tool).toBe(
        ["get_account_balance", "list_accounts", "list_transactions", "get_transaction"].includes(t.tool) ? "repaired" : "dropped",
      );
      expect(t.failures[0], t.tool).toMatch(/TypeError/);
    }
  });

  it("drops every tool of a module that does not compile, with the compiler's words", () => {
    const domain = domainOf("create_event");
    const verification = run.json<Verification>(`envs/${domain}/verification.json`);
    expect(verification.moduleProblem).toMatch(/does not compile/);
    expect(verification.tools.every((t) => t.verdict === "dropped" && /does not compile/.test(t.failures[0] ?? ""))).toBe(true);
  });

  it("finishes the run: the other domains are verified, and the summary counts the drops", () => {
    const fine = [domainOf("move_file"), domainOf("create_order")];
    for (const domain of fine) expect(run.json<Verification>(`envs/${domain}/verification.json`).summary.pass_rate).toBe(1);
    const summary = run.manifest.stages.verify?.summary?.[0] ?? "";
    expect(summary).toMatch(/^verification: \d+ of 40 tools kept/);
    expect(summary).toMatch(/5 repaired/);
    expect(readFileSync(join(run.runDir, "manifest.json"), "utf8")).toContain('"dependencies"');
    expect(run.manifest.stages.dependencies?.status).toBe("done");
  });
});

describe("a domain whose every tool fails", () => {
  let mini: PipelineRun;
  beforeAll(async () => {
    const crashing: AnyStage = {
      ...sabotaged,
      async run(ctx: StageContext, inputs: Record<string, unknown>) {
        const out = (await (codegen as AnyStage).run(ctx, inputs)) as CodegenOutputs;
        for (const [domain, report] of Object.entries(out["codegen-reports"])) {
          let source = out["tool-modules"][domain] as string;
          for (const name of Object.values(report.functions))
            source = (await replaceFunction(source, name, `export function ${name}(db, args) { return args.nothing.deeper; }`)) as string;
          out["tool-modules"][domain] = source;
        }
        return out;
      },
    };
    mini = await runStages({
      stages: [...builtInStages, crashing],
      config: {
        stages: { ingest: { sources: [join(repoRoot, "test", "fixtures", "catalogs", "mini-shop.json")] }, verify: { repairRounds: 0 } },
      },
    });
  }, 60_000);

  it("gets no environment, and the verification says why for each tool", () => {
    const domain = mini.json<Domains>("domains.json").domains[0]?.name as string;
    const verification = mini.json<Verification>(`envs/${domain}/verification.json`);
    expect(verification.summary).toMatchObject({ tools: 5, verified: 0, repaired: 0, dropped: 5, pass_rate: 0 });
    for (const t of verification.tools) expect(t.failures.join("\n"), t.tool).toMatch(/TypeError .*Cannot read properties of undefined/);
    expect(existsSync(join(mini.runDir, "envs", domain, "environment.json"))).toBe(false);
    expect(existsSync(join(mini.runDir, "envs", domain, "dependencies.json"))).toBe(false);
    expect(mini.manifest.stages.verify?.summary).toEqual([
      "verification: 0 of 5 tools kept (pass rate 0.0%), 0 repaired, 5 dropped, " + verification.summary.cases + " cases run",
      "environments: 0 of 1 domains",
    ]);
    expect(mini.manifest.stages.dependencies?.status).toBe("done");
  });
});
