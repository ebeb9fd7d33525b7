// A record that lies in another (a card on a board, by the `boardId` every card holds) changes its
// container too when the data shows the container's last-change stamp moving with its contents
// (boards stamped, to the second, with their newest card's stamp, changed since both were made):
// adding or editing a card moves its board's stamp. A patch whose fields are each written only when given moves the stamp on any
// of them, not only on the first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const followed = {
  boards: {
    b1: { id: "b1", name: "Garden", updatedAt: "2025-02-03T10:15:42.000Z" },
    b2: { id: "b2", name: "Kitchen", updatedAt: "2025-02-01T08:00:07.000Z" },
  },
  cards: {
    c1: { id: "c1", boardId: "b1", title: "Prune roses", body: "", updatedAt: "2025-01-20T09:00:00.000Z" },
    c2: { id: "c2", boardId: "b1", title: "Buy seeds", body: "tomato", updatedAt: "2025-02-03T10:15:42.000Z" },
    c3: { id: "c3", boardId: "b2", title: "Fix tap", body: "", updatedAt: "2025-02-01T08:00:07.000Z" },
  },
};
const tools = [
  toolSpec("add_card", { boardId: S("Board id."), title: S("Card title.") }, ["boardId", "title"], "Add a card to a board."),
  toolSpec(
    "edit_card",
    { cardId: S("Card id."), title: S("New title."), body: S("New body.") },
    ["cardId"],
    "Change some fields of a card.",
  ),
];
const policy = "Today is 2025-03-05 and the time is 14:30 UTC.";
const NOW = "2025-03-05T14:30:00.000Z";

type Records = Record<string, Record<string, unknown>>;

describe("a container's stamp that follows its contents", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("moves the card's stamp and its board's on an edit of any one field", async () => {
    const env = await serviceEnvironment(sandbox, tools, followed, policy);
    const { outcomes, state } = await env.run([{ tool: "edit_card", arguments: { cardId: "c3", body: "washer" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.cards as Records).c3).toMatchObject({ body: "washer", updatedAt: NOW });
    expect((state.boards as Records).b2?.updatedAt).toBe(NOW);
    expect((state.boards as Records).b1).toEqual(followed.boards.b1);
  });

  it("moves the board's stamp when a card is added to it", async () => {
    const env = await serviceEnvironment(sandbox, tools, followed, policy);
    const { outcomes, state } = await env.run([{ tool: "add_card", arguments: { boardId: "b1", title: "Mulch" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.boards as Records).b1?.updatedAt).toBe(NOW);
    expect((state.boards as Records).b2).toEqual(followed.boards.b2);
  });

  it("leaves the board alone when the data's board stamps do not follow their cards", async () => {
    const unrelated = {
      ...followed,
      boards: {
        b1: { id: "b1", name: "Garden", updatedAt: "2024-11-03T10:00:00.000Z" },
        b2: { id: "b2", name: "Kitchen", updatedAt: "2024-12-01T08:30:00.000Z" },
      },
    };
    const env = await serviceEnvironment(sandbox, tools, unrelated, policy);
    const { state } = await env.run([
      { tool: "edit_card", arguments: { cardId: "c3", body: "washer" } },
      { tool: "add_card", arguments: { boardId: "b1", title: "Mulch" } },
    ]);
    expect((state.cards as Records).c3?.updatedAt).toBe(NOW);
    expect(state.boards).toEqual(unrelated.boards);
  });

  it("reads nothing from boards made with their cards and never changed since", async () => {
    const made = (r: Record<string, unknown>) => ({ ...r, createdAt: r.updatedAt });
    const untouched = {
      boards: Object.fromEntries(Object.entries(followed.boards).map(([k, r]) => [k, made(r)])),
      cards: Object.fromEntries(Object.entries(followed.cards).map(([k, r]) => [k, made(r)])),
    };
    const env = await serviceEnvironment(sandbox, tools, untouched, policy);
    const { state } = await env.run([{ tool: "edit_card", arguments: { cardId: "c3", body: "washer" } }]);
    expect((state.cards as Records).c3?.updatedAt).toBe(NOW);
    expect(state.boards).toEqual(untouched.boards);
  });
});
