// The time a record holds only while it is in a state: a lesson's `starts_time` is set while it is
// booked and empty in the drafts lessons start as. Booking it with the call's `slot_time` writes that
// time; unbooking it (back to draft) empties it again; `created_time`, held in every state, is left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const lesson = (id: string, status: string, starts_time: string) => ({
  id,
  topic: `Topic ${id}`,
  status,
  created_time: "2025-01-02T10:00:00Z",
  starts_time,
});
const data = {
  lessons: Object.fromEntries(
    [
      lesson("l1", "draft", ""),
      lesson("l2", "draft", ""),
      lesson("l3", "draft", ""),
      lesson("l4", "booked", "2025-02-01T09:00:00Z"),
      lesson("l5", "booked", "2025-02-03T09:00:00Z"),
    ].map((l) => [l.id, l]),
  ),
};
const tools = [
  toolSpec(
    "book_lesson",
    { lesson_id: { type: "string" }, slot_time: { type: "string", description: "When it takes place." } },
    ["lesson_id", "slot_time"],
    "Book a lesson.",
  ),
  toolSpec("unbook_lesson", { lesson_id: { type: "string" } }, ["lesson_id"], "Unbook a lesson."),
];

describe("times a record holds only in a state", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("writes the call's time when the record enters the state and empties it when it goes back", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "book_lesson", arguments: { lesson_id: "l1", slot_time: "2025-03-05T14:00:00Z" } },
      { tool: "unbook_lesson", arguments: { lesson_id: "l4" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const lessons = state.lessons as Record<string, { status: string; starts_time: string; created_time: string }>;
    expect(lessons.l1).toMatchObject({ status: "booked", starts_time: "2025-03-05T14:00:00Z", created_time: "2025-01-02T10:00:00Z" });
    expect(lessons.l4).toMatchObject({ status: "draft", starts_time: "", created_time: "2025-01-02T10:00:00Z" });
  });
});
