// Environments of one module share a warm isolate, each episode in a slot of its own: what one
// episode writes, draws or keeps in module state never reaches another, interleaving them changes
// no result, and a call that kills the shared isolate costs the others nothing but a replay.
import { afterAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { type CompiledModule, compileToolModule, Sandbox, type ToolDeclaration } from "../../sandbox/index.ts";
import { Environment, isolateLimits, sharedWatchdog } from "../../sandbox/process/environment.ts";
import { IsolateHost } from "../../sandbox/process/isolate-host.ts";

afterAll(() => sharedWatchdog().close());

const SOURCE = `import { newId, now } from "envscale/runtime";
let callsInThisEpisode = 0;

export function add(db, args) {
  callsInThisEpisode += 1;
  db.items[args.key] = { id: newId("it"), at: now(), value: args.value, draw: Math.random() };
  return { seen: callsInThisEpisode, count: Object.keys(db.items).length };
}

export function read(db, args) {
  return db.items[args.key] ?? null;
}

export function spin(db) {
  for (;;) {}
}

export function hog(db) {
  const kept = [];
  for (let i = 0; ; i++) kept.push({ i, text: "item " + i });
}
`;

const TOOLS: ToolDeclaration[] = [
  { name: "add", parameters: { type: "object", properties: { key: { type: "string" }, value: { type: "number" } }, required: ["key"] } },
  { name: "read", access: "read" },
  { name: "spin" },
  { name: "hog" },
];

const STATE: JsonObject = { items: { base: { id: "it_0", at: "2025-01-01", value: 0, draw: 0 } } };

async function compiled(): Promise<CompiledModule> {
  const result = await compileToolModule(SOURCE, { tools: TOOLS, filename: "items.ts" });
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  return result.module;
}

/** Three episodes' calls, each with its own seed. */
const EPISODES = [1, 2, 3].map((seed) => ({
  seed,
  calls: ["a", "b", "c"].map((key, i) => ({ tool: "add", arguments: { key: `${key}${seed}`, value: seed * 10 + i } })),
}));

describe("environments sharing an isolate", () => {
  it("keep their own database, random stream, clock and module state, whatever the interleaving", async () => {
    const module = await compiled();
    // Apart: each episode in an isolate of its own.
    const apart = EPISODES.map(({ seed, calls }) => {
      const env = Environment.open(module, STATE, { seed });
      const outcomes = calls.map((call) => env.call(call.tool, call.arguments));
      const result = { outcomes, hash: env.stateHash(), state: env.state() };
      env.close();
      return result;
    });
    // Together: the three on one isolate, their calls interleaved.
    const host = IsolateHost.boot(module, isolateLimits({}), sharedWatchdog());
    const envs = EPISODES.map(({ seed }) => Environment.openOn(host, STATE, { seed }));
    expect(host.slots).toBe(3);
    const outcomes: unknown[][] = [[], [], []];
    for (let step = 0; step < 3; step++) {
      for (const [i, env] of envs.entries()) {
        const call = (EPISODES[i] as (typeof EPISODES)[number]).calls[step] as { tool: string; arguments: object };
        (outcomes[i] as unknown[]).push(env.call(call.tool, call.arguments));
      }
    }
    for (const [i, env] of envs.entries()) {
      expect(outcomes[i]).toEqual(apart[i]?.outcomes);
      expect(env.stateHash()).toBe(apart[i]?.hash);
      expect(env.state()).toEqual(apart[i]?.state);
      // Another episode's record is not there.
      expect(env.call("read", { key: `a${i === 0 ? 2 : 1}` })).toEqual({ ok: true, result: null });
    }
    // A new episode in a slot starts from its state, with a fresh module instance.
    const first = envs[0] as Environment;
    first.reset();
    expect(first.call("add", { key: "z", value: 1 })).toMatchObject({ ok: true, result: { seen: 1, count: 2 } });
    expect((envs[1] as Environment).state()).toEqual(apart[1]?.state);
    for (const env of envs) env.close();
    expect(host.slots).toBe(0);
    host.close();
  });

  it("survive a call that kills the shared isolate: the others replay and go on where they were", async () => {
    const module = await compiled();
    // A time limit the memory bomb stays well within (it fills 16 MB in ~300 ms, and runs a second
    // time alone after failing beside its slot-mate).
    const host = IsolateHost.boot(module, isolateLimits({ timeoutMs: 1500, memoryMb: 16 }), sharedWatchdog());
    const [calm, rogue] = [1, 2].map((seed) => Environment.openOn(host, STATE, { seed, timeoutMs: 1500, memoryMb: 16 })) as [
      Environment,
      Environment,
    ];
    calm.call("add", { key: "kept", value: 7 });
    const before = calm.stateHash();
    expect(rogue.call("spin", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
    expect(rogue.call("hog", {})).toMatchObject({ ok: false, error: { code: "MEMORY_LIMIT" } });
    expect(host.rebuilds).toBe(2);
    expect(calm.stateHash()).toBe(before);
    // Its module state was replayed too: this is the episode's second call.
    expect(calm.call("add", { key: "next", value: 8 })).toMatchObject({ ok: true, result: { seen: 2, count: 3 } });
    expect(rogue.call("add", { key: "after", value: 1 })).toMatchObject({ ok: true, result: { seen: 1, count: 2 } });
    calm.close();
    rogue.close();
    host.close();
  });
});

describe("runEpisodes", () => {
  it("gives what the same episodes give one message each, and stops after the asked number of limit failures", async () => {
    const sandbox = await Sandbox.start({ processes: 1 });
    try {
      const module = await compiled();
      const episodes = [
        { calls: [{ tool: "add", arguments: { key: "a", value: 1 } }], exportState: true },
        { calls: [{ tool: "read", arguments: { key: "a" } }] },
        {
          calls: [
            { tool: "add", arguments: { key: "b", value: 2 } },
            { tool: "read", arguments: { key: "base" } },
          ],
        },
      ];
      const env = await sandbox.open(module, STATE, { timeoutMs: 200 });
      const batched = await env.runEpisodes({ state: STATE, options: { seed: 5 }, episodes });
      const single = [];
      for (const episode of episodes) single.push(await env.runEpisode({ state: STATE, options: { seed: 5 }, ...episode }));
      expect(batched).toEqual(single);
      // Each episode starts from the state: the second does not see the first's record.
      expect(batched[1]?.outcomes[0]).toEqual({ ok: true, result: null });
      const spin = { calls: [{ tool: "spin", arguments: {} }] };
      const [adding, reading] = episodes as [(typeof episodes)[number], (typeof episodes)[number]];
      const stopped = await env.runEpisodes({ state: STATE, episodes: [spin, reading, spin, spin, adding], stopAfterFatal: 2 });
      const codes = stopped.map((r) => {
        const last = r.outcomes.at(-1);
        return !last || last.ok ? "ok" : last.error.code;
      });
      expect(codes).toEqual(["TIMEOUT", "ok", "TIMEOUT"]);
      await env.close();
    } finally {
      await sandbox.close();
    }
  });
});

describe("a sandbox process", () => {
  it("opens environments of one module in slots of one warm isolate, and reuses it after they close", async () => {
    const sandbox = await Sandbox.start({ processes: 1 });
    try {
      const module = await compiled();
      const envs = await Promise.all(Array.from({ length: 20 }, (_, seed) => sandbox.open(module, STATE, { seed })));
      const results = await Promise.all(envs.map((env, i) => env.call("add", { key: `k${i}`, value: i })));
      expect(results.every((outcome) => outcome.ok && (outcome.result as { count: number }).count === 2)).toBe(true);
      const [open] = await sandbox.stats();
      expect(open).toMatchObject({ environments: 20, isolates: 1, idle: 0 });
      await Promise.all(envs.map((env) => env.close()));
      const [closed] = await sandbox.stats();
      expect(closed).toMatchObject({ environments: 0, isolates: 1, idle: 1 });
      // Other limits are another isolate.
      const strict = await sandbox.open(module, STATE, { timeoutMs: 200 });
      const [more] = await sandbox.stats();
      expect(more).toMatchObject({ environments: 1, isolates: 2 });
      await strict.close();
    } finally {
      await sandbox.close();
    }
  });
});
