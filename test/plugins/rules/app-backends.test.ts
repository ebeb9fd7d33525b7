// A backend of several apps, as assistants' catalogs write them: tool names led by their app
// (`notes_list_notes`, `notes_modify_note`), a session kept as a flag that one tool sets and clears
// by an `action` argument ("every other tool needs a logged-in session"), list parameters named for
// what they do to a record's list (`addTagIds`, `removeTagIds`), a record named by a bare `id`, a
// word said in place of a key ("Folder id, or @default."), an owner's key in camelCase that is a
// check and not a move, and a clock said in local time with its UTC time in brackets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockOf } from "../../../lib/service-tools/clock.ts";
import { signInSetup } from "../../../lib/service-tools/sign-in-call.ts";
import { nameWords } from "../../../lib/service-tools/tool-text.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const A = (description: string) => ({ type: "array", items: { type: "string" }, description });

const data = {
  session: { user: "kit@example.org", loggedIn: false, lastLoginTime: "2025-03-01T10:00:00Z", lastLogoutTime: "2025-03-01T12:00:00Z" },
  folders: {
    f1: { id: "f1", name: "Inbox", isDefault: true },
    f2: { id: "f2", name: "Archive", isDefault: false },
  },
  notes: {
    n1: { id: "n1", folderId: "f1", title: "Groceries", tagIds: ["t1"] },
    n2: { id: "n2", folderId: "f2", title: "Trip", tagIds: [] },
    n3: { id: "n3", folderId: "f1", title: "Books", tagIds: ["t1", "t2"] },
  },
  tags: {
    t1: { id: "t1", name: "home" },
    t2: { id: "t2", name: "work" },
  },
};
const tools = [
  toolSpec(
    "auth_session",
    { action: { type: "string", enum: ["log_in", "log_out"] }, email: S("Account address, needed to log in.") },
    ["action"],
    "Log the notebook account in or out. Every other tool needs a logged-in session.",
  ),
  toolSpec("notes_list_notes", { folderId: S("Folder id."), q: S("Words to look for.") }, [], "List notes, newest first."),
  toolSpec(
    "notes_modify_note",
    { id: S("The note's id."), addTagIds: A("Tags to put on."), removeTagIds: A("Tags to take off.") },
    ["id"],
    "Add or remove tags on one note.",
  ),
  toolSpec(
    "notes_patch_note",
    { folderId: S("Folder id, or @default."), noteId: S("Note id."), title: S("New title.") },
    ["folderId", "noteId"],
    "Change some fields of a note.",
  ),
];
const policy = "Today is Monday 2025-03-03, 08:00 Mountain Time (15:00 UTC).";

describe("a backend of several apps", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("reads the verb after the app's name, and the object before a verb that ends the name", () => {
    expect(nameWords("mail_send_message")).toEqual(["send", "message"]);
    expect(nameWords("tasks_list")).toEqual(["list", "tasks"]);
    expect(nameWords("payment_method_add")).toEqual(["add", "payment", "method"]);
    expect(nameWords("cancel_order")).toEqual(["cancel", "order"]);
    expect(nameWords("auth_session")).toEqual(["auth", "session"]);
  });

  it("takes the clock from the time whose zone it knows", () => {
    expect(clockOf(policy)).toBe("2025-03-03T15:00:00Z");
    expect(clockOf("Today is 2025-03-03, 10:30 UTC.")).toBe("2025-03-03T10:30:00Z");
  });

  it("signs in and out on the session's flag, and refuses every other tool while logged out", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "notes_list_notes", arguments: {} },
      { tool: "auth_session", arguments: { action: "log_in", email: "someone@example.org" } },
      { tool: "auth_session", arguments: { action: "log_in", email: "kit@example.org" } },
      { tool: "notes_list_notes", arguments: { q: "Trip" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true, true]);
    expect(state.session).toMatchObject({ loggedIn: true, lastLoginTime: "2025-03-03T15:00:00Z", lastLogoutTime: "2025-03-01T12:00:00Z" });
    // A listing changes nothing: no note was made by it.
    expect(Object.keys(state.notes as object)).toEqual(["n1", "n2", "n3"]);
    const out = await env.run([
      { tool: "auth_session", arguments: { action: "log_in", email: "kit@example.org" } },
      { tool: "auth_session", arguments: { action: "log_out" } },
      { tool: "notes_list_notes", arguments: {} },
    ]);
    expect(out.outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    // The clock moves a second a call within an episode.
    expect(out.state.session).toMatchObject({ loggedIn: false, lastLogoutTime: expect.stringMatching(/^2025-03-03T15:00:0\dZ$/) });
  });

  it("signs in first, in verification and in generated tasks, with the session's own account", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const list = env.rules.tools.find((t) => t.tool === "notes_list_notes");
    const setup = list ? signInSetup(list, env.rules.tools, { session: { current: data.session } }, (tool) => tool) : null;
    expect(setup).toEqual({ tool: "auth_session", arguments: { action: "log_in", email: "kit@example.org" } });
  });

  it("takes values out of a list and puts others in, each once, on the record a bare id names", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "auth_session", arguments: { action: "log_in", email: "kit@example.org" } },
      { tool: "notes_modify_note", arguments: { id: "n1", addTagIds: ["t2", "t1"] } },
      { tool: "notes_modify_note", arguments: { id: "n3", removeTagIds: ["t1"] } },
      { tool: "notes_modify_note", arguments: { id: "n9", addTagIds: ["t1"] } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
    const notes = state.notes as Record<string, { tagIds: string[] }>;
    expect(notes.n1?.tagIds).toEqual(["t1", "t2"]);
    expect(notes.n3?.tagIds).toEqual(["t2"]);
    expect(notes.n2?.tagIds).toEqual([]);
  });

  it("resolves a word said in place of a key, and checks an owner's key without moving the record", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "auth_session", arguments: { action: "log_in", email: "kit@example.org" } },
      { tool: "notes_patch_note", arguments: { folderId: "@default", noteId: "n1", title: "Groceries for Sunday" } },
      { tool: "notes_patch_note", arguments: { folderId: "f2", noteId: "n3", title: "Moved?" } },
      { tool: "notes_patch_note", arguments: { folderId: "f2", noteId: "n2", title: "Trip to Lisbon" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true]);
    const notes = state.notes as Record<string, { folderId: string; title: string }>;
    expect(notes.n1).toMatchObject({ folderId: "f1", title: "Groceries for Sunday" });
    expect(notes.n3).toMatchObject({ folderId: "f1", title: "Books" });
    expect(notes.n2).toMatchObject({ folderId: "f2", title: "Trip to Lisbon" });
  });
});

describe("states and keys of such backends", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const chores = {
    chores: {
      "9007199254740993001": { id: "9007199254740993001", title: "Water plants", state: "open" },
      "9007199254740993002": { id: "9007199254740993002", title: "Fix tap", state: "done", finished: "2025-03-01T10:00:00Z" },
      "9007199254740993003": { id: "9007199254740993003", title: "Old chore", state: "dropped" },
    },
  };
  const choreTools = [
    toolSpec("add_chore", { title: S("What to do.") }, ["title"], "Add a chore."),
    toolSpec(
      "patch_chore",
      { chore: S("Chore id."), state: { type: "string", enum: ["open", "done"] } },
      ["chore"],
      "Change a chore's state.",
    ),
    toolSpec("delete_chore", { chore: S("Chore id.") }, ["chore"], "Delete (drop) a chore."),
  ];

  it("keys past a double's precision count on exactly; a state an argument sets stamps the time records in it hold; a delete said as another act keeps the record in that state", async () => {
    const env = await serviceEnvironment(sandbox, choreTools, chores, "Today is 2025-03-03, 15:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "add_chore", arguments: { title: "Sweep" } },
      { tool: "patch_chore", arguments: { chore: "9007199254740993001", state: "done" } },
      { tool: "delete_chore", arguments: { chore: "9007199254740993002" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const rows = state.chores as Record<string, { state: string; finished?: string; title: string }>;
    expect(rows["9007199254740993004"]?.title).toBe("Sweep");
    expect(rows["9007199254740993001"]).toMatchObject({ state: "done", finished: expect.stringMatching(/^2025-03-03T15:00:0\dZ$/) });
    expect(rows["9007199254740993002"]?.state).toBe("dropped");
  });
});

describe("an update by a field mask", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("writes only the fields the mask names, each from the partial record given", async () => {
    const data = {
      profiles: {
        p1: { id: "p1", displayName: "Ines", bio: "Potter", city: "Porto" },
        p2: { id: "p2", displayName: "Tom", bio: "Baker", city: "Leeds" },
      },
    };
    const tools = [
      toolSpec(
        "update_profile",
        {
          profile_id: S("Profile id."),
          profile: { type: "object", properties: { displayName: S("Name"), bio: S("Bio"), city: S("City") } },
          updateMask: S("Comma-separated names of the fields to change."),
        },
        ["profile_id", "profile", "updateMask"],
        "Update a profile; only the fields named in updateMask change.",
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "update_profile", arguments: { profile_id: "p1", profile: { bio: "Ceramicist", city: "Lisbon" }, updateMask: "bio" } },
      {
        tool: "update_profile",
        arguments: { profile_id: "p2", profile: { displayName: "Thomas", city: "York" }, updateMask: "displayName,city" },
      },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const rows = state.profiles as Record<string, Record<string, string>>;
    expect(rows.p1).toEqual({ id: "p1", displayName: "Ines", bio: "Ceramicist", city: "Porto" });
    expect(rows.p2).toEqual({ id: "p2", displayName: "Thomas", bio: "Baker", city: "York" });
  });
});

describe("a replacement, not a patch", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("empties the fields a call leaves out when the description says they go back to their defaults", async () => {
    const data = { greeting: { enabled: true, subject: "Closed Monday", body: "Back Tuesday.", signed: true } };
    const tools = [
      toolSpec(
        "put_greeting",
        { enabled: { type: "boolean" }, subject: S("Subject"), body: S("Text"), signed: { type: "boolean" } },
        ["enabled"],
        "Replace the away greeting (fields left out go back to their defaults).",
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([{ tool: "put_greeting", arguments: { enabled: true, body: "Away all week." } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(state.greeting).toEqual({ enabled: true, subject: "", body: "Away all week.", signed: false });
  });

  it("removes a time the call leaves out (a Unix time in text has no empty value)", async () => {
    const data = { greeting: { enabled: false, body: "Closed Monday.", from: "1745046000000", until: "1745823600000" } };
    const tools = [
      toolSpec(
        "put_greeting",
        { enabled: { type: "boolean" }, body: S("Text"), from: S("Start, epoch ms."), until: S("End, epoch ms.") },
        ["enabled"],
        "Replace the away greeting (fields left out go back to their defaults).",
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([{ tool: "put_greeting", arguments: { enabled: true, from: "1749538800000" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(state.greeting).toEqual({ enabled: true, body: "", from: "1749538800000" });
  });
});
