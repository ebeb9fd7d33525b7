// Values for parameters a catalog constrains by a pattern rather than a format
// (`"pattern": "^\\d{4}-\\d{2}-\\d{2}$"` for a date): a valid call must match it, or the tool's own
// validation refuses every call and its tasks and cases are lost.
import { describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { conform, fieldOf, sampleFromSchema } from "../../../lib/domain-model/json-schema.ts";

const clock = "2025-09-18T10:00:00Z";

describe("parameters constrained by a pattern", () => {
  it("reads a date-only pattern as a date and samples one", () => {
    const schema = { type: "string", description: "New arrival date.", pattern: "^\\d{4}-\\d{2}-\\d{2}$" };
    expect(fieldOf(schema).format).toBe("date");
    const value = sampleFromSchema("arrival", schema, Rng.forRun(1), clock);
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("bends a value that does not match to one that does: digits, codes, times", () => {
    const rng = Rng.forRun(2);
    expect(conform("maple-331", { type: "string", pattern: "^[0-9]{6}$" }, "pin", rng, clock)).toMatch(/^[0-9]{6}$/);
    expect(conform("maple-331", { type: "string", pattern: "^[A-Z]{3}$" }, "airport", rng, clock)).toMatch(/^[A-Z]{3}$/);
    expect(conform("x", { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$" }, "at", rng, clock)).toMatch(
      /T10:00:00Z$/,
    );
    // A value that matches stays; a pattern that cannot be compiled leaves the value as it is.
    expect(conform("ABC", { type: "string", pattern: "^[A-Z]{3}$" }, "airport", rng, clock)).toBe("ABC");
    expect(conform("maple-331", { type: "string", pattern: "([" }, "code", rng, clock)).toBe("maple-331");
  });
});
