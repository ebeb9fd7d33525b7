// The verify stage offline: procedural cases of every kind, and how outcomes are classified.
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import type { DomainSchema } from "../../../lib/contracts/domain-schema.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import type { EnvironmentSpec } from "../../../lib/contracts/environment-spec.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { categorize } from "../../../lib/episodes/outcomes.ts";
import { generateState } from "../../../plugins/codegen/sample-state.ts";
import { inferDomainSchema } from "../../../plugins/schema/infer.ts";
import { casesFor } from "../../../plugins/verify/cases.ts";
import { sharedExampleRun } from "../../support/example.ts";
import type { RunView } from "../../support/pipeline.ts";
import { toolSpec } from "../../support/tools.ts";

let run: RunView;

beforeAll(async () => {
  run = sharedExampleRun();
}, 60_000);

describe("an offline run on the example catalog", () => {
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
});

describe("rules and generators", () => {
  it("generates valid, must-refuse and edge cases for a tool", () => {
    const tools = [
      toolSpec("get_order", { order_id: { type: "string" } }),
      toolSpec("cancel_order", { order_id: { type: "string" } }, ["order_id"], "Cancel an order. Its status becomes cancelled."),
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
});
