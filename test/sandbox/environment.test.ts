import { afterAll, describe, expect, it } from "vitest";
import { canonicalStringify, type JsonObject, sha256 } from "../../kernel/canonical-json.ts";
import { type CompiledModule, compileToolModule, type ToolDeclaration } from "../../sandbox/index.ts";
import { Environment, sharedWatchdog } from "../../sandbox/process/environment.ts";

afterAll(() => sharedWatchdog().close());

const SOURCE = `import { fail, newId, now, requireRecord } from "envscale/runtime";

export function get_order(db, args) {
  return requireRecord(db.orders, args.order_id, "order");
}

export function cancel_order(db, args) {
  const order = requireRecord(db.orders, args.order_id, "order");
  if (order.status !== "pending") fail(\`order \${args.order_id} is \${order.status}\`);
  order.status = "cancelled";
  order.history.push({ at: now(), event: "cancelled" });
  return { order_id: args.order_id, status: order.status };
}

export function create_order(db, args) {
  const id = newId("ord");
  db.orders[id] = { id, status: "pending", total: args.total, history: [] };
  return { order_id: id, at: now() };
}

export function add_to_log(db, args) {
  db.log.push(args.line);
  return db.log.length;
}

export function roll(db) {
  return Math.floor(Math.random() * 1e6);
}

export function slow(db) {
  for (;;) {}
}
`;

const TOOLS: ToolDeclaration[] = [
  {
    name: "get_order",
    access: "read",
    parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"], additionalProperties: false },
  },
  { name: "cancel_order", parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } },
  { name: "create_order", parameters: { type: "object", properties: { total: { type: "number", minimum: 0 } }, required: ["total"] } },
  { name: "add_to_log", parameters: { type: "object", properties: { line: { type: "string" } }, required: ["line"] } },
  { name: "roll", access: "read" },
  { name: "slow" },
];

const STATE: JsonObject = {
  orders: { o1: { id: "o1", status: "pending", total: 10, history: [] }, o2: { id: "o2", status: "shipped", total: 5, history: [] } },
  log: [],
};

async function compiled(): Promise<CompiledModule> {
  const result = await compileToolModule(SOURCE, { tools: TOOLS, filename: "orders.ts" });
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  return result.module;
}

const hash = (value: unknown) => sha256(canonicalStringify(value));

describe("Environment", () => {
  it("runs a read and a write, returns JSON, and commits what the write changed", async () => {
    const env = Environment.open(await compiled(), STATE);
    expect(env.call("get_order", { order_id: "o1" })).toEqual({ ok: true, result: STATE.orders && (STATE.orders as JsonObject).o1 });
    expect(env.call("cancel_order", { order_id: "o1" })).toEqual({ ok: true, result: { order_id: "o1", status: "cancelled" } });
    expect(env.state()).toEqual({
      // The task clock moved on by one step after the (successful) read.
      orders: {
        o1: { id: "o1", status: "cancelled", total: 10, history: [{ at: "2025-01-01T09:00:01.000Z", event: "cancelled" }] },
        o2: STATE.orders && (STATE.orders as JsonObject).o2,
      },
      log: [],
    });
    env.close();
  });

  it("hashes the canonical JSON of the state, whatever its key order", async () => {
    const env = Environment.open(await compiled(), STATE);
    expect(env.stateHash()).toBe(hash(STATE));
    expect(env.stateHash()).toBe(hash({ log: STATE.log, orders: STATE.orders }));
    env.close();
  });

  it("keeps the initial hash through reads and refused writes, and changes it with the first committed write", async () => {
    const env = Environment.open(await compiled(), STATE);
    const initial = hash(STATE);
    env.call("get_order", { order_id: "o1" });
    expect(env.stateHash()).toBe(initial);
    expect(env.call("cancel_order", { order_id: "nope" }).ok).toBe(false);
    expect(env.stateHash()).toBe(initial);
    expect(env.call("cancel_order", { order_id: "o1" }).ok).toBe(true);
    expect(env.stateHash()).toBe(hash(env.state()));
    expect(env.stateHash()).not.toBe(initial);
    env.reset(STATE);
    expect(env.stateHash()).toBe(initial);
    env.close();
  });

  it("validates arguments against the tool's JSON Schema before entering the isolate", async () => {
    const env = Environment.open(await compiled(), STATE);
    expect(env.call("get_order", { order_id: 7 })).toEqual({
      ok: false,
      error: { code: "INVALID_ARGS", message: "invalid arguments: order_id must be string" },
    });
    expect(env.call("get_order", {})).toEqual({
      ok: false,
      error: { code: "INVALID_ARGS", message: 'invalid arguments: missing argument "order_id"' },
    });
    expect(env.call("get_order", { order_id: "o1", extra: 1 })).toEqual({
      ok: false,
      error: { code: "INVALID_ARGS", message: 'invalid arguments: unknown argument "extra"' },
    });
    expect(env.call("create_order", { total: -1 })).toEqual({
      ok: false,
      error: { code: "INVALID_ARGS", message: "invalid arguments: total must be >= 0" },
    });
    expect(env.call("get_order", [1])).toEqual({ ok: false, error: { code: "INVALID_ARGS", message: "arguments must be a JSON object" } });
    expect(env.call("nope", {})).toMatchObject({ ok: false, error: { code: "UNKNOWN_TOOL" } });
    env.close();
  });

  it("reports a refusal with its message, ToolError and the line in the tool's own source", async () => {
    const env = Environment.open(await compiled(), STATE);
    expect(env.call("cancel_order", { order_id: "o2" })).toEqual({
      ok: false,
      error: { code: "TOOL_ERROR", message: "order o2 is shipped", thrown: "ToolError", line: 9, column: 35 },
    });
    expect(env.call("get_order", { order_id: "o9" })).toMatchObject({
      ok: false,
      error: { message: 'order "o9" not found', thrown: "ToolError", line: 4 },
    });
    env.close();
  });

  it("rolls a timed-out call back, rebuilds the isolate, and the next call works on the earlier state", async () => {
    const env = Environment.open(await compiled(), STATE, { timeoutMs: 150 });
    env.call("add_to_log", { line: "first" });
    const before = env.stateHash();
    const started = Date.now();
    expect(env.call("slow", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(env.rebuilds).toBe(1);
    expect(env.stateHash()).toBe(before);
    expect(env.call("add_to_log", { line: "second" })).toEqual({ ok: true, result: 2 });
    env.close();
  });

  it("gives each call of a batch its own outcome, limit and rollback", async () => {
    const env = Environment.open(await compiled(), STATE, { timeoutMs: 150 });
    const outcomes = env.callMany([
      { tool: "add_to_log", arguments: { line: "a" } },
      { tool: "cancel_order", arguments: { order_id: "o2" } },
      { tool: "slow", arguments: {} },
      { tool: "add_to_log", arguments: { line: 5 } },
      { tool: "add_to_log", arguments: { line: "b" } },
    ]);
    expect(outcomes.map((o) => (o.ok ? o.result : o.error.code))).toEqual([1, "TOOL_ERROR", "TIMEOUT", "INVALID_ARGS", 2]);
    expect(env.state().log).toEqual(["a", "b"]);
    env.close();
  });

  it("is deterministic: same seed and calls, same results and states; ids and times follow the task clock", async () => {
    const module = await compiled();
    const run = () => {
      const env = Environment.open(module, STATE, { seed: 42 });
      const results = [env.call("create_order", { total: 1 }), env.call("roll", {}), env.call("create_order", { total: 2 })];
      const out = { results, hash: env.stateHash() };
      env.close();
      return out;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.results[0]).toMatchObject({ ok: true, result: { at: "2025-01-01T09:00:00.000Z" } });
    // The clock moved on by one step (1 s) for each successful call.
    expect(first.results[2]).toMatchObject({ ok: true, result: { at: "2025-01-01T09:00:02.000Z" } });
    const other = Environment.open(module, STATE, { seed: 43 });
    expect(other.call("roll", {})).not.toEqual(first.results[1]);
    other.close();
  });

  it("leaves randomness and the clock untouched by a failed call", async () => {
    const module = await compiled();
    const env = Environment.open(module, STATE, { seed: 1 });
    env.call("cancel_order", { order_id: "o2" });
    const afterFailure = [env.call("roll", {}), env.call("create_order", { total: 1 })];
    env.reset();
    expect([env.call("roll", {}), env.call("create_order", { total: 1 })]).toEqual(afterFailure);
    env.close();
  });

  it("resets to the initial state, or to another state, without creating an isolate", async () => {
    const env = Environment.open(await compiled(), STATE);
    env.call("cancel_order", { order_id: "o1" });
    env.reset();
    expect(env.stateHash()).toBe(hash(STATE));
    const other: JsonObject = { orders: {}, log: ["x"] };
    env.reset(other);
    expect(env.state()).toEqual(other);
    env.reset(STATE);
    expect(env.stateHash()).toBe(hash(STATE));
    expect(env.rebuilds).toBe(0);
    env.close();
  });

  it("refuses a state that is not a JSON object, or that holds a __proto__ key", async () => {
    const module = await compiled();
    expect(() => Environment.open(module, [] as unknown as JsonObject)).toThrow("a state must be a JSON object");
    const env = Environment.open(module, STATE);
    expect(() => env.reset(JSON.parse('{"t": {"__proto__": {"x": 1}}}'))).toThrow(
      'the state holds the key "__proto__" at db.t (it would set an object\'s prototype)',
    );
    expect(env.call("get_order", { order_id: "o1" }).ok).toBe(true);
    env.close();
  });

  it("keeps an idle environment small", async () => {
    const env = Environment.open(await compiled(), STATE);
    expect(env.heapBytes()).toBeLessThan(5 * 1024 * 1024);
    env.close();
  });
});
