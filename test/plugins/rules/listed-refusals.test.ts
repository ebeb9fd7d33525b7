// A list of states a call refuses, one clause each: "Refused when the book is already laminated, a
// repair is requested or approved, or the copy is already lent (or lost)": a field the data leaves
// empty on some records (`lamination`), the values of the field named after the noun
// (`repair_status`), the record's states; on a lending library.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const book = (id: string, status: string, lamination: string | null, repair_status: string | null) => ({
  id,
  status,
  lamination,
  repair_status,
});
const data = {
  books: {
    bk_1: book("bk_1", "shelved", null, null),
    bk_2: book("bk_2", "shelved", "matte", null),
    bk_3: book("bk_3", "shelved", null, "requested"),
    bk_4: book("bk_4", "lent", null, null),
    bk_5: book("bk_5", "lost", null, "approved"),
    bk_6: book("bk_6", "shelved", null, "rejected"),
    bk_7: book("bk_7", "lent", "gloss", null),
    bk_8: book("bk_8", "lost", "matte", null),
    bk_9: book("bk_9", "shelved", null, null),
  },
};

const tools = [
  toolSpec(
    "laminate_book",
    { book_id: { type: "string", description: "The book." }, lamination: { type: "string", description: 'The finish, e.g. "matte".' } },
    ["book_id", "lamination"],
    "Laminates a book's cover; lamination is set to the given one. Refused when the book is already laminated, a repair is requested or approved, or the copy is already lent (or lost). Returns the Book.",
  ),
];

describe("a list of refused states", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses each listed state and lets the others through", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const calls = ["bk_1", "bk_2", "bk_3", "bk_4", "bk_5", "bk_6"].map((id) => ({
      tool: "laminate_book",
      arguments: { book_id: id, lamination: "gloss" },
    }));
    const { outcomes } = await env.run(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, false, false, true]);
  });
});
