import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import { readManifest } from "../../kernel/manifest.ts";
import { type RunPipelineOptions, runPipeline } from "../../kernel/run.ts";
import type { AnyStage, ServicePlugin } from "../../kernel/stage.ts";
import { failure, tempDir } from "../support/helpers.ts";

const numbers: AnyStage = {
  name: "numbers",
  consumes: [],
  produces: ["numbers"],
  options: z.object({ count: z.number().int().default(5) }),
  artifacts: { numbers: { schema: z.array(z.object({ n: z.number() })), format: "jsonl" } },
  run: (ctx) => ({ numbers: Array.from({ length: (ctx.options as { count: number }).count }, (_, n) => ({ n })) }),
};

const sum: AnyStage = {
  name: "sum",
  consumes: ["numbers"],
  produces: ["sum"],
  run: (_ctx, inputs) => ({ sum: { total: (inputs.numbers as { n: number }[]).reduce((a, b) => a + b.n, 0) } }),
};

function options(runDir: string, stages: AnyStage[], extra: Partial<RunPipelineOptions> = {}): RunPipelineOptions {
  return { stages, config: {}, runDir, seed: 1, concurrency: 2, ...extra };
}

describe("runPipeline", () => {
  it("stores each artifact under its kind's name with sorted keys", async () => {
    const dir = tempDir();
    const result = await runPipeline(options(dir, [numbers, sum]));
    expect(result.outcomes.map((o) => [o.stage, o.status])).toEqual([
      ["numbers", "ran"],
      ["sum", "ran"],
    ]);
    expect(readFileSync(join(dir, "numbers.jsonl"), "utf8")).toBe('{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    expect(readFileSync(join(dir, "sum.json"), "utf8")).toBe('{\n  "total": 10\n}\n');
    const manifest = await readManifest(dir);
    expect(manifest?.stages.numbers?.outputs.numbers?.count).toBe(5);
    expect(manifest?.stages.sum?.inputs).toEqual({ numbers: manifest?.stages.numbers?.outputs.numbers?.hash });
  });

  it("reuses finished stages when inputs, options and seed are the same", async () => {
    const dir = tempDir();
    await runPipeline(options(dir, [numbers, sum]));
    const again = await runPipeline(options(dir, [numbers, sum]));
    expect(again.outcomes.map((o) => o.status)).toEqual(["cached", "cached"]);
  });

  it("recomputes a stage whose options changed, and downstream stages whose input changed", async () => {
    const dir = tempDir();
    await runPipeline(options(dir, [numbers, sum]));
    const changed = await runPipeline(options(dir, [numbers, sum], { config: { stages: { numbers: { count: 3 } } } }));
    expect(changed.outcomes.map((o) => o.status)).toEqual(["ran", "ran"]);
    expect(JSON.parse(readFileSync(join(dir, "sum.json"), "utf8"))).toEqual({ total: 3 });
  });

  it("recomputes a stage whose output file was deleted", async () => {
    const dir = tempDir();
    await runPipeline(options(dir, [numbers, sum]));
    writeFileSync(join(dir, "sum.json"), "{}");
    const again = await runPipeline(options(dir, [numbers, sum]));
    expect(again.outcomes.map((o) => o.status)).toEqual(["cached", "ran"]);
  });

  it("recomputes everything from a stage on with --from, and only one stage with --only", async () => {
    const dir = tempDir();
    await runPipeline(options(dir, [numbers, sum]));
    const from = await runPipeline(options(dir, [numbers, sum], { from: "numbers" }));
    expect(from.outcomes.map((o) => o.status)).toEqual(["ran", "ran"]);
    const only = await runPipeline(options(dir, [numbers, sum], { only: "sum" }));
    expect(only.outcomes.map((o) => o.status)).toEqual(["not-run", "ran"]);
  });

  it("refuses --only when the stage's inputs were never produced", async () => {
    const error = await failure(runPipeline(options(tempDir(), [numbers, sum], { only: "sum" })));
    expect(error.code).toBe("E_ARTIFACT_MISSING");
    expect(error.message).toContain('stage "sum" needs "numbers" from stage "numbers"');
  });

  it("names the stage, the artifact and the offending path when an output fails its schema", async () => {
    const bad: AnyStage = { ...numbers, run: () => ({ numbers: [{ n: 1 }, { n: "two" }] }) };
    const dir = tempDir();
    const error = await failure(runPipeline(options(dir, [bad])));
    expect(error.code).toBe("E_ARTIFACT_INVALID");
    expect(error.message).toMatch(/^stage "numbers" produced an invalid "numbers" artifact at \[1\]\.n: /);
    const manifest = await readManifest(dir);
    expect(manifest?.stages.numbers?.status).toBe("failed");
    expect(manifest?.stages.numbers?.error?.code).toBe("E_ARTIFACT_INVALID");
  });

  it("reports an artifact a stage forgot, and one it does not declare", async () => {
    const forgot: AnyStage = { ...sum, run: () => ({}) };
    expect((await failure(runPipeline(options(tempDir(), [numbers, forgot])))).message).toBe(
      'stage "sum" did not return its "sum" artifact',
    );
    const extra: AnyStage = { ...sum, run: () => ({ sum: {}, surprise: 1 }) };
    expect((await failure(runPipeline(options(tempDir(), [numbers, extra])))).message).toBe(
      'stage "sum" returned "surprise", which it does not declare in produces',
    );
  });

  it("wraps a thrown error with the stage name", async () => {
    const crash: AnyStage = {
      ...sum,
      run: () => {
        throw new Error("boom");
      },
    };
    const error = await failure(runPipeline(options(tempDir(), [numbers, crash])));
    expect(error.code).toBe("E_STAGE_FAILED");
    expect(error.message).toBe('stage "sum" failed: boom');
  });

  it("stops a stage past its time limit", async () => {
    const slow: AnyStage = { ...sum, timeoutMs: 50, run: () => new Promise(() => {}) };
    const error = await failure(runPipeline(options(tempDir(), [numbers, slow])));
    expect(error.code).toBe("E_STAGE_TIMEOUT");
    expect(error.message).toBe('stage "sum" ran past its limit of 50 ms');
  });

  it("rejects unknown stage options, naming the closest known key", async () => {
    const error = await failure(runPipeline(options(tempDir(), [numbers], { config: { stages: { numbers: { cuont: 3 } } } })));
    expect(error.code).toBe("E_CONFIG_UNKNOWN_KEY");
    expect(error.message).toBe('options of stage "numbers": unknown key "cuont"');
    expect(error.hint).toBe('did you mean "count"?');
  });

  it("rejects stage options of the wrong type", async () => {
    const error = await failure(runPipeline(options(tempDir(), [numbers], { config: { stages: { numbers: { count: "many" } } } })));
    expect(error.code).toBe("E_OPTIONS_INVALID");
    expect(error.message).toContain("count");
  });

  it("rejects options for a stage that does not exist", async () => {
    const error = await failure(runPipeline(options(tempDir(), [numbers], { config: { stages: { numbres: {} } } })));
    expect(error.code).toBe("E_CONFIG_UNKNOWN_KEY");
    expect(error.hint).toBe('did you mean "numbers"?');
  });

  it("resumes a failed mapItems stage from its journal, with identical results", async () => {
    const calls: string[] = [];
    let failOn: string | null = "i3";
    const mapped: AnyStage = {
      name: "mapped",
      consumes: ["numbers"],
      produces: ["mapped"],
      async run(ctx, inputs) {
        const items = inputs.numbers as { n: number }[];
        const out = await ctx.mapItems(
          items,
          (item) => `i${item.n}`,
          (item, item_ctx) => {
            calls.push(item_ctx.key);
            if (item_ctx.key === failOn) throw new Error("transient");
            return { n: item.n, draw: item_ctx.rng.int(0, 1_000_000) };
          },
          { concurrency: 1 },
        );
        return { mapped: out };
      },
    };
    const dir = tempDir();
    const error = await failure(runPipeline(options(dir, [numbers, mapped])));
    expect(error.message).toBe('stage "mapped" failed on item "i3": transient');
    expect(calls).toEqual(["i0", "i1", "i2", "i3"]);
    calls.length = 0;
    failOn = null;
    const resumed = await runPipeline(options(dir, [numbers, mapped]));
    expect(calls).toEqual(["i3", "i4"]);
    expect(resumed.outcomes[1]?.items).toEqual({ total: 5, resumed: 3 });
    const fresh = tempDir();
    await runPipeline(options(fresh, [numbers, mapped]));
    expect(readFileSync(join(dir, "mapped.json"), "utf8")).toBe(readFileSync(join(fresh, "mapped.json"), "utf8"));
    // The journal is deleted once the stage's outputs are stored.
    expect(readdirSync(join(dir, ".work", "mapped"))).toEqual([]);
  });

  it("does not keep the items that finished while an outside service was failing: the resume runs them again", async () => {
    const calls: string[] = [];
    let down = true;
    let failingSince = 0;
    const mapped: AnyStage = {
      name: "mapped",
      consumes: ["numbers"],
      produces: ["mapped"],
      async run(ctx, inputs) {
        const out = await ctx.mapItems(
          inputs.numbers as { n: number }[],
          (item) => `i${item.n}`,
          async (item, c) => {
            calls.push(c.key);
            await new Promise((resolve) => setTimeout(resolve, 5));
            // i2 and i3 fall back (the service failed them), i4 finds the service down.
            if (down && c.key === "i2") failingSince = Date.now();
            if (down && c.key === "i4") throw new EnvscaleError("E_LLM", "the model keeps failing", { details: { failingSince } });
            return { n: item.n, by: down && item.n >= 2 ? "fallback" : "model" };
          },
          { concurrency: 1 },
        );
        return { mapped: out };
      },
    };
    const dir = tempDir();
    const error = await failure(runPipeline(options(dir, [numbers, mapped])));
    expect(error.code).toBe("E_LLM");
    expect(error.message).toBe(
      'the model keeps failing; stage "mapped" kept 2 finished item(s) and every earlier stage, re-run the same command to resume (2 item(s) that finished while it was failing will run again)',
    );
    calls.length = 0;
    down = false;
    await runPipeline(options(dir, [numbers, mapped]));
    expect(calls).toEqual(["i2", "i3", "i4"]);
    expect(JSON.parse(readFileSync(join(dir, "mapped.json"), "utf8")).map((m: { by: string }) => m.by)).toEqual(Array(5).fill("model"));
  });

  it("tells a stage that lets one failed model request through that it kept its items and resumes", async () => {
    const careless: AnyStage = {
      name: "careless",
      consumes: ["numbers"],
      produces: ["careless"],
      run: async (ctx, inputs) => ({
        careless: await ctx.mapItems(
          inputs.numbers as { n: number }[],
          (item) => `i${item.n}`,
          (item) => {
            if (item.n === 1) throw new EnvscaleError("E_LLM_REQUEST", "item: the endpoint answered 500 after all retries");
            return item.n;
          },
          { concurrency: 1 },
        ),
      }),
    };
    const error = await failure(runPipeline(options(tempDir(), [numbers, careless])));
    expect([error.code, error.message]).toEqual([
      "E_LLM_REQUEST",
      'item: the endpoint answered 500 after all retries; stage "careless" kept 1 finished item(s) and every earlier stage, re-run the same command to resume',
    ]);
  });

  it("names the earlier stages that used the failing service after it began failing, and how to ask again", async () => {
    let failingSince = 0;
    const asking = (name: string, consumes: string[], run: () => unknown): AnyStage => ({
      name,
      consumes,
      produces: [name],
      uses: ["model" as never],
      run: async () => ({ [name]: await run() }),
    });
    const before = asking("before", [], () => "answered");
    const during = asking("during", ["before"], async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      failingSince = Date.now();
      return "fell back";
    });
    const offline: AnyStage = { name: "offline", consumes: ["during"], produces: ["offline"], run: () => ({ offline: 1 }) };
    const stopped = asking("stopped", ["offline"], () => {
      throw new EnvscaleError("E_LLM", "the model keeps failing", { details: { service: "model", failingSince } });
    });
    const error = await failure(runPipeline(options(tempDir(), [before, during, offline, stopped])));
    expect(error.code).toBe("E_LLM");
    expect(error.hint).toBe(
      'stage(s) "during" finished while the model service was failing and may hold items that fell back: --from during asks again',
    );
    expect(error.details.finishedWhileFailing).toEqual(["during"]);
  });

  it("gives every item the same random stream whatever the concurrency", async () => {
    const draws: AnyStage = {
      name: "draws",
      consumes: ["numbers"],
      produces: ["draws"],
      run: async (ctx, inputs) => ({
        draws: await ctx.mapItems(
          inputs.numbers as { n: number }[],
          (item) => String(item.n),
          (_item, c) => c.rng.next(),
        ),
      }),
    };
    const one = tempDir();
    const four = tempDir();
    await runPipeline(options(one, [numbers, draws], { concurrency: 1 }));
    await runPipeline(options(four, [numbers, draws], { concurrency: 4 }));
    expect(readFileSync(join(one, "draws.json"), "utf8")).toBe(readFileSync(join(four, "draws.json"), "utf8"));
  });

  it("writes a files artifact one file per key and removes files of keys that are gone", async () => {
    let keys = ["alpha", "beta"];
    const envs: AnyStage = {
      name: "envs",
      consumes: [],
      produces: ["env-code"],
      version: "1",
      artifacts: { "env-code": { schema: z.record(z.string(), z.string()), format: "files", path: "envs/{key}/tools.ts" } },
      run: () => ({ "env-code": Object.fromEntries(keys.map((k) => [k, `export const name = "${k}";\n`])) }),
    };
    const dir = tempDir();
    await runPipeline(options(dir, [envs]));
    expect(readFileSync(join(dir, "envs", "beta", "tools.ts"), "utf8")).toBe('export const name = "beta";\n');
    keys = ["alpha"];
    await runPipeline(options(dir, [{ ...envs, version: "2" }]));
    expect(existsSync(join(dir, "envs", "beta", "tools.ts"))).toBe(false);
    expect(existsSync(join(dir, "envs", "alpha", "tools.ts"))).toBe(true);
  });

  it("creates services on first use and records their counters per stage", async () => {
    let created = 0;
    let closed = 0;
    const counter: ServicePlugin = {
      service: "counter" as never,
      create: () => {
        created += 1;
        let calls = 0;
        return { bump: () => (calls += 1), metrics: () => ({ calls }) } as never;
      },
      close: () => {
        closed += 1;
      },
    };
    const user: AnyStage = {
      name: "user",
      consumes: [],
      produces: ["used"],
      async run(ctx) {
        const service = (await ctx.services.get("counter" as never)) as { bump(): void };
        service.bump();
        service.bump();
        return { used: true };
      },
    };
    const dir = tempDir();
    await runPipeline(options(dir, [numbers, user], { services: [counter] }));
    expect([created, closed]).toEqual([1, 1]);
    const manifest = await readManifest(dir);
    expect(manifest?.stages.user?.metrics).toEqual({ counter: { calls: 2 } });
    expect(manifest?.stages.numbers?.metrics).toBeUndefined();
  });
});
