// With a model, the rules derived offline are a draft the model corrects, and verification does not
// force a right module into a wrong repair: a scripted model (an OpenAI-compatible server answering
// each role from a script) corrects part of a parcel desk's draft and writes a module that keeps the
// tool's description; the case made from the draft rule it left wrong (holding a delivered parcel)
// is reported as the case's fault and the code is kept. Every role's request carries the policy, the clock and whole records of every collection.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainRules } from "../../../lib/contracts/domain-rules.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { dataSample } from "../../../lib/service-context/data-sample.ts";
import { initialStateOf, type TaskStateRef } from "../../../lib/task-states/index.ts";
import { builtInStages } from "../../support/built-in-stages.ts";
import { type FakeOpenAi, type ScriptedReply, startFakeOpenAi } from "../../support/fake-openai.ts";
import { fixtures } from "../../support/helpers.ts";
import { type PipelineRun, runStages } from "../../support/pipeline.ts";

const desk = join(fixtures, "rules-model");
const THROUGH_TASKS = new Set(["ingest", "tool-graph", "domains", "schema", "rules", "codegen", "verify", "dependencies", "tasks"]);

type Role = "rules" | "writer" | "reviewer" | "tests" | "repair" | "instruction";
const ROLES: [Role, RegExp][] = [
  ["rules", /You check the rules of a service's tools/],
  ["writer", /You write TypeScript tool modules/],
  ["reviewer", /You review tool modules/],
  ["tests", /You write test cases/],
  ["repair", /You fix one tool/],
  ["instruction", /You write what a user of a customer-facing assistant wants/],
];

const here = (path: string[]) => ({ hops: [], path });
const weightCap = {
  rule: {
    kind: "compare",
    condition: { left: { kind: "read", place: here(["weight_kg"]) }, op: "<=", right: { kind: "constant", value: 30 } },
  },
  text: "parcels heavier than 30 kg cannot be held at the depot (the policy)",
};

/** The module a capable model writes: it keeps the description and the policy, which the draft's hold_parcel rule does not. */
const MODULE = `import { ensure, requireRecord } from "envscale/runtime";

export function get_parcel(db: any, args: { parcel_id: string }) {
  return requireRecord(db.parcels, args.parcel_id, "parcel");
}

export function get_customer(db: any, args: { customer_id: string }) {
  return requireRecord(db.customers, args.customer_id, "customer");
}

export function hold_parcel(db: any, args: { parcel_id: string }) {
  const parcel = requireRecord(db.parcels, args.parcel_id, "parcel");
  ensure(parcel.status === "Ready", \`parcel \${args.parcel_id} is \${parcel.status}: only a parcel still in the depot can be held\`);
  ensure(parcel.weight_kg <= 30, \`parcel \${args.parcel_id} weighs \${parcel.weight_kg} kg: over 30 kg cannot be held\`);
  parcel.status = "Held";
  return parcel;
}

export function release_parcel(db: any, args: { parcel_id: string }) {
  const parcel = requireRecord(db.parcels, args.parcel_id, "parcel");
  ensure(parcel.status === "Held", \`parcel \${args.parcel_id} is \${parcel.status}: only a held parcel can be released\`);
  parcel.status = "Ready";
  return parcel;
}
`;

const ANSWERS: Record<Role, string> = {
  rules: JSON.stringify({
    tools: [
      { tool: "get_parcel", verdict: "keep" },
      { tool: "get_customer", verdict: "keep" },
      // The model adds the policy's cap, and misses that a delivered parcel cannot be held.
      { tool: "hold_parcel", verdict: "correct", add: { requires: [weightCap] }, why: "the policy caps the weight" },
      { tool: "release_parcel", verdict: "keep" },
    ],
  }),
  writer: `\`\`\`ts\n${MODULE}\`\`\``,
  reviewer: '{"approved": true, "problems": []}',
  tests: '{"cases": []}',
  repair: JSON.stringify({
    case_faults: [
      {
        case: "valid-1",
        why: "the description: parcels that have already reached their customer stay where they are, and P-100 was delivered",
      },
      {
        case: "valid-2",
        why: "the description: parcels that have already reached their customer stay where they are, and P-102 was delivered",
      },
    ],
  }),
  instruction: "no instruction today",
};

let server: FakeOpenAi;
let run: PipelineRun;
const seen: Record<Role, string[]> = { rules: [], writer: [], reviewer: [], tests: [], repair: [], instruction: [] };

beforeAll(async () => {
  server = await startFakeOpenAi();
  server.fallback = (body): ScriptedReply => {
    const messages = body.messages as { content: string | null }[];
    const role = ROLES.find(([, pattern]) => pattern.test(String(messages[0]?.content ?? "")))?.[0];
    if (!role) return { content: "I do not know this role" };
    seen[role].push(messages.map((m) => m.content ?? "").join("\n"));
    return { content: ANSWERS[role] };
  };
  const catalog = join(desk, "tools.json");
  run = await runStages({
    stages: builtInStages.filter((s) => THROUGH_TASKS.has(s.name)),
    config: {
      llm: { provider: "openai", baseUrl: server.url, apiKey: "test", model: "fake", repairRounds: 1, concurrency: 2 },
      stages: { ingest: { sources: [catalog], packs: [{ catalog, data: join(desk, "data"), policy: join(desk, "policy.md") }] } },
    },
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe("with a scripted model", () => {
  it("settles the rules over the draft: its corrections have source model, and the cases are made from them", () => {
    const rules = run.json<DomainRules>("envs/rules-model/rules.json");
    expect(rules.modelCorrected).toEqual(["hold_parcel"]);
    const hold = rules.tools.find((t) => t.tool === "hold_parcel")?.service;
    expect(hold?.requires.map((r) => [r.source, r.rule.kind])).toEqual([
      ["name", "status-in"],
      ["model", "compare"],
    ]);
    const verification = run.json<Verification>("envs/rules-model/verification.json");
    const checked = verification.tools.find((t) => t.tool === "hold_parcel")?.rules?.find((r) => r.source === "model");
    expect(checked).toMatchObject({ kind: "compare", case: "rule-2:compare", held: true, text: weightCap.text });
  });

  it("keeps correct code: the case that contradicts the description is reported as the case's fault, with no repair", () => {
    const verification = run.json<Verification>("envs/rules-model/verification.json");
    const hold = verification.tools.find((t) => t.tool === "hold_parcel");
    expect(hold).toMatchObject({ verdict: "verified", rounds: 0, failures: [] });
    expect(hold?.repair).toBeUndefined();
    expect(hold?.case_faults).toEqual([
      {
        case: "valid-1",
        why: "the description: parcels that have already reached their customer stay where they are, and P-100 was delivered",
      },
      {
        case: "valid-2",
        why: "the description: parcels that have already reached their customer stay where they are, and P-102 was delivered",
      },
    ]);
    expect(hold?.warnings).toContain(
      "case valid-1 is at fault, not the tool: the description: parcels that have already reached their customer stay where they are, and P-100 was delivered",
    );
    expect(verification.summary).toMatchObject({ tools: 4, verified: 4, repaired: 0, dropped: 0 });
    // The module verified is the model's, function for function.
    const module = run.text("envs/rules-model/tools.ts");
    const hold_parcel = (text: string) =>
      text.slice(text.indexOf("export function hold_parcel"), text.indexOf("export function release_parcel"));
    expect(hold_parcel(module)).toBe(hold_parcel(MODULE));
    // The repairer was asked once, shown the failing case it could dispute.
    expect(seen.repair).toHaveLength(1);
    expect(seen.repair[0]).toContain("refused every valid call (valid-1:");
    expect(seen.repair[0]).toContain('answer instead with JSON {"case_faults"');
    expect(seen.repair[0]).toContain("<case id: valid-1, valid-2>");
  });

  it("tells every role the policy, the clock and whole records of every collection", () => {
    const policy = readFileSync(join(desk, "policy.md"), "utf8").trim();
    const data = {
      parcels: JSON.parse(readFileSync(join(desk, "data", "parcels.json"), "utf8")) as { id: string }[],
      customers: JSON.parse(readFileSync(join(desk, "data", "customers.json"), "utf8")) as { id: string }[],
    };
    const tasks = run
      .text("tasks.jsonl")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TaskStateRef)
      .map((task) => {
        const states = task.base_state ? { [task.base_state]: run.json<DomainState>(`states/${task.base_state}.json`) } : {};
        return { initial_state: initialStateOf(task, states) as Record<string, Record<string, unknown>> };
      });
    expect(tasks.length).toBeGreaterThan(0);
    for (const [role] of ROLES) {
      expect(seen[role].length, `no ${role} request`).toBeGreaterThan(0);
      for (const text of seen[role]) {
        expect(text, role).toContain("Today is 2025-05-02");
        expect(text, role).toContain(policy);
        const block = /A few whole records of every collection \(([^)]*)\):\n(\{[\s\S]*?\n\})/.exec(text);
        expect(block, `${role}: no data sample`).not.toBeNull();
        const sample = JSON.parse(block?.[2] ?? "{}") as Record<string, Record<string, unknown>>;
        expect(Object.keys(sample).sort(), role).toEqual(["customers", "parcels"]);
        for (const [collection, records] of Object.entries(sample)) {
          expect(Object.keys(records).length, `${role}: ${collection}`).toBeGreaterThan(0);
          // Every record shown is whole: exactly as the data holds it (the task writer: as the task's state does).
          for (const [key, record] of Object.entries(records)) {
            const whole =
              role === "instruction"
                ? tasks.map((t) => t.initial_state[collection]?.[key]).filter(Boolean)
                : [data[collection as keyof typeof data].find((r) => r.id === key)];
            expect(whole, `${role}: ${collection}.${key}`).toContainEqual(record);
          }
        }
      }
    }
  });
});

describe("a data sample", () => {
  it("shows whole records of every collection within its budget, the ones that show new values first", () => {
    const notes = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`n${String(i).padStart(3, "0")}`, { id: `n${i}`, text: "word ".repeat(40).trim() }]),
    );
    const bills = {
      b1: { id: "b1", status: "open", amount: 10 },
      b2: { id: "b2", status: "open", amount: 12 },
      b3: { id: "b3", status: "paid", amount: 9 },
    };
    const { sample, shown, tokens } = dataSample({ notes, bills }, 400);
    // The bills come after 300 long notes and are still shown: no cut at a character count.
    expect(Object.keys(sample.bills ?? {})).toEqual(["b1", "b3", "b2"]);
    expect(sample.bills?.b3).toEqual(bills.b3);
    expect(shown.notes?.of).toBe(300);
    expect(shown.notes?.shown).toBeGreaterThan(0);
    for (const [key, note] of Object.entries(sample.notes ?? {})) expect(note).toEqual(notes[key]);
    expect(tokens).toBeLessThanOrEqual(400);
  });
});

describe("a function the model writes where the rule language cannot say it", () => {
  it("replaces the template's function when the model's module is unusable, and is verified like any other", async () => {
    const release = `export function release_parcel(db: any, args: { parcel_id: string }) {
  const parcel = requireRecord(db.parcels, args.parcel_id, "parcel");
  ensure(parcel.status === "Held", "parcel " + args.parcel_id + " is not Held");
  parcel.status = "Ready";
  return parcel;
}`;
    const fake = await startFakeOpenAi();
    try {
      fake.fallback = (body): ScriptedReply => {
        const system = String((body.messages as { content: string | null }[])[0]?.content ?? "");
        if (/You check the rules/.test(system))
          return {
            content: JSON.stringify({
              tools: [{ tool: "release_parcel", verdict: "keep", function: release, why: "written by hand" }],
            }),
          };
        if (/You review/.test(system)) return { content: '{"approved": true, "problems": []}' };
        return { content: "no code today" };
      };
      const catalog = join(desk, "tools.json");
      const through = new Set(["ingest", "tool-graph", "domains", "schema", "rules", "codegen", "verify"]);
      const own = await runStages({
        stages: builtInStages.filter((s) => through.has(s.name)),
        config: {
          llm: { provider: "openai", baseUrl: fake.url, apiKey: "test", model: "fake", repairRounds: 0, concurrency: 2 },
          stages: { ingest: { sources: [catalog], packs: [{ catalog, data: join(desk, "data"), policy: join(desk, "policy.md") }] } },
        },
      });
      expect(own.json<DomainRules>("envs/rules-model/rules.json").functions).toEqual({ release_parcel: release });
      expect(own.json<{ source: string }>("envs/rules-model/codegen.json").source).toBe("templates");
      expect(own.text("envs/rules-model/tools.ts")).toContain(
        'ensure(parcel.status === "Held", "parcel " + args.parcel_id + " is not Held");',
      );
      const verification = own.json<Verification>("envs/rules-model/verification.json");
      expect(verification.tools.find((t) => t.tool === "release_parcel")).toMatchObject({ verdict: "verified", failures: [] });
    } finally {
      await fake.close();
    }
  }, 120_000);
});
