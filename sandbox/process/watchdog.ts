// The time limit of tool calls, enforced by a watchdog that costs the calls themselves nothing.
//
// isolated-vm's own per-call `timeout` option starts and cancels a timer for every call, which
// costs about 45% of the call rate. Instead, one watchdog isolate per process runs a loop on
// isolated-vm's thread pool and shares a few integers with the host: which isolate is in a call,
// which call (a sequence number), since when. It sleeps on Atomics.wait and, when a call has run
// past its limit, disposes that isolate (isolate handles are transferable, so the watchdog holds
// them). The host then reports TIMEOUT and rebuilds the environment (environment.ts).
//
// Limits are wall-clock time inside the sandbox process, checked every `quantumMs` (5 ms).
import ivm from "isolated-vm";

/** Slots of the shared Int32Array (the host writes them; a batch runs each call under its own SEQ and START). */
export const SLOT = {
  /** Generation of the watchdog loop: bumping it stops the running loop. */
  GEN: 0,
  /** Sequence number of the call in flight; 0 when idle. */
  SEQ: 1,
  /** Which registered isolate is in the call. */
  TARGET: 2,
  /** Time limit of the call in flight, ms. */
  LIMIT: 3,
  /** Sequence number of the last call the watchdog killed. */
  KILLED: 4,
  /** When the call in flight started: ms since `epoch`. */
  START: 5,
  /** Never written: the watchdog sleeps on it. */
  SLEEP: 6,
  /** The generation of the last loop that returned (the host waits for it when closing). */
  DONE: 7,
} as const;

const LOOP = `(function watch(sab, targets, generation, epoch, idleMs, quantumMs) {
  const s = new Int32Array(sab);
  while (Atomics.load(s, ${SLOT.GEN}) === generation) {
    const seq = Atomics.load(s, ${SLOT.SEQ});
    Atomics.wait(s, ${SLOT.SLEEP}, 0, seq === 0 ? idleMs : quantumMs);
    if (seq === 0 || Atomics.load(s, ${SLOT.SEQ}) !== seq) continue;
    const elapsed = (Date.now() - epoch) - Atomics.load(s, ${SLOT.START});
    if (elapsed <= Atomics.load(s, ${SLOT.LIMIT})) continue;
    const target = targets[Atomics.load(s, ${SLOT.TARGET})];
    if (target && Atomics.load(s, ${SLOT.SEQ}) === seq) {
      Atomics.store(s, ${SLOT.KILLED}, seq);
      try { target.dispose(); } catch {}
    }
  }
  Atomics.store(s, ${SLOT.DONE}, generation);
  Atomics.notify(s, ${SLOT.DONE});
})`;

export class Watchdog {
  readonly slots: Int32Array;
  readonly sharedBuffer: SharedArrayBuffer;
  /** Wall-clock origin of START values (fits an int32 for 24 days). */
  readonly epoch = Date.now();
  readonly #isolate: ivm.Isolate;
  readonly #loop: ivm.Reference<(...args: unknown[]) => void>;
  readonly #targets = new Map<number, ivm.Isolate>();
  #nextTarget = 1;
  #seq = 0;
  #generation = 0;
  /** SEQ when the last guarded crossing threw: the call of a batch that was running. */
  lastSeqAtFailure = 0;

  readonly #idleMs: number;
  readonly #quantumMs: number;

  /** `idleMs`: how long the watchdog sleeps while nothing runs; `quantumMs`: how often it looks during a call. */
  constructor(idleMs = 20, quantumMs = 5) {
    this.#idleMs = idleMs;
    this.#quantumMs = quantumMs;
    this.sharedBuffer = new SharedArrayBuffer(8 * Int32Array.BYTES_PER_ELEMENT);
    this.slots = new Int32Array(this.sharedBuffer);
    this.#isolate = new ivm.Isolate({ memoryLimit: 8 });
    const context = this.#isolate.createContextSync();
    this.#loop = context.evalSync(LOOP, { reference: true }) as ivm.Reference<(...args: unknown[]) => void>;
    process.on("exit", this.#onExit);
  }

  /** Guard calls into `isolate`; returns the id to pass to `run`. */
  register(isolate: ivm.Isolate): number {
    const id = this.#nextTarget++;
    this.#targets.set(id, isolate);
    this.#restart();
    return id;
  }

  unregister(id: number): void {
    if (this.#targets.delete(id)) this.#restart();
  }

  /** Reserve `count` consecutive sequence numbers (a batch uses one per call). */
  reserve(count: number): number {
    const first = this.#seq + 1;
    this.#seq += count;
    if (this.#seq > 2_000_000_000) this.#seq = 0;
    return first;
  }

  /** Milliseconds since `epoch`, as the watchdog counts them. */
  now(): number {
    return Date.now() - this.epoch;
  }

  /**
   * Run `fn` (synchronous crossings into the target isolate for one call) under a limit. `seq` is
   * the call's number (a batch runs each of its calls under one of its own).
   */
  run<T>(target: number, seq: number, limitMs: number, fn: () => T): T {
    const s = this.slots;
    s[SLOT.TARGET] = target;
    s[SLOT.LIMIT] = limitMs;
    s[SLOT.START] = this.now();
    Atomics.store(s, SLOT.SEQ, seq);
    try {
      return fn();
    } catch (error) {
      this.lastSeqAtFailure = Atomics.load(s, SLOT.SEQ);
      throw error;
    } finally {
      Atomics.store(s, SLOT.SEQ, 0);
    }
  }

  /** The sequence number the watchdog last killed (compare with a batch's range). */
  killedSeq(): number {
    return Atomics.load(this.slots, SLOT.KILLED);
  }

  /**
   * Stop the loop and wait (synchronously, at most `waitMs`) until it has returned: a process that
   * exits while the loop still runs on isolated-vm's thread pool can crash.
   */
  close(waitMs = 200): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off("exit", this.#onExit);
    const generation = Atomics.add(this.slots, SLOT.GEN, 1);
    Atomics.notify(this.slots, SLOT.SLEEP);
    const deadline = Date.now() + waitMs;
    while (Atomics.load(this.slots, SLOT.DONE) < generation && Date.now() < deadline) {
      Atomics.wait(this.slots, SLOT.DONE, Atomics.load(this.slots, SLOT.DONE), 5);
    }
    // The loop has returned; give isolated-vm a moment to finish the task around it.
    Atomics.wait(this.slots, SLOT.SLEEP, 0, 2);
    this.#targets.clear();
    this.#isolate.dispose();
  }

  #closed = false;
  /** Programs that exit without closing (process.exit) still stop the loop first. */
  readonly #onExit = () => this.close();

  /**
   * Start a loop that knows the current targets. The old loop sees the new generation and returns
   * within microseconds; isolated-vm queues the new one behind it, so the host never waits.
   */
  #restart(): void {
    this.#generation = Atomics.add(this.slots, SLOT.GEN, 1) + 1;
    Atomics.notify(this.slots, SLOT.SLEEP);
    const targets: Record<number, ivm.Isolate> = {};
    for (const [id, isolate] of this.#targets) targets[id] = isolate;
    this.#loop
      .apply(undefined, [this.sharedBuffer, targets, this.#generation, this.epoch, this.#idleMs, this.#quantumMs], {
        arguments: { copy: true },
      })
      .catch(() => {
        // The loop only ends by generation change or disposal; nothing to report.
      });
  }
}
