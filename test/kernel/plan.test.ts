import { describe, expect, it } from "vitest";
import type { EnvscaleError } from "../../kernel/errors.ts";
import { buildPlan } from "../../kernel/plan.ts";
import type { AnyStage } from "../../kernel/stage.ts";

const stage = (name: string, consumes: string[], produces: string[], extra: Partial<AnyStage> = {}): AnyStage => ({
  name,
  consumes,
  produces,
  run: () => ({}),
  ...extra,
});

const names = (stages: AnyStage[], enabled?: (s: AnyStage) => boolean) => buildPlan(stages, enabled).steps.map((s) => s.stage.name);

function errorOf(fn: () => unknown): EnvscaleError {
  try {
    fn();
  } catch (error) {
    return error as EnvscaleError;
  }
  throw new Error("expected an error");
}

describe("buildPlan", () => {
  it("orders stages by what they consume and produce, whatever their load order", () => {
    const stages = [stage("c", ["b"], ["c"]), stage("a", [], ["a"]), stage("b", ["a"], ["b"])];
    expect(names(stages)).toEqual(["a", "b", "c"]);
  });

  it("breaks ties by load order so the order is stable", () => {
    const stages = [stage("root", [], ["x"]), stage("zeta", ["x"], ["z"]), stage("alpha", ["x"], ["y"])];
    expect(names(stages)).toEqual(["root", "zeta", "alpha"]);
  });

  it("runs a transform stage between the producer and the consumers of its kind", () => {
    const stages = [stage("ingest", [], ["catalog"]), stage("graph", ["catalog"], ["graph"]), stage("filter", ["catalog"], ["catalog"])];
    const plan = buildPlan(stages);
    expect(plan.steps.map((s) => s.stage.name)).toEqual(["ingest", "filter", "graph"]);
    const byName = Object.fromEntries(plan.steps.map((s) => [s.stage.name, s]));
    expect(byName.filter?.inputs).toEqual({ catalog: "ingest" });
    expect(byName.graph?.inputs).toEqual({ catalog: "filter" });
    expect(byName.ingest?.outputs).toEqual({ catalog: "ingest" });
    expect(byName.filter?.outputs).toEqual({ catalog: null });
  });

  it("chains several transforms of one kind in load order", () => {
    const stages = [stage("src", [], ["k"]), stage("t1", ["k"], ["k"]), stage("t2", ["k"], ["k"]), stage("use", ["k"], ["out"])];
    const plan = buildPlan(stages);
    expect(plan.steps.map((s) => [s.stage.name, s.inputs])).toEqual([
      ["src", {}],
      ["t1", { k: "src" }],
      ["t2", { k: "t1" }],
      ["use", { k: "t2" }],
    ]);
  });

  it("lets a stage replace another, which then leaves the plan", () => {
    const stages = [
      stage("ingest", [], ["catalog"]),
      stage("graph", ["catalog"], ["graph"]),
      stage("my-graph", ["catalog"], ["graph"], { replaces: "graph" }),
    ];
    const plan = buildPlan(stages);
    expect(plan.steps.map((s) => s.stage.name)).toEqual(["ingest", "my-graph"]);
    expect(plan.skipped).toEqual([{ stage: "graph", reason: "replaced by my-graph" }]);
  });

  it("leaves disabled stages out, so an alternative can take a producer's place only when enabled", () => {
    const stages = [stage("ingest", [], ["catalog"]), stage("propose", [], ["catalog"], { replaces: "ingest" })];
    expect(names(stages, (s) => s.name !== "propose")).toEqual(["ingest"]);
    expect(names(stages)).toEqual(["propose"]);
  });

  it("names the stages of a cycle", () => {
    const error = errorOf(() => buildPlan([stage("a", ["y"], ["x"]), stage("b", ["x"], ["y"])]));
    expect(error.code).toBe("E_STAGE_CYCLE");
    expect(error.message).toContain("a → b");
  });

  it("names the consumer and the kind when nothing produces it", () => {
    const error = errorOf(() => buildPlan([stage("graph", ["catalog"], ["graph"])]));
    expect(error.code).toBe("E_STAGE_MISSING_PRODUCER");
    expect(error.message).toBe('artifact "catalog" is consumed by "graph" but no stage produces it');
  });

  it("refuses two producers of one kind without replaces, naming both", () => {
    const error = errorOf(() => buildPlan([stage("one", [], ["k"]), stage("two", [], ["k"])]));
    expect(error.code).toBe("E_STAGE_DUPLICATE_PRODUCER");
    expect(error.message).toBe('artifact "k" is produced by both "one" and "two"');
  });

  it("refuses two stages with one name", () => {
    expect(errorOf(() => buildPlan([stage("a", [], ["x"]), stage("a", [], ["y"])])).code).toBe("E_STAGE_DUPLICATE_NAME");
  });

  it("suggests the closest name when replaces names no stage", () => {
    const error = errorOf(() => buildPlan([stage("tool-graph", [], ["g"]), stage("mine", [], ["h"], { replaces: "tool-grahp" })]));
    expect(error.code).toBe("E_STAGE_UNKNOWN");
    expect(error.hint).toBe('did you mean "tool-graph"?');
  });
});
