// A record that wraps a record of another table until it goes out: a posting whose `letter` holds
// what the letters table's records hold, its key among it. Sending the posting makes the letter a
// record of its own table, under its own key, and the posting is gone; a tool that only edits a posting
// leaves both where they are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const data = {
  letters: {
    L100: { id: "L100", to: "aunt.may@example.org", text: "Thanks for the scarf.", folder: "sent" },
    L101: { id: "L101", to: "club@example.org", text: "Count me in.", folder: "sent" },
  },
  postings: {
    d1: { id: "d1", letter: { id: "L098", to: "grandpa@example.org", text: "See you Sunday.", folder: "postings" } },
    d2: { id: "d2", letter: { id: "L099", to: "vet@example.org", text: "Booking for Rex.", folder: "postings" } },
  },
};
const tools = [
  toolSpec("send_posting", { id: S("Posting id.") }, ["id"], "Send a pending posting by its posting id."),
  toolSpec("update_posting", { id: S("Posting id."), note: S("A note.") }, ["id"], "Edit a posting."),
  toolSpec(
    "create_posting",
    { to: S("Recipient."), text: S("Letter text.") },
    ["to", "text"],
    "Save a posting of a letter without sending it.",
  ),
];

describe("records a posting wraps", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("makes the wrapped letter a letter under its own key, and the posting is gone", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([{ tool: "send_posting", arguments: { id: "d1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.letters as Record<string, unknown>).L098).toEqual(data.postings.d1.letter);
    expect(Object.keys(state.postings as object)).toEqual(["d2"]);
  });

  it("keys a new posting's letter as letters are keyed, so that sending it files it under that key", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([{ tool: "create_posting", arguments: { to: "nan@example.org", text: "Hello!" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const made = Object.values(state.postings as Record<string, { id: string; letter: { id: string } }>).find(
      (d) => d.id !== "d1" && d.id !== "d2",
    );
    expect(made?.letter.id).toBe("L102");
    const sent = await env.run([
      { tool: "create_posting", arguments: { to: "nan@example.org", text: "Hello!" } },
      { tool: "send_posting", arguments: { id: made?.id } },
    ]);
    expect(sent.outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(Object.keys(sent.state.letters as object)).toContain("L102");
  });

  it("moves nothing on a tool that does not send", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { state } = await env.run([{ tool: "update_posting", arguments: { id: "d2", note: "later" } }]);
    expect(Object.keys(state.letters as object).sort()).toEqual(["L100", "L101"]);
    expect(Object.keys(state.postings as object).sort()).toEqual(["d1", "d2"]);
  });
});
