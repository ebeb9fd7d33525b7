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

  it("sets a time named for the act to now when the record enters the state it leads to", async () => {
    // Most records are aired (the first state the data shows), drafts hold no `aired`, pulled ones
    // keep theirs (so no state alone holds it): airing a draft sets it now.
    const shows = {
      episodes: {
        e1: { id: "e1", title: "Reef", status: "aired", aired: "2025-01-03T20:00:00Z" },
        e2: { id: "e2", title: "Kelp", status: "aired", aired: "2025-01-10T20:00:00Z" },
        e3: { id: "e3", title: "Tide", status: "draft", aired: null },
        e4: { id: "e4", title: "Gale", status: "pulled", aired: "2025-01-05T20:00:00Z" },
      },
    };
    const air = toolSpec("air_episode", { episode_id: { type: "string" } }, ["episode_id"], "Air a draft episode (status becomes aired).");
    const env = await serviceEnvironment(sandbox, [air], shows, "The current time is 2025-02-01T12:00:00Z.");
    const { outcomes, state } = await env.run([{ tool: "air_episode", arguments: { episode_id: "e3" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.episodes as Record<string, { aired: string | null }>).e3?.aired).toBe("2025-02-01T12:00:00Z");
  });
});
