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

/** `console.*` for tools: lines buffered per call and returned with the outcome. */
export function installConsole(global: Obj, maxLines: number) {
  let lines: string[] = [];
  const log = (level: string) =>
    function log(...parts: unknown[]) {
      if (lines.length >= maxLines) return;
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

/** Freeze every object reachable from the global and from syntax-only intrinsics (iterators, generators…). */
export function freezeRealm(global: Obj) {
  const roots: unknown[] = [
    global,
    getPrototypeOf(function* () {}),
    getPrototypeOf(async () => {}),
    getPrototypeOf(async function* () {}),
    getPrototypeOf((function* () {})()),
    getPrototypeOf((async function* () {})()),
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(new Map().entries()),
    getPrototypeOf(new Set().values()),
    getPrototypeOf(""[Symbol.iterator]()),
    getPrototypeOf(/x/[Symbol.matchAll]("")),
    getPrototypeOf(Int8Array),
  ];
  const seen = new Set<unknown>();
  while (roots.length > 0) {
    const value = roots.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    freeze(value);
    roots.push(getPrototypeOf(value));
    for (const key of ownKeys(value as object)) {
      const desc = getOwnPropertyDescriptor(value, key);
      if (!desc) continue;
      if ("value" in desc) roots.push(desc.value);
      if (desc.get) roots.push(desc.get);
      if (desc.set) roots.push(desc.set);
    }
  }
}
