// "Meetups hosted by someone else cannot be edited unless the host let attendees edit the meetup":
// where the data marks the account's own role by a person struct with `self: true`, an edit of a
// meetup whose host is someone else is refused, unless its flag (`attendeesCanEdit`) grants it;
// deleting one is no edit, and goes through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const data = {
  meetups: {
    mt_1: { id: "mt_1", title: "Board games", host: { email: "me@example.org", self: true }, status: "planned" },
    mt_2: { id: "mt_2", title: "Hill walk", host: { email: "ana@example.org", name: "Ana" }, status: "planned" },
    mt_3: { id: "mt_3", title: "Pottery", host: { email: "lee@example.org", name: "Lee" }, attendeesCanEdit: true, status: "planned" },
    mt_4: { id: "mt_4", title: "Choir", host: { email: "me@example.org", self: true }, status: "planned" },
  },
};
const tools = [
  toolSpec("update_meetup", { meetup_id: S("Meetup id."), title: S("New title.") }, ["meetup_id", "title"], "Change a meetup's title."),
  toolSpec("delete_meetup", { meetup_id: S("Meetup id.") }, ["meetup_id"], "Delete a meetup from the list."),
];
const policy = "Meetups hosted by someone else cannot be edited unless the host let attendees edit the meetup.";

describe("records someone else holds the pen for", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses an edit of another host's meetup unless it lets attendees edit, and lets a delete through", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "update_meetup", arguments: { meetup_id: "mt_2", title: "Ridge walk" } },
      { tool: "update_meetup", arguments: { meetup_id: "mt_3", title: "Clay night" } },
      { tool: "update_meetup", arguments: { meetup_id: "mt_1", title: "Card games" } },
      { tool: "delete_meetup", arguments: { meetup_id: "mt_2" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true, true]);
    expect((state.meetups as Record<string, { title: string }>).mt_3?.title).toBe("Clay night");
  });

  it("lets any edit through when no text says so", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Meetups are listed by date.");
    const { outcomes } = await env.run([{ tool: "update_meetup", arguments: { meetup_id: "mt_2", title: "Ridge walk" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
  });
});
