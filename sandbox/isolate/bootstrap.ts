// The trusted code that runs first in every tool isolate: it sets up the realm, owns the database
// and dispatches calls. esbuild bundles this folder (minus tool-runtime.ts) into one script whose
// completion value is `createIsolateKernel`; the host (environment.ts) calls the functions of the
// object it returns. Tool code never sees that object.
//
// Nothing here trusts a value tool code produced: such values are read with Reflect and property
// descriptors, and the intrinsics used are captured (intrinsics.ts) before tool code exists.
// In-isolate runtime code: one closure, like database.ts: the kernel's state (tools, factory, database) lives in variables no tool can reach.
import { COLLECTOR_GLOBAL } from "../shared/collector.ts";
import { createDatabase } from "./database.ts";
import { ErrorCtor, getOwnPropertyDescriptor, jsonParse, jsonStringify, type Obj, reflectApply, StringCtor } from "./intrinsics.ts";
import { NotJson } from "./json-values.ts";
import { freezeRealm, installConsole, installDeterminism, restrictRealm } from "./realm.ts";

export interface KernelConfig {
  /** Largest result, in characters of its JSON. */
  maxResultBytes: number;
  /** Most console lines kept per call. */
  maxLogLines: number;
}

interface ToolSlot {
  name: string;
  write: boolean;
}

/** The filename the host gives the tool module's script; stack frames in it locate errors. */
const FRAME = /envscale-tools[^:\s]*:(\d+):(\d+)/g;

export function createIsolateKernel(config: KernelConfig) {
  const global = globalThis as unknown as Obj;
  // Taken off the global first: tool code never sees a collector (ours, or `gc` when the process
  // runs with --expose-gc). V8 makes these properties non-configurable, so they stay, holding
  // undefined (frozen with the rest of the realm).
  let collect: (() => void) | null = null;
  for (const name of [COLLECTOR_GLOBAL, "gc"]) {
    const found = global[name];
    if (found === undefined) continue;
    if (typeof found === "function") collect ??= found as () => void;
    global[name] = undefined;
  }
  const determinism = installDeterminism(global);
  const console = installConsole(global, config.maxLogLines);
  restrictRealm(global);
  const db = createDatabase();
  let tools: ToolSlot[] = [];
  let factory: (() => Obj) | null = null;
  let functions: unknown[] = [];
  /**
   * Episodes of one module share this isolate, each in a slot: its database root, its random
   * stream and clock, its module instance. One slot is live in the variables above and in the
   * database; the others are parked here. Switching is a few assignments: no state is copied.
   */
  interface Parked {
    episode: ReturnType<typeof db.suspend>;
    determinism: number[];
    functions: unknown[];
  }
  const parked = new Map<number, Parked>();
  let live = 0;
  const select = (id: number) => {
    if (id === live) return;
    // The host settles a slot's last call before another slot runs; never carry one across.
    if (pending !== null) settle();
    if (live !== 0) parked.set(live, { episode: db.suspend(), determinism: determinism.suspend(), functions });
    const next = parked.get(id);
    parked.delete(id);
    db.resume(next?.episode);
    if (next) determinism.resume(next.determinism);
    functions = next ? next.functions : [];
    live = id;
  };

  /** A fresh module instance: module-level state does not survive an episode. */
  const instantiate = () => {
    if (!factory) throw new ErrorCtor("no tool module installed");
    const exported = factory();
    functions = tools.map((tool) => {
      const desc = getOwnPropertyDescriptor(exported, tool.name);
      const fn = desc ? ("value" in desc ? desc.value : reflectApply(desc.get as () => unknown, exported, [])) : undefined;
      return typeof fn === "function" ? fn : null;
    });
  };

  // Reading a thrown value's stack, name and message may run tool code (getters, toString): that
  // is fine here, inside the isolate and under the watchdog, and each read is guarded.
  /** The module's stack frames of an error, innermost first, as script [line, column] (the host maps them). */
  const framesOf = (error: unknown): [number, number][] => {
    if (typeof error !== "object" || error === null) return [];
    let stack: unknown;
    try {
      stack = (error as { stack?: unknown }).stack;
    } catch {
      return [];
    }
    if (typeof stack !== "string") return [];
    const frames: [number, number][] = [];
    for (const match of stack.matchAll(FRAME)) frames.push([Number(match[1]), Number(match[2])]);
    return frames;
  };
  const nameOf = (error: unknown): string => {
    if (typeof error !== "object" || error === null) return typeof error;
    try {
      const name = (error as { name?: unknown }).name;
      return typeof name === "string" ? name.slice(0, 100) : "Error";
    } catch {
      return "Error";
    }
  };
  const messageOf = (error: unknown): string => {
    try {
      if (typeof error === "object" && error !== null) {
        const own = getOwnPropertyDescriptor(error, "message");
        if (own && "value" in own) return StringCtor(own.value).slice(0, 2000);
      }
      return StringCtor(error).slice(0, 2000);
    } catch {
      return "(the thrown value could not be turned into a message)";
    }
  };

  const outcome = (ok: boolean, body: string): string => {
    const lines = console.take();
    const logs = lines.length > 0 ? `,"logs":${jsonStringify(lines)}` : "";
    return ok ? `{"ok":true,"result":${body}${logs}}` : `{"ok":false,"error":${body}${logs}}`;
  };
  const failureBody = (code: string, message: string, extra: Obj = {}): string => jsonStringify({ code, message, ...extra });

  /**
   * The call that ran and is not settled yet: its outcome's body, or null. A call ends in the
   * crossing after the one that ran it: `call` runs the tool, commits and writes the result, and
   * then (as every crossing ends) the engine runs the jobs it queued (promise reactions, thenables,
   * `Array.fromAsync`…), still under the call's time limit and with its console; the next
   * crossing (the next call's, or `settle`) first gives its outcome, with every line logged, and
   * puts the random stream back if it failed. So a call's jobs never run in another call, a batch
   * gives what single calls give (at one crossing per call, plus one), and a refused call changes
   * nothing.
   */
  let pending: { ok: boolean; body: string } | null = null;

  /** One call: runs the tool; its outcome waits for `settle`. A failed call changes nothing: database, randomness, clock. */
  const runCall = (index: number, args: unknown): void => {
    console.open();
    const tool = tools[index];
    const fn = functions[index];
    if (!tool || typeof fn !== "function") {
      pending = { ok: false, body: failureBody("UNKNOWN_TOOL", `no tool #${index} in this module`) };
      return;
    }
    determinism.save();
    const write = tool.write;
    const view = write ? db.beginWrite() : db.beginRead();
    let stage = "TOOL_ERROR";
    let text = "";
    let error: unknown = null;
    try {
      const result = reflectApply(fn as (...a: unknown[]) => unknown, undefined, [view, args]);
      if (write) {
        stage = "INVALID_STATE";
        db.commitWrite();
      }
      stage = "INVALID_RESULT";
      text = db.json.serialize(result, config.maxResultBytes);
      stage = "";
    } catch (thrown) {
      error = thrown;
    } finally {
      if (write) db.endWrite(stage === "");
      else db.endRead();
    }
    if (stage === "") {
      pending = { ok: true, body: text };
      return;
    }
    if (stage === "TOOL_ERROR") {
      const frames = framesOf(error);
      pending = {
        ok: false,
        body: failureBody(stage, messageOf(error), { thrown: nameOf(error), ...(frames.length > 0 ? { frames } : {}) }),
      };
    } else if (error instanceof NotJson) {
      pending = {
        ok: false,
        body: failureBody(stage, stage === "INVALID_STATE" ? `the tool left the database invalid at ${error.message}` : error.message, {
          path: error.path,
        }),
      };
    } else {
      pending = {
        ok: false,
        body: failureBody(
          stage,
          `${stage === "INVALID_STATE" ? "the database could not be validated" : "the result could not be read"}: ${messageOf(error)}`,
        ),
      };
    }
  };

  /** The outcome of the call that ran, once its jobs ran: JSON text ("" when no call ran: the host reports the failure). */
  /** The last outcome settled: what a crossing that ended by throwing (isolated-vm throws a rejection nobody handled) would have returned. */
  let settled = "";
  const settle = (): string => {
    const done = pending;
    pending = null;
    if (done === null) {
      console.close();
      settled = "";
      return "";
    }
    if (done.ok) determinism.tick();
    else determinism.restore();
    settled = outcome(done.ok, done.body);
    console.close();
    return settled;
  };

  return {
    /** Declare the tools (an index is a position) and install the module's factory. */
    install(toolsJson: string, moduleFactory: () => Obj) {
      tools = jsonParse(toolsJson) as ToolSlot[];
      factory = moduleFactory;
    },
    /** Freeze the realm: once the module's script has run, before any tool code does. */
    lockdown() {
      freezeRealm(global);
    },
    /** Make slot `id` the live one (a slot never seen starts empty: a reset follows). */
    select,
    /** Forget slot `id` (its episode ended). */
    dropSlot(id: number) {
      parked.delete(id);
      if (id !== live) return;
      live = 0;
      db.resume(undefined);
      functions = [];
    },
    loadState(id: number, stateJson: string) {
      db.loadState(id, stateJson);
    },
    dropState(id: number) {
      db.dropState(id);
    },
    /** Start an episode: state `id`, the seed, the task clock (then `instantiate`). */
    reset(id: number, seed: number, clockMs: number, stepMs: number) {
      db.startEpisode(id);
      determinism.start(seed, clockMs, stepMs);
      console.take();
    },
    /** A fresh module instance: the module's top-level code, which the host runs under the call's limits. */
    instantiate() {
      instantiate();
      console.take();
    },
    /**
     * Settle the call before (its jobs ran as its crossing ended) and run one call of slot `slot`
     * (the host armed the watchdog): tool index and arguments as JSON text → the outcome of the call
     * before, as JSON text ("" when there was none); `settle` gives this one's.
     */
    call(slot: number, index: number, argsJson: string): string {
      const before = settle();
      select(slot);
      runCall(index, jsonParse(argsJson));
      return before;
    },
    /** The outcome of the call that ran last (its jobs ran as its crossing ended), as JSON text ("" when none ran). */
    settle,
    /** What the last settle gave: the crossing's answer when it ended by throwing a rejection nobody handled. */
    lastSettled(): string {
      return settled;
    },
    exportState(): string {
      return db.exportState();
    },
    /** What the episode changed of its loaded state (database.ts `exportChanges`). */
    exportChanges(): string {
      return db.exportChanges();
    },
    /** Whether no write has committed since the episode started. */
    pristine(): boolean {
      return db.pristine();
    },
    /** A full garbage collection between episodes, when the process provides the collector. */
    collect(): boolean {
      if (!collect) return false;
      collect();
      return true;
    },
  };
}

export type IsolateKernel = ReturnType<typeof createIsolateKernel>;
