// Seeded random streams: the only source of randomness in envscale (no Math.random anywhere).
//
// A stream is named: `forRun(seed).fork("tool-graph").fork("item-17")`. Forking derives a new,
// independent seed from the parent's seed and the name (not from the parent's position), so the
// draws an item sees do not depend on how many items ran before it: resumed runs and parallel runs
// draw exactly what a straight run draws.
import { createHash } from "node:crypto";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

export class Rng {
  readonly #seedHex: string;
  readonly #gen: RandomGenerator;

  private constructor(seedHex: string) {
    this.#seedHex = seedHex;
    // xoroshiro128+ takes four 32-bit words of state; all-zero state is invalid, hence the `| 1`.
    const words = [0, 8, 16, 24].map((at) => Number.parseInt(seedHex.slice(at, at + 8), 16) | 0);
    words[3] = (words[3] ?? 0) | 1;
    this.#gen = xoroshiro128plusFromState(words);
  }

  /** The root stream of a run. */
  static forRun(seed: number | string): Rng {
    return new Rng(digest(`envscale-run:${seed}`));
  }

  /** An independent child stream named `label`; the same label always gives the same stream. */
  fork(label: string): Rng {
    return new Rng(digest(`${this.#seedHex}/${label}`));
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return uniformFloat64(this.#gen);
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`int(${min}, ${max}): empty range`);
    return uniformInt(this.#gen, min, max);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty array");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `count` distinct elements in random order (all of them when count ≥ length). */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, count));
  }

  /** A 32-bit unsigned integer, e.g. to seed a generator elsewhere (the sandbox's Math.random). */
  uint32(): number {
    return this.int(0, 0xffffffff) >>> 0;
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
