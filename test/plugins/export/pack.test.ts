// Packing CPT records into sequences of a token budget.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { pack } from "../../../plugins/export/pack.ts";

describe("packing", () => {
  it("cuts a document longer than a sequence at token boundaries and keeps every sequence within the limit", () => {
    const long = { id: "long", text: Array.from({ length: 400 }, (_, i) => `word${i} of a long document.`).join(" ") };
    const docs = [long, { id: "a", text: "short one" }, { id: "b", text: "another short one" }];
    const sequences = pack(docs, new Map(docs.map((d) => [d.id, countTokens(d.text)])), 512, "t");
    for (const s of sequences) {
      expect(s.tokens).toBeLessThanOrEqual(512);
      expect(countTokens(s.text)).toBe(s.tokens);
    }
    const parts = sequences.flatMap((s) => s.documents);
    expect(parts.filter((p) => p.startsWith("long@")).length).toBeGreaterThan(2);
    expect(parts).toContain("a");
    expect(parts).toContain("b");
  });
});
