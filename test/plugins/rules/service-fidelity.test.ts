// Environments faithful to the services they model, judged as a user would judge them: run the
// pipeline offline on a domain pack (its catalog, data and policy), then replay the pack's gold
// call sequences both in the verified environment and in a hand-written reference service, call by
// call and record by record. Both packs are our own (a library's loans and holds, a clinic's
// appointments and invoices), with references written from their policies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fidelity, type GoldTask, measureFidelity, type Reference } from "../../../bench/support/fidelity.ts";
import type { EnvironmentSpec } from "../../../lib/contracts/environment-spec.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { readData } from "../../../lib/data-pack/read.ts";
import { type CompiledModule, compileToolModule, Sandbox } from "../../../sandbox/index.ts";
import { tools as clinicReference } from "../../fixtures/packs/clinic/reference.ts";
import { tools as libraryReference } from "../../fixtures/packs/library/reference.ts";
import { tools as mobileReference } from "../../fixtures/packs/mobile/reference.ts";
import { tools as outfittersReference } from "../../fixtures/packs/outfitters/reference.ts";
import { repoRoot } from "../../support/helpers.ts";
import { type PipelineRun, runStages } from "../../support/pipeline.ts";

const PACKS = {
  library: { data: "data.json", reference: libraryReference },
  clinic: { data: "data", reference: clinicReference },
  outfitters: { data: "data", reference: outfittersReference },
  mobile: { data: "data", reference: mobileReference },
} as const;

const packDir = (name: string) => join(repoRoot, "examples", "packs", name);
const goldTasks = (name: string): GoldTask[] =>
  readFileSync(join(repoRoot, "test", "fixtures", "packs", name, "tasks.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as GoldTask);

let sandbox: Sandbox;
const runs = new Map<string, PipelineRun>();
const fidelity = new Map<string, Fidelity>();
const modules = new Map<string, CompiledModule>();

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
  for (const [name, pack] of Object.entries(PACKS)) {
    const dir = packDir(name);
    const catalog = join(dir, "tools.json");
    const run = await runStages({
      config: {
        stages: {
          ingest: {
            sources: [catalog],
            packs: [{ catalog, data: join(dir, pack.data), policy: join(dir, "policy.md") }],
          },
        },
      },
    });
    runs.set(name, run);
    const environment = run.json<EnvironmentSpec>(`envs/${name}/environment.json`);
    const compiled = await compileToolModule(run.text(`envs/${name}/tools.ts`), {
      filename: "tools.ts",
      tools: environment.tools.map((t) => ({ name: t.name, parameters: t.parameters, access: t.access })),
    });
    if (!compiled.ok) throw new Error(`the ${name} module does not compile: ${compiled.findings[0]?.message}`);
    modules.set(name, compiled.module);
    fidelity.set(
      name,
      await measureFidelity({
        sandbox,
        module: compiled.module,
        reference: pack.reference as Reference,
        dataPath: join(dir, pack.data),
        tasks: goldTasks(name),
        clock: environment.clock,
        ...(environment.clockStepMs !== undefined ? { clockStepMs: environment.clockStepMs } : {}),
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
});

describe.each(Object.keys(PACKS))("the %s pack, offline", (name) => {
  it("puts every tool in one environment whose state is the data in its own shape", async () => {
    const run = runs.get(name) as PipelineRun;
    const catalog = run.text("catalog.jsonl").trim().split("\n").length;
    const domains = run.json<{ domains: { name: string; tools: string[] }[]; rejected: unknown[] }>("domains.json");
    expect(domains.domains.map((d) => d.name)).toEqual([name]);
    expect(domains.domains[0]?.tools).toHaveLength(catalog);
    expect(domains.rejected).toEqual([]);
    const environment = run.json<EnvironmentSpec>(`envs/${name}/environment.json`);
    expect(environment.tools).toHaveLength(catalog);
    const { data } = await readData(join(packDir(name), PACKS[name as keyof typeof PACKS].data));
    expect(run.json(`envs/${name}/sample-state.json`)).toEqual(data);
  });

  it("verifies each tool on the rules it states, saying where each rule came from", () => {
    const verification = (runs.get(name) as PipelineRun).json<Verification>(`envs/${name}/verification.json`);
    expect(verification.summary.dropped).toBe(0);
    const rules = verification.tools.flatMap((t) => t.rules ?? []);
    expect(rules.length).toBeGreaterThan(10);
    expect(new Set(rules.map((r) => r.source))).toEqual(expect.objectContaining(new Set(["name", "description", "data"])));
    expect(rules.filter((r) => r.case !== undefined).every((r) => r.held === true)).toBe(true);
    // Every status a name requires (`cancel_booked_…`) is checked by a call that breaks it.
    const named = verification.tools.flatMap((t) => (t.rules ?? []).filter((r) => r.source === "name" && r.kind === "status-in"));
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((r) => r.case?.startsWith("rule-"))).toBe(true);
  });

  it("replays the gold calls as the service does: ≥95% of calls, ≥70% of changing tasks touch the same records, ≥25% equal", () => {
    const f = fidelity.get(name) as Fidelity;
    const disagreements = f.tasks.flatMap((t) => t.disagreements.map((d) => `${t.id} ${d.tool}: ${d.reference} | ${d.environment}`));
    expect(f.callsAgreed / f.calls, disagreements.join("\n")).toBeGreaterThanOrEqual(0.95);
    expect(f.changingTasks).toBeGreaterThan(5);
    expect(f.sameRecords / f.changingTasks).toBeGreaterThanOrEqual(0.7);
    expect(f.equalRecords / f.changingTasks).toBeGreaterThanOrEqual(0.25);
  });
});

describe("utilities are utilities", () => {
  it("calculate evaluates arithmetic exactly and refuses anything else; think changes nothing and says nothing", async () => {
    const env = await sandbox.open(modules.get("library") as CompiledModule, {}, { clock: "2025-03-03T09:00:00Z", seed: 1 });
    try {
      const calc = async (expression: string) => env.call("calculate", { expression });
      expect(await calc("0.1 + 0.2")).toEqual(expect.objectContaining({ ok: true, result: 0.3 }));
      expect(await calc("(2 + 3) * 4 - 1 / 4")).toEqual(expect.objectContaining({ ok: true, result: 19.75 }));
      expect(await calc("1 / 3 * 3")).toEqual(expect.objectContaining({ ok: true, result: 1 }));
      for (const bad of ["1 / 0", "process.exit(1)", "2 +", ""]) expect((await calc(bad)).ok, bad).toBe(false);
      const before = await env.stateHash();
      expect(await env.call("think", { thought: "the member wants a renewal" })).toEqual(expect.objectContaining({ ok: true, result: "" }));
      expect(await env.stateHash()).toBe(before);
    } finally {
      await env.close();
    }
  });
});
