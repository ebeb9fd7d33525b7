// The offline environment pipeline on the example catalog: schema → codegen → verify → dependencies.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CodegenReport } from "../../../contracts/codegen-report.ts";
import type { DependencyGraph } from "../../../contracts/dependency-graph.ts";
import { type DomainSchema, schemaProblems } from "../../../contracts/domain-schema.ts";
import type { DomainState } from "../../../contracts/domain-state.ts";
import type { Domains } from "../../../contracts/domains.ts";
import type { EnvironmentSpec } from "../../../contracts/environment-spec.ts";
import type { ToolSpec } from "../../../contracts/tool-spec.ts";
import type { Verification } from "../../../contracts/verification.ts";
import { categorize } from "../../../episodes/outcomes.ts";
import type { JsonValue } from "../../../kernel/canonical-json.ts";
import { Rng } from "../../../kernel/rng.ts";
import { generateState } from "../../../plugins/codegen/sample-state.ts";
import { inferDomainSchema } from "../../../plugins/schema/infer.ts";
import { casesFor } from "../../../plugins/verify/cases.ts";
import { compileToolModule } from "../../../sandbox/index.ts";
import { templateModule } from "../../../tool-code/templates.ts";
import { repoRoot, runCli } from "../../support/helpers.ts";
import { type PipelineRun, runStages } from "../../support/pipeline.ts";

const exampleCatalog = join(repoRoot, "examples", "catalog");
let run: PipelineRun;
let domainOf: (tool: string) => string;

beforeAll(async () => {
  run = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } } });
  const domains = run.json<Domains>("domains.json");
  domainOf = (tool) => {
    const found = domains.domains.find((d) => d.tools.includes(tool));
    if (!found) throw new Error(`no domain holds ${tool}`);
    return found.name;
  };
}, 60_000);

const tool = (
  name: string,
  properties: Record<string, unknown>,
  required: string[] = Object.keys(properties),
  description = "",
): ToolSpec => ({
  name,
  description,
  parameters: { type: "object", properties: properties as Record<string, JsonValue>, required },
  format: "function",
  source: { file: "t.json", pointer: `/${name}` },
});

/** Every foreign key of a state points at a record that exists. */
function danglingReferences(schema: DomainSchema, state: DomainState): string[] {
  const problems: string[] = [];
  for (const table of schema.tables) {
    for (const field of table.fields.filter((f) => f.references)) {
      for (const [key, record] of Object.entries(state[table.name] ?? {})) {
        const value = record[field.name];
        if (value !== null && value !== undefined && !state[field.references as string]?.[String(value)])
          problems.push(`${table.name}.${key}.${field.name} = ${value}`);
      }
    }
  }
  return problems;
}

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

  it("verifies every tool of the example catalog, with cases of every kind", () => {
    for (const domain of run.json<Domains>("domains.json").domains) {
      const verification = run.json<Verification>(`envs/${domain.name}/verification.json`);
      expect(verification.summary.pass_rate, JSON.stringify(verification.tools.filter((t) => t.verdict === "dropped"))).toBe(1);
      for (const t of verification.tools) {
        expect(t.success, t.tool).toBeGreaterThan(0);
        expect(t.anticipated_rejection, t.tool).toBeGreaterThan(0);
        expect(t.unexpected_failure, t.tool).toBe(0);
      }
      const environment = run.json<EnvironmentSpec>(`envs/${domain.name}/environment.json`);
      expect(environment.tools.map((t) => t.catalogName).sort()).toEqual([...domain.tools].sort());
    }
    const summary = run.manifest.stages.verify?.summary ?? [];
    expect(summary[0]).toMatch(/^verification: 40 of 40 tools kept \(pass rate 100\.0%\)/);
  });

  it("infers tables, keys, statuses, ledgers and debits from the tools alone", () => {
    const airline = run.json<DomainSchema>(`envs/${domainOf("cancel_reservation")}/schema.json`);
    const reservations = airline.tables.find((t) => t.name === "reservations");
    expect(reservations).toMatchObject({
      key: "reservation_id",
      keyKind: "id",
      status: { initial: "confirmed", values: ["confirmed", "cancelled"] },
    });
    expect(reservations?.fields.find((f) => f.name === "flight_id")?.references).toBe("flights");
    expect(airline.tools.find((t) => t.tool === "cancel_reservation")).toMatchObject({
      access: "write",
      operation: "set-status",
      status: { to: "cancelled", refusedFrom: ["cancelled"] },
    });
    expect(airline.tools.find((t) => t.tool === "book_flight")).toMatchObject({ operation: "create", table: "reservations" });
    expect(airline.tools.find((t) => t.tool === "search_flights")).toMatchObject({ access: "read", operation: "list", writes: [] });

    const bank = run.json<DomainSchema>(`envs/${domainOf("transfer_funds")}/schema.json`);
    expect(bank.tools.find((t) => t.tool === "transfer_funds")).toMatchObject({
      operation: "transfer",
      ledger: { table: "transactions", reference: "account_id" },
    });
    expect(bank.tools.find((t) => t.tool === "pay_bill")?.debits).toEqual([{ parameter: "amount", table: "accounts", field: "balance" }]);

    const files = run.json<DomainSchema>(`envs/${domainOf("move_file")}/schema.json`);
    expect(files.tables).toEqual([expect.objectContaining({ name: "files", key: "path", keyKind: "natural" })]);
    expect(files.tools.find((t) => t.tool === "move_file")?.operation).toBe("move");
    expect(files.tools.find((t) => t.tool === "write_file")?.operation).toBe("upsert");

    for (const domain of run.json<Domains>("domains.json").domains) {
      const schema = run.json<DomainSchema>(`envs/${domain.name}/schema.json`);
      expect(schemaProblems(schema, domain.tools)).toEqual([]);
      expect(danglingReferences(schema, run.json<DomainState>(`envs/${domain.name}/sample-state.json`))).toEqual([]);
    }
  });

  it("confirms dependencies by execution: outputs that feed inputs, and writes that change reads", () => {
    const airline = run.json<DependencyGraph>(`envs/${domainOf("book_flight")}/dependencies.json`);
    expect(airline.edges).toContainEqual(
      expect.objectContaining({
        from: "book_flight",
        to: "get_reservation",
        via: { kind: "output", table: "reservations", field: "reservation_id", parameter: "reservation_id" },
      }),
    );
    expect(airline.edges).toContainEqual(expect.objectContaining({ from: "search_flights", to: "book_flight" }));
    const bank = run.json<DependencyGraph>(`envs/${domainOf("transfer_funds")}/dependencies.json`);
    expect(bank.edges).toContainEqual(
      expect.objectContaining({ from: "transfer_funds", to: "get_account_balance", via: { kind: "state", table: "accounts" } }),
    );
    // Nothing depends on what cannot feed it: no edge ends at a tool that takes no input from the source.
    for (const edge of [...airline.edges, ...bank.edges]) expect(edge.from).not.toBe(edge.to);
    for (const miss of airline.unconfirmed) expect(miss.evidence.length).toBeGreaterThan(10);
  });

  it("reuses every stage on an unchanged re-run, and a new folder with the same seed gets the same bytes", async () => {
    const again = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } }, runDir: run.runDir });
    expect(again.outcomes.map((o) => o.status)).toEqual(again.outcomes.map((o) => (o.stage === "propose-tools" ? o.status : "cached")));
    const fresh = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } } });
    for (const stage of ["schema", "codegen", "verify", "dependencies"]) {
      const hashes = (r: PipelineRun) =>
        Object.fromEntries(Object.entries(r.manifest.stages[stage]?.outputs ?? {}).map(([kind, out]) => [kind, out.hash]));
      expect(hashes(fresh), stage).toEqual(hashes(run));
    }
  }, 60_000);

  it("serves a generated environment through `envscale call`", async () => {
    const domain = domainOf("get_flight");
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
  it("keys tables by integers when tools pass integer ids, and keeps references resolvable", async () => {
    const tools = [
      tool("get_book", { book_id: { type: "integer" } }),
      tool("borrow_book", { book_id: { type: "integer" }, member_id: { type: "integer" }, due_date: { type: "string", format: "date" } }, [
        "book_id",
        "member_id",
      ]),
      tool("list_loans", { member_id: { type: "integer" } }),
    ];
    const schema = inferDomainSchema("library", tools);
    expect(schema.tables.find((t) => t.name === "books")?.fields[0]).toEqual({ name: "book_id", type: "integer" });
    const state = generateState(schema, Rng.forRun(1).fork("s"), { records: 4, clock: "2025-03-03T09:00:00Z" });
    expect(Object.keys(state.books ?? {})).toEqual(["101", "102", "103", "104"]);
    expect(state.books?.["101"]?.book_id).toBe(101);
    expect(danglingReferences(schema, state)).toEqual([]);
    const compiled = await compileToolModule(templateModule(schema, new Map(tools.map((t) => [t.name, t]))), { filename: "library.ts" });
    expect(compiled.ok).toBe(true);
  });

  it("classifies every tool read or write, and falls back to a lookup for verbs it does not know", () => {
    const schema = inferDomainSchema("lab", [
      tool("analyzeSample", { sample_type: { type: "string" }, method: { type: "string", enum: ["pcr", "elisa"] } }),
      tool("calculateDose", { weight_kg: { type: "number" } }),
    ]);
    expect(schema.tools.map((t) => [t.tool, t.access, t.operation])).toEqual([
      ["analyzeSample", "read", "lookup"],
      ["calculateDose", "read", "lookup"],
    ]);
    expect(schemaProblems(schema, ["analyzeSample", "calculateDose"])).toEqual([]);
    expect(
      schemaProblems({ ...schema, tools: [{ ...(schema.tools[0] as DomainSchema["tools"][number]), table: "nowhere" }] }, [
        "analyzeSample",
      ]),
    ).toContain("tool analyzeSample: unknown table nowhere");
  });

  it("generates valid, must-refuse and edge cases for a tool", () => {
    const tools = [
      tool("get_order", { order_id: { type: "string" } }),
      tool("cancel_order", { order_id: { type: "string" } }, ["order_id"], "Cancel an order. Its status becomes cancelled."),
    ];
    const schema = inferDomainSchema("shop", tools);
    const state = generateState(schema, Rng.forRun(1).fork("s"), { records: 5, clock: "2025-03-03T09:00:00Z" });
    const model = schema.tools.find((t) => t.tool === "cancel_order") as DomainSchema["tools"][number];
    const cases = casesFor({
      model,
      functionName: "cancel_order",
      parameters: tools[1]?.parameters as Record<string, unknown>,
      schema,
      state,
      clock: "2025-03-03T09:00:00Z",
      rng: Rng.forRun(1),
    });
    const ids = cases.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "valid-1",
        "missing:order_id",
        "wrong-type:order_id",
        "unknown:order_id",
        "precondition:repeat",
        "edge:twice",
      ]),
    );
    const valid = cases.find((c) => c.id === "valid-1");
    if (!valid) throw new Error("no valid case");
    const order = state.orders?.[String((valid.call.arguments as { order_id: string }).order_id)];
    expect(order?.status).not.toBe("cancelled");
    expect(valid?.effects).toContainEqual({
      kind: "sets-field",
      table: "orders",
      key: order?.order_id,
      field: "status",
      value: "cancelled",
    });
  });

  it("classifies outcomes: refusals are anticipated, crashes and hangs are not", () => {
    expect(categorize({ ok: true, result: 1 })).toBe("success");
    expect(categorize({ ok: false, error: { code: "TOOL_ERROR", message: "x", thrown: "ToolError" } })).toBe("anticipated");
    expect(categorize({ ok: false, error: { code: "INVALID_ARGS", message: "x" } })).toBe("anticipated");
    expect(categorize({ ok: false, error: { code: "TOOL_ERROR", message: "x", thrown: "TypeError" } })).toBe("unexpected");
    for (const code of ["TIMEOUT", "MEMORY_LIMIT", "INVALID_STATE", "INVALID_RESULT", "INTERNAL"] as const)
      expect(categorize({ ok: false, error: { code, message: "x" } })).toBe("unexpected");
  });

  it("codegen reports say who wrote the code", () => {
    const report = run.json<CodegenReport>(`envs/${domainOf("get_flight")}/codegen.json`);
    expect(report).toMatchObject({ source: "templates", rounds: 0, tests: [], functions: { get_flight: "get_flight" } });
  });
});
