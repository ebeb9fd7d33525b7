// NeMo Gym's simple agent against `envscale serve`, with the wire shapes it sends and validates
// (test/fixtures/peers/nemo-gym.json, written from NeMo Gym's published models): /seed_session
// first, each tool as POST /<name> with the session's cookie, then /verify with the run request and
// the model's Responses API output, answered with the request echoed and `reward` added.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { fixtures } from "../../support/helpers.ts";
import { type Json, post, type Served, serveExampleRun } from "../../support/server.ts";

const peer = JSON.parse(readFileSync(join(fixtures, "peers", "nemo-gym.json"), "utf8"));

let served: Served;

serveExampleRun((ready) => {
  served = ready;
});

/** The run request NeMo Gym's agent starts from, for one task. */
function runRequest(task: Task, key: Record<string, unknown> = { task_id: task.id }): Json {
  const request = structuredClone(peer.run_request);
  request.responses_create_params.input[1].content = task.instruction;
  delete request.task_id;
  return { ...request, ...key };
}

/** A statement of every fact a read-only task asks for. */
const told = (task: Task) => (task.answer_facts ?? []).map((f) => `${f.path}: ${f.value}`).join("; ");

/**
 * What the simple agent does: seed the session, call each tool through its route with the cookie,
 * and collect the Responses API output (function calls, their outputs, the final message).
 */
async function rollout(task: Task, calls: readonly Task["gold_calls"][number][], answer: string, name = (tool: string) => tool) {
  const request = runRequest(task);
  const seeded = await fetch(`${served.base}/seed_session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  expect(seeded.status).toBe(200);
  const cookie = seeded.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  expect(cookie).toMatch(/=/);
  const output: Json[] = [];
  for (const [n, call] of calls.entries()) {
    const fn = {
      ...peer.items.function_call,
      id: `fc_${n}`,
      call_id: `call_${n}`,
      name: name(call.tool),
      arguments: JSON.stringify(call.arguments),
    };
    const answered = await post(served.base, `/${call.tool}`, call.arguments, { cookie });
    expect(answered.status, call.tool).toBe(200);
    output.push(fn, { ...peer.items.function_call_output, call_id: `call_${n}`, output: JSON.stringify(answered.json) });
  }
  const message = structuredClone(peer.items.message);
  message.id = "msg_final";
  message.content[0].text = answer;
  output.push(message);
  return { request, response: { ...peer.response, output }, cookie };
}

describe("NeMo Gym's simple agent", () => {
  it("seed_session, tool routes with the cookie, verify: the request echoed with reward 1 for the gold calls, 0 for none", async () => {
    const task = served.tasks.find((t) => !t.read_only) as Task;
    const { request, response, cookie } = await rollout(task, task.gold_calls, "Done.");
    const verify = await post(served.base, "/verify", { ...request, response }, { cookie });
    expect(verify.status).toBe(200);
    for (const field of peer.required_fields.BaseVerifyResponse) expect(verify.json).toHaveProperty(field);
    expect(verify.json.responses_create_params).toEqual(request.responses_create_params);
    expect(verify.json.response).toEqual(response);
    expect(verify.json.task_id).toBe(task.id);
    expect(verify.json.reward).toBe(1);
    expect(verify.json.verdict.rule).toMatch(/gold state/);
    // Verify ended the seeded episode: its tool routes are gone with it.
    expect((await post(served.base, `/${task.gold_calls[0]?.tool}`, {}, { cookie })).status).toBe(404);

    const idle = await rollout(task, [], "I did nothing.");
    const nothing = await post(served.base, "/verify", { ...idle.request, response: idle.response });
    expect(nothing.json).toMatchObject({ reward: 0, verdict: { failed: "state-alignment" } });
  });

  it("a read-only task pays only when its reads are made and their facts reach the user; MCP-namespaced names count as the bare ones", async () => {
    const read = served.tasks.find((t) => t.read_only) as Task;
    const silent = await rollout(read, read.gold_calls, "Done.");
    expect((await post(served.base, "/verify", { ...silent.request, response: silent.response })).json.reward).toBe(0);
    const answered = await rollout(read, read.gold_calls, told(read), (tool) => `mcp__envscale__${tool}`);
    const verify = await post(served.base, "/verify", { ...answered.request, response: answered.response });
    expect(verify.json.reward).toBe(1);
    expect(verify.json.verdict.rule).toMatch(/^a read-only task/);
  });

  it("a malformed function call scores 0 as invalid; the task named by _ng_task_index", async () => {
    const task = served.tasks.find((t) => !t.read_only) as Task;
    const index = served.tasks.indexOf(task);
    const { response } = await rollout(task, task.gold_calls, "Done.");
    response.output[0].arguments = "{broken";
    const verify = await post(served.base, "/verify", { ...runRequest(task, { _ng_task_index: index }), response });
    expect(verify.json).toMatchObject({ reward: 0, _ng_task_index: index, verdict: { failed: "validity" } });
    expect(verify.json.verdict.reasons[0]).toMatch(/malformed call/);
  });

  it("tool routes: no session is a 400 naming /seed_session; a refused call is a model-visible error output", async () => {
    const task = served.tasks[0] as Task;
    const tool = task.gold_calls[0]?.tool as string;
    const bare = await post(served.base, `/${tool}`, {});
    expect(bare.status).toBe(400);
    expect(bare.json.error.message).toMatch(/seed_session/);
    const { cookie } = await rollout(task, [], "");
    const unknown = await post(served.base, "/no_such_tool", {}, { cookie });
    expect(unknown.status).toBe(200);
    expect(unknown.json.error.code).toBe("UNKNOWN_TOOL");
    const missing = await post(served.base, "/verify", { responses_create_params: {}, response: { output: [] } });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/task_id/);
  });

  it("aggregate_metrics: NeMo Gym's AggregateMetrics over verify responses", async () => {
    const metrics = await post(served.base, "/aggregate_metrics", peer.aggregate_metrics_request);
    expect(metrics.status).toBe(200);
    for (const field of peer.required_fields.AggregateMetrics) expect(metrics.json).toHaveProperty(field);
    expect(metrics.json.agent_metrics["mean/reward"]).toBeCloseTo(2 / 3);
    expect(metrics.json.agent_metrics).toMatchObject({ num_verify_responses: 3, num_tasks: 2, "pass@k": 1, "pass^k": 0.5 });
    expect(metrics.json.group_level_metrics).toEqual([
      { task: "0", "mean/reward": 0.5, count: 2 },
      { task: "1", "mean/reward": 1, count: 1 },
    ]);
  });
});
