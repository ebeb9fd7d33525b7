// The sandbox benchmark (`envscale bench`, `npm run bench`): sandboxed calls per second, measured
// side by side in one run, since these machines are noisy and the targets are ratios.
//
// (1) raw isolated-vm applySync round trips on a trivial function: the ceiling;
// (2) Environment.call on a realistic tool (10 validated argument fields, a read and a write on a
//     1,000-record database, a small result), limits on;
// (3) the same tool called directly, in this process, on a plain object: the unsafe reference;
// (4) episode resets; (5) calls through N sandbox processes against 1.
// Also: batched calls of a trivial tool, the naive approach (applySync with a per-call timeout,
// no validation, no rollback) the issue compares against, and memory per idle environment.
import { availableParallelism } from "node:os";
import { runInThisContext } from "node:vm";
import ivm from "isolated-vm";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { type CompiledModule, compileToolModule, Sandbox, type ToolCall } from "../../sandbox/index.ts";
import { Environment, sharedWatchdog } from "../../sandbox/process/environment.ts";

export interface BenchmarkResult {
  raw_calls_per_s: number;
  env_calls_per_s: number;
  direct_calls_per_s: number;
  batch_calls_per_s: number;
  resets_per_s: number;
  workers: number;
  worker_calls_per_s: number;
  /** Beyond the contract: context for the figures above. */
  env_to_raw_ratio: number;
  naive_calls_per_s: number;
  naive_to_raw_ratio: number;
  reset_median_ms: number;
  single_worker_calls_per_s: number;
  worker_scaling: number;
  idle_environment_mb: number;
  node: string;
  cores: number;
}

export interface BenchmarkOptions {
  /** Seconds each measurement runs (default 1). */
  seconds?: number;
  /** Sandbox processes for the scaling measurement (default: CPU cores). */
  workers?: number;
  /** Called with a line of progress per measurement. */
  progress?: (line: string) => void;
}

const REALISTIC_SOURCE = `import { fail, now } from "envscale/runtime";

export function update_order(db, args) {
  const order = db.orders[args.order_id];
  if (!order) fail(\`order \${args.order_id} not found\`);
  if (order.status !== "pending") fail(\`order \${args.order_id} is \${order.status}\`);
  order.street = args.street;
  order.city = args.city;
  order.zip = args.zip;
  order.country = args.country;
  order.note = args.note;
  order.updated_by = args.user;
  order.priority = args.priority;
  order.gift = args.gift;
  order.channel = args.channel;
  order.updated_at = now();
  return { order_id: args.order_id, status: order.status, total: order.total };
}

export function echo(db, args) {
  return args.x;
}
`;

const UPDATE_PARAMETERS = {
  type: "object",
  properties: {
    order_id: { type: "string" },
    street: { type: "string" },
    city: { type: "string" },
    zip: { type: "string" },
    country: { type: "string", minLength: 2, maxLength: 2 },
    note: { type: "string" },
    user: { type: "string" },
    priority: { type: "integer", minimum: 0, maximum: 5 },
    gift: { type: "boolean" },
    channel: { type: "string", enum: ["web", "phone", "store"] },
  },
  required: ["order_id", "street", "city", "zip", "country"],
  additionalProperties: false,
};

export function benchmarkState(records = 1000): JsonObject {
  const orders: JsonObject = {};
  for (let i = 0; i < records; i++) {
    orders[`o${i}`] = {
      id: `o${i}`,
      status: "pending",
      total: (i * 37) % 500,
      street: "1 main street",
      city: "Lyon",
      zip: "69001",
      country: "FR",
      note: "",
      updated_by: "",
      priority: 0,
      gift: false,
      channel: "web",
      updated_at: "",
      items: [{ sku: `sku-${i}`, quantity: 1 + (i % 3) }],
    };
  }
  return { orders, customers: {} };
}

const updateArgs = (i: number) => ({
  order_id: `o${i % 1000}`,
  street: `${i} rue de la Paix`,
  city: "Paris",
  zip: "75002",
  country: "FR",
  note: "leave at the door",
  user: "agent",
  priority: i % 5,
  gift: i % 2 === 0,
  channel: "web",
});

/** Calls per second of `fn`, run for about `seconds` after a short warm-up. */
function rate(seconds: number, fn: (i: number) => void): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    for (let k = 0; k < 256; k++) fn(n++);
  }
  return n / ((performance.now() - started) / 1000);
}

export async function compileBenchmarkModule(): Promise<CompiledModule> {
  const compiled = await compileToolModule(REALISTIC_SOURCE, {
    filename: "benchmark.ts",
    tools: [
      { name: "update_order", parameters: UPDATE_PARAMETERS },
      { name: "echo", access: "read", parameters: { type: "object", properties: { x: { type: "number" } } } },
    ],
  });
  if (!compiled.ok) throw new Error(`benchmark module does not compile: ${compiled.findings.map((f) => f.message).join("; ")}`);
  return compiled.module;
}

export async function runSandboxBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const seconds = options.seconds ?? 1;
  const say = options.progress ?? (() => {});
  const module = await compileBenchmarkModule();
  const state = benchmarkState();

  // (1) The ceiling: applySync on a trivial function, no limits.
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  const trivial = context.evalSync("(function (x) { return x; })", { reference: true }) as ivm.Reference<(x: number) => number>;
  const raw = rate(seconds, (i) => trivial.applySync(undefined, [i]));
  say(`raw applySync: ${Math.round(raw)} /s`);

  // The naive approach: JSON in and out, the tool on a plain object, isolated-vm's per-call timeout.
  context.evalSync(`globalThis.module = ${module.script}();`);
  context.evalSync(`globalThis.db = ${JSON.stringify(state)};`);
  const naiveCall = context.evalSync("(function (json) { return JSON.stringify(module.update_order(db, JSON.parse(json))); })", {
    reference: true,
  }) as ivm.Reference<(json: string) => string>;
  const naive = rate(seconds, (i) => JSON.parse(naiveCall.applySync(undefined, [JSON.stringify(updateArgs(i))], { timeout: 1000 })));
  say(`naive applySync with a per-call timeout: ${Math.round(naive)} /s`);
  context.release();
  isolate.dispose();

  // (2) Our Environment, limits on.
  const env = Environment.open(module, state, { timeoutMs: 1000, memoryMb: 64 });
  const envRate = rate(seconds, (i) => {
    const outcome = env.call("update_order", updateArgs(i));
    if (!outcome.ok) throw new Error(`benchmark call failed: ${outcome.error.message}`);
  });
  say(`Environment.call (realistic tool): ${Math.round(envRate)} /s`);

  // (3) The unsafe reference: the same tool, a plain call in this process.
  const direct = runInThisContext(module.script)() as { update_order: (db: unknown, args: unknown) => unknown };
  const plainDb = structuredClone(state);
  const directRate = rate(seconds, (i) => direct.update_order(plainDb, updateArgs(i)));
  say(`direct in-process call: ${Math.round(directRate)} /s`);

  // Batches: one crossing for many calls of the trivial tool.
  const batch: ToolCall[] = Array.from({ length: 10_000 }, (_, i) => ({ tool: "echo", arguments: { x: i } }));
  const batchRate = rate(seconds, () => env.callMany(batch)) * batch.length;
  say(`callMany (trivial tool): ${Math.round(batchRate)} /s`);

  // (4) Resets to the same state, as a new episode of the same task does.
  const times: number[] = [];
  const resetRate = rate(seconds, () => {
    const started = performance.now();
    env.reset(state);
    times.push(performance.now() - started);
  });
  times.sort((a, b) => a - b);
  const resetMedian = times[Math.floor(times.length / 2)] ?? 0;
  say(`resets: ${Math.round(resetRate)} /s (median ${resetMedian.toFixed(4)} ms)`);
  env.close();

  // Memory per idle environment (small state), from the process's resident size.
  const idle = await idleEnvironmentMegabytes(module);
  say(`idle environment: ${idle.toFixed(2)} MB`);

  // (5) Sandbox processes: 1 against N, the same batched work.
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const single = await workerRate(module, state, 1, seconds);
  const many = workers === 1 ? single : await workerRate(module, state, workers, seconds);
  say(`sandbox processes: 1 → ${Math.round(single)} /s, ${workers} → ${Math.round(many)} /s`);

  return {
    raw_calls_per_s: Math.round(raw),
    env_calls_per_s: Math.round(envRate),
    direct_calls_per_s: Math.round(directRate),
    batch_calls_per_s: Math.round(batchRate),
    resets_per_s: Math.round(resetRate),
    workers,
    worker_calls_per_s: Math.round(many),
    env_to_raw_ratio: round(envRate / raw, 3),
    naive_calls_per_s: Math.round(naive),
    naive_to_raw_ratio: round(naive / raw, 3),
    reset_median_ms: round(resetMedian, 4),
    single_worker_calls_per_s: Math.round(single),
    worker_scaling: round(many / single, 2),
    idle_environment_mb: round(idle, 2),
    node: process.version,
    cores: availableParallelism(),
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * Memory of an idle environment (small state): the V8 heap its isolate has committed, plus memory
 * outside the heap that V8 accounts to it. (Resident-size deltas miss memory V8 reserved but has
 * not touched yet, so they understate it.)
 */
async function idleEnvironmentMegabytes(module: CompiledModule): Promise<number> {
  const small: JsonObject = { orders: { o1: { id: "o1", status: "pending", total: 1 } } };
  const envs = Array.from({ length: 20 }, () => Environment.open(module, small));
  const bytes = envs.map((env) => env.memoryBytes());
  for (const env of envs) env.close();
  return bytes.reduce((a, b) => a + b, 0) / bytes.length / (1024 * 1024);
}

/**
 * Calls per second through `processes` sandbox processes, two environments each, batches of 2,000,
 * after two warm-up batches per environment (fresh processes have cold JIT), over at least 4 s:
 * shorter windows understate the scaling.
 */
async function workerRate(module: CompiledModule, state: JsonObject, processes: number, seconds: number): Promise<number> {
  const sandbox = await Sandbox.start({ processes, environment: { timeoutMs: 5000 } });
  try {
    const envs = await Promise.all(Array.from({ length: processes * 2 }, () => sandbox.open(module, state)));
    const calls: ToolCall[] = Array.from({ length: 2000 }, (_, i) => ({ tool: "update_order", arguments: updateArgs(i) }));
    for (let warm = 0; warm < 2; warm++) await Promise.all(envs.map((env) => env.callMany(calls)));
    const deadline = performance.now() + Math.max(4, seconds * 2) * 1000;
    const started = performance.now();
    let done = 0;
    await Promise.all(
      envs.map(async (env) => {
        while (performance.now() < deadline) {
          await env.callMany(calls);
          done += calls.length;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  } finally {
    await sandbox.close();
  }
}

/** Release what the benchmark holds in this process (the shared watchdog). */
export function endBenchmark(): void {
  sharedWatchdog().close();
}
