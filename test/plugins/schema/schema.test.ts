// The schema stage offline: tables, keys, statuses, ledgers and debits inferred from the tools alone.
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { type DomainSchema, domainSchemaSchema, schemaProblems } from "../../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import { templateModule } from "../../../lib/tool-code/templates.ts";
import { generateState } from "../../../plugins/codegen/sample-state.ts";
import { inferDomainSchema } from "../../../plugins/schema/infer.ts";
import { compileToolModule } from "../../../sandbox/index.ts";
import { domainOf, sharedExampleRun } from "../../support/example.ts";
import type { RunView } from "../../support/pipeline.ts";
import { toolSpec } from "../../support/tools.ts";

let run: RunView;

beforeAll(async () => {
  run = sharedExampleRun();
}, 60_000);

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
  it("infers tables, keys, statuses, ledgers and debits from the tools alone", () => {
    const airline = run.json<DomainSchema>(`envs/${domainOf(run, "cancel_reservation")}/schema.json`);
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

    const bank = run.json<DomainSchema>(`envs/${domainOf(run, "transfer_funds")}/schema.json`);
    expect(bank.tools.find((t) => t.tool === "transfer_funds")).toMatchObject({
      operation: "transfer",
      ledger: { table: "transactions", reference: "account_id" },
    });
    expect(bank.tools.find((t) => t.tool === "pay_bill")?.debits).toEqual([{ parameter: "amount", table: "accounts", field: "balance" }]);

    const files = run.json<DomainSchema>(`envs/${domainOf(run, "move_file")}/schema.json`);
    expect(files.tables).toEqual([expect.objectContaining({ name: "files", key: "path", keyKind: "natural" })]);
    expect(files.tools.find((t) => t.tool === "move_file")?.operation).toBe("move");
    expect(files.tools.find((t) => t.tool === "write_file")?.operation).toBe("upsert");

    for (const domain of run.json<Domains>("domains.json").domains) {
      const schema = run.json<DomainSchema>(`envs/${domain.name}/schema.json`);
      expect(schemaProblems(schema, domain.tools)).toEqual([]);
      expect(danglingReferences(schema, run.json<DomainState>(`envs/${domain.name}/sample-state.json`))).toEqual([]);
    }
  });
});

describe("rules and generators", () => {
  it("keys tables by integers when tools pass integer ids, and keeps references resolvable", async () => {
    const tools = [
      toolSpec("get_book", { book_id: { type: "integer" } }),
      toolSpec(
        "borrow_book",
        { book_id: { type: "integer" }, member_id: { type: "integer" }, due_date: { type: "string", format: "date" } },
        ["book_id", "member_id"],
      ),
      toolSpec("list_loans", { member_id: { type: "integer" } }),
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
      toolSpec("analyzeSample", { sample_type: { type: "string" }, method: { type: "string", enum: ["pcr", "elisa"] } }),
      toolSpec("calculateDose", { weight_kg: { type: "number" } }),
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

  it("never names a table or key after a version or a number (zoopla_v2, get_111)", () => {
    const schema = inferDomainSchema("property", [
      toolSpec("house_prices_estimate_for_zoopla_v2", { postcode: { type: "string" } }),
      toolSpec("fdfdf_for_get_111", {}),
      toolSpec("quotes_v2", { page: { type: "integer" } }),
    ]);
    expect(domainSchemaSchema.safeParse(schema).success).toBe(true);
    for (const table of schema.tables) expect(table.key).toMatch(/^[A-Za-z_]/);
  });

  it("models stateless tools as utilities in any domain: exact arithmetic, nothing changed, no table of their own", () => {
    const schema = inferDomainSchema("shop", [
      toolSpec("get_order", { order_id: { type: "string" } }),
      toolSpec("calculate", { expression: { type: "string" } }, ["expression"], "Calculate the result of a mathematical expression."),
      toolSpec("think", { thought: { type: "string" } }, ["thought"], "Think about something; it changes nothing."),
    ]);
    const byTool = new Map(schema.tools.map((t) => [t.tool, t]));
    expect(byTool.get("calculate")?.service).toEqual(expect.objectContaining({ kind: "utility", utility: "calculate" }));
    expect(byTool.get("think")?.service).toEqual(expect.objectContaining({ kind: "utility", utility: "think" }));
    expect(byTool.get("calculate")?.access).toBe("read");
    expect(schema.tables.map((t) => t.name)).toEqual(["orders"]);
  });
});
