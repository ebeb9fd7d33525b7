// The garbage collector a sandbox process hands its isolates. V8 collects an isolate's garbage
// lazily, so an environment reset thousands of times settles at several times what it holds; a
// full collection between episodes now and then keeps it near its live size. Sandbox processes
// start with `--expose-gc-as=<COLLECTOR_GLOBAL>`, which puts the collector on every new context's
// global; the isolate's bootstrap takes it (leaving undefined in its place) before any tool code runs.

export const COLLECTOR_GLOBAL = "__envscale_collect";
/** A full collection every this many resets of an environment (~1 ms on a small heap). */
export const COLLECT_EVERY_RESETS = 256;
