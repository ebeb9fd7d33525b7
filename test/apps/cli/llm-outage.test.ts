// `envscale run` against a model endpoint that goes down: the run stops with E_LLM, says what it
// kept and which earlier stage ran while the endpoint was failing, and the same command resumes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CodegenReport } from "../../../lib/contracts/codegen-report.ts";
import type { DomainSchema } from "../../../lib/contracts/domain-schema.ts";
import { type FakeOpenAi, type ScriptedReply, startFakeOpenAi } from "../../support/fake-openai.ts";
import { fixtures, runCli, tempDir } from "../../support/helpers.ts";
import { viewRun } from "../../support/pipeline.ts";

let server: FakeOpenAi;
beforeAll(async () => {
  server = await startFakeOpenAi();
});
afterAll(async () => {
  await server.close();
});

describe("envscale run with a model endpoint that goes down", () => {
  it("stops with E_LLM and the resume hint, exit 1; the same command resumes once the endpoint is back", async () => {
    const dir = tempDir("envscale-outage-");
    const config = join(dir, "envscale.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        concurrency: 1,
        llm: { provider: "openai", baseUrl: server.url, apiKey: "k", model: "fake", maxRetries: 0, concurrency: 1 },
      }),
    );
    const out = join(dir, "run");
    const command = ["run", join(fixtures, "catalogs", "mini-shop.json"), "--config", config, "--out", out];
    let down = false;
    server.fallback = (body): ScriptedReply => {
      const system = String((body.messages as { content: string }[])[0]?.content ?? "");
      // The domain is named, then the endpoint goes down: the schema fails alone (1 of 2), the writer shows it down (2 of 3).
      if (/You name groups/.test(system)) {
        down = true;
        return { content: '{"name": "shop"}' };
      }
      return down ? { status: 503, content: "down" } : { content: "garbage {" };
    };
    const stopped = await runCli(command, { timeoutMs: 120_000 });
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(
      /E_LLM: codegen-writer:shop: http:\/\/127\.0\.0\.1:\d+\/v1 answered 503 after all retries: 503 down; 2 of the last 3 requests failed; stage "codegen" kept 0 finished item\(s\) and every earlier stage, re-run the same command to resume \(stage\(s\) "schema", "rules" finished while the llm service was failing and may hold items that fell back: --from schema asks again\)/,
    );
    expect(viewRun(out).json<DomainSchema>("envs/shop/schema.json").modelRejected).toMatch(
      /^the request failed: schema:shop: .* answered 503/,
    );

    down = false;
    server.fallback = () => ({ content: "garbage {" });
    const resumed = await runCli(command, { timeoutMs: 120_000 });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/schema\s+cached/);
    expect(viewRun(out).json<CodegenReport>("envs/shop/codegen.json")).toMatchObject({ source: "templates" });
    expect(viewRun(out).manifest.stages.report?.status).toBe("done");
  }, 240_000);
});
