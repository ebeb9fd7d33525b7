// The pipeline with a model behind a real HTTP server speaking the OpenAI wire format: the roles
// (schema, writer, reviewer, test writer, repairer, tool proposer) get good answers or garbage,
// and garbage is fed back, then recorded as rejected, never crashing the run.
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnvscaleError } from "../../../kernel/errors.ts";
import type { CodegenReport } from "../../../lib/contracts/codegen-report.ts";
import type { DomainSchema } from "../../../lib/contracts/domain-schema.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import type { RejectedEntry, ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { templateModule } from "../../../lib/tool-code/templates.ts";
import { readCatalog } from "../../../plugins/ingest/index.ts";
import { inferDomainSchema } from "../../../plugins/schema/infer.ts";
import { type FakeOpenAi, type ScriptedReply, startFakeOpenAi } from "../../support/fake-openai.ts";
import { repoRoot, tempDir } from "../../support/helpers.ts";
import { runStages } from "../../support/pipeline.ts";

const miniShop = join(repoRoot, "test", "fixtures", "catalogs", "mini-shop.json");
let server: FakeOpenAi;
let tools: ToolSpec[];
let rulesSchema: DomainSchema;
let goodModule: string;

beforeAll(async () => {
  server = await startFakeOpenAi();
  tools = (await readCatalog([miniShop])).tools;
  rulesSchema = inferDomainSchema("shop", tools);
  goodModule = templateModule(rulesSchema, new Map(tools.map((t) => [t.name, t])));
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

type Role = "name" | "schema" | "writer" | "reviewer" | "tests" | "repair" | "propose";
const ROLES: [Role, RegExp][] = [
  ["name", /You name groups/],
  ["schema", /You design the database/],
  ["writer", /You write TypeScript tool modules/],
  ["reviewer", /You review tool modules/],
  ["tests", /You write test cases/],
  ["repair", /You fix one tool/],
  ["propose", /You design the API tools/],
];

/** Answer each role from `answers` (a list is served in order, its last answer repeated). */
function serve(answers: Partial<Record<Role, string | string[]>>): Record<Role, number> {
  const counts = Object.fromEntries(ROLES.map(([role]) => [role, 0])) as Record<Role, number>;
  server.fallback = (body): ScriptedReply => {
    const system = String((body.messages as { content: string }[])[0]?.content ?? "");
    const role = ROLES.find(([, pattern]) => pattern.test(system))?.[0];
    if (!role) return { content: "I do not know this role" };
    const answer = answers[role];
    const list = Array.isArray(answer) ? answer : [answer ?? "garbage {"];
    const content = list[Math.min(counts[role], list.length - 1)] as string;
    counts[role] += 1;
    return { content };
  };
  return counts;
}

const llmConfig = () => ({ provider: "openai", baseUrl: server.url, apiKey: "test", model: "fake", repairRounds: 2, concurrency: 2 });
const sabotagedModule = () =>
  goodModule.replace(
    /export function cancel_order\(db: Db, args: [^)]*\) \{/,
    (head) => `${head}\n  const crash = (args as any).nothing.deeper;`,
  );

describe("with a model", () => {
  it("writes, reviews, tests and repairs tool code; a schema that stays garbage falls back to the rules", async () => {
    const fixed = goodModule.slice(goodModule.indexOf("/**\n * Cancel a pending order")).split("\n\n")[0] as string;
    const counts = serve({
      name: '{"name": "mini-shop"}',
      schema: "Sure! Here is the schema: {tables: oops",
      writer: ["```ts\nexport function get_product(db, args) { return ; ) }\n```", `\`\`\`ts\n${sabotagedModule()}\n\`\`\``],
      reviewer: '{"approved": false, "problems": [{"tool": "cancel_order", "problem": "it reads a field that does not exist"}]}',
      tests: JSON.stringify({
        cases: [
          { tool: "get_order", arguments: { order_id: "ord_0001" }, expect: "success" },
          { tool: "get_order", arguments: { order_id: "no-such-order" }, expect: "rejection" },
        ],
      }),
      repair: `\`\`\`ts\n${fixed.slice(fixed.indexOf("export function"))}\n\`\`\``,
    });
    const run = await runStages({ config: { llm: llmConfig(), stages: { ingest: { sources: [miniShop] } } } });
    const domain = run.json<Domains>("domains.json").domains[0]?.name;
    expect(domain).toBe("mini-shop");

    const schema = run.json<DomainSchema>(`envs/${domain}/schema.json`);
    expect(schema.source).toBe("rules");
    expect(schema.modelRejected).toMatch(/no usable answer after 3 round\(s\): the answer is not valid JSON/);
    expect(counts.schema).toBe(3);

    const report = run.json<CodegenReport>(`envs/${domain}/codegen.json`);
    expect(report.source).toBe("model");
    expect(report.review).toEqual({
      approved: false,
      problems: [{ tool: "cancel_order", problem: "it reads a field that does not exist" }],
    });
    expect(report.tests).toHaveLength(2);
    // The writer saw the compiler's complaint, and then the reviewer's.
    const writerRequests = server.received.filter((body) => /You write TypeScript/.test(JSON.stringify(body.messages)));
    expect(JSON.stringify(writerRequests[1]?.messages)).toMatch(/does not compile/);
    expect(writerRequests.some((body) => JSON.stringify(body.messages).includes("it reads a field that does not exist"))).toBe(true);

    const verification = run.json<Verification>(`envs/${domain}/verification.json`);
    const cancel = verification.tools.find((t) => t.tool === "cancel_order");
    expect(cancel).toMatchObject({ verdict: "repaired", repair: "model", rounds: 1 });
    expect(cancel?.failures.join("\n")).toMatch(/TypeError/);
    const repairRequest = server.received.find((body) => /You fix one tool/.test(JSON.stringify(body.messages)));
    expect(JSON.stringify(repairRequest?.messages)).toMatch(/TypeError/);
    expect(verification.tools.find((t) => t.tool === "get_order")?.cases).toBeGreaterThan(8);
    expect(verification.summary.pass_rate).toBe(1);
    expect(run.manifest.stages.codegen?.metrics?.llm?.prompt_tokens).toBeGreaterThan(0);
  }, 60_000);

  it("uses the model's schema when it is consistent", async () => {
    const { domain: _d, source: _s, ...answer } = rulesSchema;
    serve({ name: '{"name": "shop"}', schema: JSON.stringify(answer), writer: "no code today", tests: "[]" });
    const run = await runStages({ config: { llm: llmConfig(), stages: { ingest: { sources: [miniShop] } } } });
    const schema = run.json<DomainSchema>("envs/shop/schema.json");
    expect(schema.source).toBe("model");
    expect(schema.tables.map((t) => t.name)).toEqual(rulesSchema.tables.map((t) => t.name));
    const report = run.json<CodegenReport>("envs/shop/codegen.json");
    expect(report).toMatchObject({ source: "templates", modelRejected: expect.stringMatching(/holds no `export function`/) });
    expect(run.json<Verification>("envs/shop/verification.json").summary.pass_rate).toBe(1);
  }, 60_000);

  it("survives garbage from every role: names, schema and code fall back to the rules, and the run ends", async () => {
    serve({});
    const run = await runStages({ config: { llm: llmConfig(), stages: { ingest: { sources: [miniShop] } } } });
    const domain = run.json<Domains>("domains.json").domains[0]?.name as string;
    expect(domain).toBe("product-order");
    expect(run.json<DomainSchema>(`envs/${domain}/schema.json`).modelRejected).toBeTruthy();
    expect(run.json<CodegenReport>(`envs/${domain}/codegen.json`)).toMatchObject({ source: "templates", tests: [] });
    expect(run.json<Verification>(`envs/${domain}/verification.json`).summary.pass_rate).toBe(1);
    expect(run.manifest.stages.dependencies?.status).toBe("done");
  }, 60_000);

  it("rejects code that compiles but cannot load (a top-level loop, a memory bomb, a throw): repair rounds, then the templates", async () => {
    for (const hostile of [
      "while (true) {}",
      "const hold = []; for (;;) hold.push(new Array(1000000).fill(1));",
      'throw new Error("no");',
    ]) {
      server.reset();
      const counts = serve({ writer: `\`\`\`ts\n${hostile}\n${goodModule}\n\`\`\`` });
      const run = await runStages({ config: { llm: llmConfig(), stages: { ingest: { sources: [miniShop] } } } });
      const domain = run.json<Domains>("domains.json").domains[0]?.name as string;
      const report = run.json<CodegenReport>(`envs/${domain}/codegen.json`);
      expect(report, hostile).toMatchObject({
        source: "templates",
        modelRejected: expect.stringMatching(/load:(TIMEOUT|MEMORY_LIMIT|TOOL_ERROR)/),
      });
      // Shown back for repair: one first answer and `repairRounds` more.
      expect(counts.writer, hostile).toBe(3);
      expect(run.json<Verification>(`envs/${domain}/verification.json`).summary.pass_rate, hostile).toBe(1);
      expect(run.text(`envs/${domain}/tools.ts`), hostile).not.toContain(hostile);
    }
  }, 120_000);

  it("stops with E_LLM naming the server when it stays down, keeps every finished item, and resumes once it recovers", async () => {
    const exampleCatalog = join(repoRoot, "examples", "catalog");
    const config = {
      llm: { ...llmConfig(), maxRetries: 1, timeoutMs: 2000, concurrency: 1 },
      concurrency: 1,
      stages: { ingest: { sources: [exampleCatalog] } },
    };
    let names = 0;
    server.fallback = (body): ScriptedReply => {
      const system = String((body.messages as { content: string }[])[0]?.content ?? "");
      if (!/You name groups/.test(system)) return { content: "garbage {" };
      names += 1;
      // Two domains named, then the server goes down.
      return names <= 2 ? { content: `{"name": "area-${names}"}` } : { status: 503, content: "down" };
    };
    const runDir = tempDir("envscale-down-");
    const failed = await runStages({ config, runDir }).catch((error: unknown) => error as EnvscaleError);
    expect(failed).toBeInstanceOf(EnvscaleError);
    const error = failed as EnvscaleError;
    expect(error.code).toBe("E_LLM");
    expect(error.message).toContain(server.url);
    // Domains 3 and 4 failed alone (1 of 3, 2 of 4 requests) and fell back; the fifth showed the
    // server down: those two are not kept, so the resume asks for their names again.
    expect(error.message).toMatch(
      /answered 503 after all retries: 503 down; 3 of the last 5 requests failed; stage "domains" kept 2 finished item\(s\) and every earlier stage, re-run the same command to resume \(2 item\(s\) that finished while it was failing will run again\)$/,
    );
    // Recovered: the same command finishes, asking only for the names not yet given.
    const asked = names;
    server.fallback = (body): ScriptedReply => {
      const system = String((body.messages as { content: string }[])[0]?.content ?? "");
      if (/You name groups/.test(system)) names += 1;
      return { content: /You name groups/.test(system) ? `{"name": "area-${names}"}` : "garbage {" };
    };
    const resumed = await runStages({ config, runDir });
    const domains = resumed.json<Domains>("domains.json").domains;
    expect(names - asked).toBe(domains.length - 2);
    expect(domains.map((d) => d.name)).toEqual(expect.arrayContaining(["area-1", "area-2"]));
    expect(domains.every((d) => /^area-\d+$/.test(d.name))).toBe(true);
    expect(resumed.manifest.stages.report?.status).toBe("done");
  }, 120_000);

  it("goes on when one request fails after its retries (a 500 that persists, a dropped connection, a 20 MB body): the item falls back with the reason", async () => {
    const counts = serve({
      name: '{"name": "mini-shop"}',
      writer: `\`\`\`ts\n${goodModule}\n\`\`\``,
      reviewer: '{"approved": true, "problems": []}',
    });
    const answer = server.fallback;
    let tests = 0;
    server.fallback = (body): ScriptedReply => {
      const system = String((body.messages as { content: string }[])[0]?.content ?? "");
      if (/You design the database/.test(system)) return { status: 500, headers: { "retry-after-ms": "1" }, content: "overloaded" };
      if (/You review tool modules/.test(system)) return { drop: "mid-body", content: "x".repeat(100_000) };
      if (/You write test cases/.test(system)) {
        tests += 1;
        return { content: "[]", bodyBytes: 20_000_000 };
      }
      return answer(body);
    };
    const run = await runStages({ config: { llm: { ...llmConfig(), maxRetries: 1 }, stages: { ingest: { sources: [miniShop] } } } });
    const schema = run.json<DomainSchema>("envs/mini-shop/schema.json");
    expect(schema.source).toBe("rules");
    expect(schema.modelRejected).toMatch(
      /^the request failed: schema:mini-shop: http:\/\/127\.0\.0\.1:\d+\/v1 answered 500 after all retries: 500 overloaded$/,
    );
    const report = run.json<CodegenReport>("envs/mini-shop/codegen.json");
    // The writer's code is kept; the review that never arrived and the tests too large to take are left out.
    expect(report).toMatchObject({ source: "model", tests: [] });
    expect(report.review).toBeUndefined();
    expect(counts.writer).toBe(1);
    // A 20 MB answer is unusable: asked again (one retry) in each of the three rounds.
    expect(tests).toBe(6);
    expect(run.json<Verification>("envs/mini-shop/verification.json").summary.pass_rate).toBe(1);
    expect(run.manifest.stages.report?.status).toBe("done");
  }, 120_000);

  it("proposes tools for a theme, and rejects a theme whose answers stay unusable", async () => {
    const proposal = {
      tools: [
        {
          name: "post_job",
          description: "Post a job opening.",
          parameters: { type: "object", properties: { title: { type: "string" }, company: { type: "string" } }, required: ["title"] },
          preconditions: [],
          postconditions: ["a new job with a job_id exists"],
        },
        {
          name: "get_job",
          description: "Get a job opening.",
          parameters: { type: "object", properties: { job_id: { type: "string" } }, required: ["job_id"] },
          preconditions: ["the job exists"],
        },
        {
          name: "apply_to_job",
          description: "Apply to a job.",
          parameters: {
            type: "object",
            properties: { job_id: { type: "string" }, candidate_name: { type: "string" } },
            required: ["job_id", "candidate_name"],
          },
        },
      ],
    };
    server.fallback = (body) => {
      const text = JSON.stringify(body.messages);
      if (/You design the API tools/.test(text) && /Domain: job seeking/.test(text)) {
        // Garbage first (a bad name), good after the feedback.
        return /cannot be used/.test(text)
          ? { content: JSON.stringify(proposal) }
          : { content: JSON.stringify({ tools: [{ ...proposal.tools[0], name: "post job!" }, proposal.tools[1]] }) };
      }
      if (/You design the API tools/.test(text)) return { content: "no tools, sorry" };
      return { content: "garbage {" };
    };
    const run = await runStages({
      config: { llm: llmConfig(), stages: { "propose-tools": { themes: ["job seeking", "underwater basket weaving"] } } },
    });
    expect(run.outcomes.map((o) => o.stage)).not.toContain("ingest");
    const catalog = run
      .text("catalog.jsonl")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as ToolSpec);
    expect(catalog.map((t) => t.name)).toEqual(["post_job", "get_job", "apply_to_job"]);
    expect(catalog[0]?.description).toBe("Post a job opening. Postconditions: a new job with a job_id exists.");
    const rejected = run
      .text("rejected.jsonl")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as RejectedEntry);
    expect(rejected).toEqual([
      expect.objectContaining({
        code: "MODEL",
        reason: expect.stringMatching(/^theme "underwater basket weaving": no usable answer after 3 round/),
      }),
    ]);
    expect(run.manifest.stages.verify?.status).toBe("done");
  }, 60_000);
});
