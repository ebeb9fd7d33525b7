// The sandbox hashes states by its own canonical text (it imports no other layer); the kernel writes
// artifacts by its canonical JSON. A hash taken on either side must agree, so the two texts must be
// the same for every JSON value.
import { describe, expect, it } from "vitest";
import { canonicalStringify } from "../../kernel/canonical-json.ts";
import { Rng } from "../../kernel/rng.ts";
import { canonicalStateText, canonicalText } from "../../sandbox/index.ts";

const KEYS = ["a", "B", "10", "9", "", "é", "😀", "__proto__x", "a b", "\u0000", "z", "Z"];

function randomValue(rng: Rng, depth: number): unknown {
  const kind = depth > 3 ? rng.int(0, 4) : rng.int(0, 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -0, 1.5, -2e-7, 1e21, 123456789, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return rng.pick(["", "x", 'quote " and \\', "line\nbreak", "\u2028", "😀"]);
    case 5:
    case 6:
      return Array.from({ length: rng.int(0, 3) }, () => (rng.next() < 0.1 ? undefined : randomValue(rng, depth + 1)));
    default: {
      const record: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i--) record[rng.pick(KEYS)] = rng.next() < 0.1 ? undefined : randomValue(rng, depth + 1);
      return record;
    }
  }
}

describe("the sandbox's canonical state text", () => {
  it("is the kernel's canonical JSON without indentation, on 2,000 random values", () => {
    const rng = Rng.forRun(7);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(rng, 0);
      expect(canonicalText(value)).toBe(canonicalStringify(value));
    }
  });

  it("is the same text when written within the bounds of a state, for a state that keeps them", () => {
    const rng = Rng.forRun(11);
    for (let i = 0; i < 2000; i++) {
      const state = { table: randomValue(rng, 0) };
      expect(canonicalStateText(state, 64)).toBe(canonicalText(state));
    }
  });

  it("refuses what JSON cannot hold, as the kernel does", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1]) {
      expect(() => canonicalText(bad)).toThrow(TypeError);
      expect(() => canonicalStringify(bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalText(cyclic)).toThrow(/cyclic/);
  });
});
