// Records an array argument names under the role its description gives them ("Source card ids to
// fold into the target"), on small data of our own: "the source's state becomes archived" and "a
// note by the author is added to the source" act on each record the array names (not on the
// tool's own record), "… added to the target" on the tool's own record, and the notes take their
// ids from the counter the data keeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

const note = (id: number, author_id: number, body: string) => ({ id, author_id, body, created_at: "2025-04-01T10:00:00Z" });
const board = () => ({
  cards: {
    "71": { id: 71, title: "Login fails", state: "open", notes: [note(901, 5, "first")], updated_at: "2025-04-01T10:00:00Z" },
    "72": { id: 72, title: "Cannot log in", state: "open", notes: [note(902, 5, "again")], updated_at: "2025-04-01T10:00:00Z" },
    "73": { id: 73, title: "Export", state: "archived", notes: [note(903, 6, "csv")], updated_at: "2025-04-01T10:00:00Z" },
  },
  people: { "5": { id: 5, name: "Ana" }, "6": { id: 6, name: "Bo" } },
  settings: { next_note_id: 904 },
});

const combine = toolSpec(
  "combine_cards",
  {
    card_id: { type: "integer", description: "Target card that stays open, e.g. 71" },
    ids: { type: "array", items: { type: "integer" }, description: "Source card ids to fold into the target, e.g. [72]" },
    author_id: { type: "integer", description: "Person doing it" },
  },
  ["card_id", "ids", "author_id"],
  "Combine source cards into a target card. For each source, in the order given: (1) a note by the author is added to the source and the source's state becomes archived; (2) a note by the author is added to the target. updated_at of every card involved is set to now. Returns the target.",
);

describe("records an array names by role", () => {
  it("archives and notes each source, notes the target, and numbers the notes from the counter", async () => {
    const env = await serviceEnvironment(sandbox, [combine], board(), "The current time is 2025-05-02T09:00:00Z.");
    const { outcomes, state } = await env.run([{ tool: "combine_cards", arguments: { card_id: 71, ids: [72], author_id: 6 } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const cards = state.cards as Record<string, { state: string; notes: { id: number; author_id: number }[] }>;
    expect(cards["72"]?.state).toBe("archived");
    expect(cards["71"]?.state).toBe("open");
    expect(cards["72"]?.notes.map((n) => [n.id, n.author_id])).toEqual([
      [902, 5],
      [904, 6],
    ]);
    expect(cards["71"]?.notes.map((n) => [n.id, n.author_id])).toEqual([
      [901, 5],
      [905, 6],
    ]);
    expect(cards["73"]?.notes).toHaveLength(1);
    expect((state.settings as { next_note_id: number }).next_note_id).toBe(906);
  });
});
