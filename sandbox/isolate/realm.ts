// The realm tool code runs in: deterministic time and randomness, a buffered console, no code from
// strings, no shared memory, and every intrinsic frozen.
import {
  defineProperty,
  ErrorCtor,
  FunctionProto,
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  jsonStringify,
  type Obj,
  ObjectProto,
  ownKeys,
  promiseThen,
  RealDate,
  reflectApply,
  reflectConstruct,
  reflectDefine,
  reflectDelete,
  StringCtor,
  TypeErrorCtor,
} from "./intrinsics.ts";

/** Seeded randomness (sfc32) and the task clock: fixed during a call, moved on after each success. */
export function installDeterminism(global: Obj) {
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  const random = () => {
    r0 >>>= 0;
    r1 >>>= 0;
    r2 >>>= 0;
    r3 >>>= 0;
    let t = (r0 + r1) | 0;
    r0 = r1 ^ (r1 >>> 9);
    r1 = (r2 + (r2 << 3)) | 0;
    r2 = (r2 << 21) | (r2 >>> 11);
    r3 = (r3 + 1) | 0;
    t = (t + r3) | 0;
    r2 = (r2 + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let clockBase = 0;
  let clockStep = 0;
  let ticks = 0;
  const now = () => clockBase + ticks * clockStep;

  // Named `Date` so that tool code sees Date.name === "Date".
  // biome-ignore lint/suspicious/noShadowRestrictedNames: the point is to stand in for Date
  const FakeDate = function Date(this: unknown, ...args: unknown[]) {
    if (new.target === undefined) return new RealDate(now()).toString();
    if (new.target === FakeDate) return args.length === 0 ? new RealDate(now()) : reflectConstruct(RealDate, args);
    return reflectConstruct(RealDate, args.length === 0 ? [now()] : args, new.target);
  } as unknown as DateConstructor;
  defineProperty(FakeDate, "prototype", { value: RealDate.prototype, writable: false, enumerable: false, configurable: false });
  for (const [name, value] of [
    ["now", () => now()],
    ["parse", RealDate.parse],
    ["UTC", RealDate.UTC],
  ] as const) {
    defineProperty(FakeDate, name, { value, writable: true, enumerable: false, configurable: true });
  }
  defineProperty(RealDate.prototype, "constructor", { value: FakeDate, writable: true, enumerable: false, configurable: true });
  global.Date = FakeDate;
  (Math as { random: () => number }).random = random;
  // Intl.DateTimeFormat#format() without a date reads the real clock: give it the task clock.
  const proto = Intl.DateTimeFormat.prototype;
  const formatGetter = getOwnPropertyDescriptor(proto, "format")?.get;
  if (formatGetter) {
    defineProperty(proto, "format", {
      configurable: true,
      enumerable: false,
      get(this: Intl.DateTimeFormat) {
        const format = reflectApply(formatGetter, this, []) as (date?: unknown) => string;
        return (date?: unknown) => format(date === undefined ? now() : date);
      },
    });
  }
  const formatToParts = proto.formatToParts;
  defineProperty(proto, "formatToParts", {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: Intl.DateTimeFormat, date?: unknown) {
      return reflectApply(formatToParts, this, [date === undefined ? now() : date]);
    },
  });

  return {
    /** Start an episode: seed the stream, set the clock. */
    start(seed: number, clockMs: number, stepMs: number) {
      r0 = 0x9e3779b9;
      r1 = 0x243f6a88;
      r2 = 0xb7e15162;
      r3 = seed | 0;
      for (let i = 0; i < 12; i++) random();
      clockBase = clockMs;
      clockStep = stepMs;
      ticks = 0;
    },
    /** Remember the random stream's position (one slot: calls do not nest), to put it back after a failed call. */
    save() {
      s0 = r0;
      s1 = r1;
      s2 = r2;
      s3 = r3;
    },
    restore() {
      r0 = s0;
      r1 = s1;
      r2 = s2;
      r3 = s3;
    },
    /** A call succeeded: the clock moves on. */
    tick() {
      ticks++;
    },
    /** The stream's position and the clock, to park an episode while another one in this isolate runs. */
    suspend(): number[] {
      return [r0, r1, r2, r3, clockBase, clockStep, ticks];
    },
    resume(saved: number[]) {
      r0 = saved[0] as number;
      r1 = saved[1] as number;
      r2 = saved[2] as number;
      r3 = saved[3] as number;
      clockBase = saved[4] as number;
      clockStep = saved[5] as number;
      ticks = saved[6] as number;
    },
  };
}

/** `console.*` for tools: lines buffered per call and returned with the outcome; outside a call (module load, its jobs) they are dropped. */
export function installConsole(global: Obj, maxLines: number) {
  let lines: string[] = [];
  let open = false;
  const log = (level: string) =>
    function log(...parts: unknown[]) {
      if (!open || lines.length >= maxLines) return;
      let text = "";
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        let piece: string;
        try {
          piece = typeof part === "string" ? part : typeof part === "object" && part !== null ? jsonStringify(part) : StringCtor(part);
        } catch {
          piece = "[unprintable]";
        }
        text += (i > 0 ? " " : "") + piece;
      }
      lines.push((level === "log" ? text : `${level}: ${text}`).slice(0, 1000));
    };
  global.console = { log: log("log"), info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") };
  return {
    /** A call starts: lines count from here. */
    open() {
      open = true;
      if (lines.length > 0) lines = [];
    },
    /** The call is settled: lines are dropped until the next one opens. */
    close() {
      open = false;
      if (lines.length > 0) lines = [];
    },
    /** The lines since the last take, and start a new buffer. */
    take(): string[] {
      const taken = lines;
      if (taken.length > 0) lines = [];
      return taken;
    },
  };
}

/**
 * Take away code generation from strings, shared memory, WebAssembly and GC-dependent objects; let
 * assignments to properties that frozen prototypes define work on instances (the "override
 * mistake", e.g. `this.name = "NotFound"` in an Error subclass). Call before `freezeRealm`.
 */
export function restrictRealm(global: Obj) {
  // biome-ignore lint/suspicious/noShadowRestrictedNames: it stands in for Function
  const noCodeGeneration = function Function() {
    throw new TypeErrorCtor("code generation from strings is disabled in the sandbox");
  };
  for (const sample of [() => {}, async () => {}, function* () {}, async function* () {}]) {
    defineProperty(getPrototypeOf(sample), "constructor", {
      value: noCodeGeneration,
      writable: false,
      enumerable: false,
      configurable: true,
    });
  }
  defineProperty(noCodeGeneration, "prototype", { value: FunctionProto, writable: false, enumerable: false, configurable: false });
  global.Function = noCodeGeneration;
  for (const name of ["eval", "SharedArrayBuffer", "Atomics", "WebAssembly", "WeakRef", "FinalizationRegistry"]) delete global[name];
  // Tools are synchronous: a promise continuation would run after the call returned, outside its
  // limits and its transaction. (`await` is refused statically; async functions without it run to
  // completion at once.)
  const noPromises = function then() {
    throw new TypeErrorCtor("promises cannot be awaited in the sandbox: tools are synchronous");
  };
  for (const key of ["then", "catch", "finally"]) {
    defineProperty(Promise.prototype, key, { value: noPromises, writable: false, enumerable: false, configurable: true });
  }
  // The legacy RegExp statics (`RegExp.input`, `$1`, `lastMatch`…) read the isolate's last match,
  // whoever made it (another episode, or the runtime loading a state), and `input` is writable: a
  // channel between episodes. Every own accessor of RegExp but `Symbol.species` now refuses.
  for (const key of ownKeys(RegExp)) {
    const desc = getOwnPropertyDescriptor(RegExp, key);
    if (key === Symbol.species || !desc || "value" in desc) continue;
    const name = StringCtor(key);
    defineProperty(RegExp, key, {
      configurable: false,
      enumerable: false,
      get() {
        throw new TypeErrorCtor(`RegExp.${name} (a legacy RegExp static) is not available in the sandbox: use the match's own result`);
      },
    });
  }
  // The legacy accessor helpers would let a tool define getters behind our back.
  for (const key of ["__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"]) reflectDelete(ObjectProto, key);

  const allowOverride = (proto: object, key: string) => {
    const desc = getOwnPropertyDescriptor(proto, key);
    if (!desc || !("value" in desc)) return;
    const value = desc.value;
    defineProperty(proto, key, {
      configurable: false,
      enumerable: desc.enumerable ?? false,
      get: () => value,
      set(this: unknown, next: unknown) {
        if (this === proto) throw new TypeErrorCtor(`cannot assign to ${key} of a frozen prototype`);
        reflectDefine(this as object, key, { value: next, writable: true, enumerable: true, configurable: true });
      },
    });
  };
  for (const key of ["constructor", "toString", "valueOf", "toLocaleString", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"])
    allowOverride(ObjectProto, key);
  for (const key of ["name", "message", "constructor", "toString"]) allowOverride(ErrorCtor.prototype, key);
  allowOverride(FunctionProto, "toString");
  for (const key of ["constructor", "toString"]) allowOverride(Array.prototype, key);
}

/**
 * Freeze every object reachable from the global, from syntax-only intrinsics (generators, async
 * functions) and from instances of every built-in: prototypes such as the iterator helpers', the one
 * behind `Iterator.from`, or Intl's segments are reachable only through an instance. Instances are
 * made generically (every constructor constructed, every static function called, every method of a
 * new prototype called on an instance, each with a few probe arguments, until no new object turns
 * up), so an intrinsic a new V8 adds is covered without a change here. Runs once per isolate, before
 * any tool code; the instances are throwaway.
 */
export function freezeRealm(global: Obj) {
  // Thrown probes are the common case: without stack traces they cost a tenth.
  const stackLimit = getOwnPropertyDescriptor(ErrorCtor, "stackTraceLimit");
  defineProperty(ErrorCtor, "stackTraceLimit", { value: 0, writable: true, enumerable: true, configurable: true });
  const seen = new Set<unknown>();
  /** Values to walk, each with the object it was found on (its holder, or null). */
  const pending: unknown[] = [global, null];
  const instances: unknown[] = [
    function* () {},
    async () => {},
    async function* () {},
    (function* () {})(),
    (async function* () {})(),
    new Int8Array(0),
  ];
  const probedPrototypes = new Set<unknown>();
  const keep = (value: unknown) => {
    if ((typeof value === "object" || typeof value === "function") && value !== null && !seen.has(value)) instances.push(value);
  };
  const probe = (fn: (...a: unknown[]) => unknown, receiver: unknown, construct: boolean) => {
    for (const args of probeArguments()) {
      try {
        keep(construct ? reflectConstruct(fn, args) : reflectApply(fn, receiver, args));
      } catch {}
    }
  };
  while (pending.length > 0 || instances.length > 0) {
    while (pending.length > 0) {
      const holder = pending.pop();
      const value = pending.pop();
      if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
      seen.add(value);
      pending.push(getPrototypeOf(value), null);
      for (const key of ownKeys(value as object)) {
        const desc = getOwnPropertyDescriptor(value, key);
        if (!desc) continue;
        if ("value" in desc) pending.push(desc.value, value);
        if (desc.get) pending.push(desc.get, null);
        if (desc.set) pending.push(desc.set, null);
      }
      if (typeof value !== "function") continue;
      const fn = value as (...a: unknown[]) => unknown;
      const proto = getOwnPropertyDescriptor(fn, "prototype");
      if (proto && "value" in proto && typeof proto.value === "object" && proto.value !== null) probe(fn, undefined, true);
      // A function of a constructor or a namespace (not a prototype's method): called as it is found.
      if (holder !== null && !isPrototypeObject(holder)) probe(fn, holder, false);
    }
    // Methods of prototypes met for the first time, called on a fresh instance of theirs.
    const batch = instances.splice(0);
    for (const instance of batch) {
      if (seen.has(instance)) continue;
      for (let proto = getPrototypeOf(instance); proto !== null; proto = getPrototypeOf(proto)) {
        if (probedPrototypes.has(proto)) continue;
        probedPrototypes.add(proto);
        for (const key of ownKeys(proto)) {
          if (key === "constructor") continue;
          const desc = getOwnPropertyDescriptor(proto, key);
          const method = desc ? ("value" in desc ? desc.value : desc.get) : undefined;
          if (typeof method === "function") probe(method, instance, false);
        }
      }
      pending.push(instance, null);
    }
  }
  defineProperty(ErrorCtor, "stackTraceLimit", stackLimit ?? { value: 10, writable: true, enumerable: true, configurable: true });
  for (const value of seen) {
    // A probe may have rejected a promise (`Promise.withResolvers().reject()`): one nobody handles would fail the crossing.
    if (value instanceof Promise) reflectApply(promiseThen, value, [undefined, () => {}]);
    freeze(value);
  }
}

/** Whether an object is some function's `prototype` (its functions are methods, not called bare). */
function isPrototypeObject(holder: unknown): boolean {
  const ctor = getOwnPropertyDescriptor(holder, "constructor");
  if (!ctor || !("value" in ctor) || typeof ctor.value !== "function") return false;
  const proto = getOwnPropertyDescriptor(ctor.value, "prototype");
  return proto !== undefined && proto.value === holder;
}

/** Arguments each probe is made with, fresh each time (a probe may keep or change them): none, a function, an iterator. */
function probeArguments(): unknown[][] {
  const iterator = {
    next: () => ({ done: true, value: undefined }),
    [Symbol.iterator]() {
      return this;
    },
  };
  return [[], [() => undefined], [iterator]];
}
