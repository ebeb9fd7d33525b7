// "Read-only folders refuse any change": where the data marks folders by an access field
// (`permission: "viewer"` beside "editor" and "owner"), a call that writes into a folder the
// arguments name, or into a document of one, is refused; editable folders take the change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const data = {
  folders: {
    fd_1: { id: "fd_1", title: "Recipes", permission: "owner" },
    fd_2: { id: "fd_2", title: "Club minutes", permission: "editor" },
    fd_3: { id: "fd_3", title: "Town notices", permission: "viewer" },
  },
  documents: {
    doc_1: { id: "doc_1", folder_id: "fd_1", title: "Bread", body: "flour" },
    doc_2: { id: "doc_2", folder_id: "fd_3", title: "Road works", body: "Main St" },
  },
};
const tools = [
  toolSpec(
    "create_document",
    { folder_id: S("Folder id."), title: S("Title."), body: S("Text.") },
    ["folder_id", "title"],
    "Create a document.",
  ),
  toolSpec(
    "update_document",
    { folder_id: S("Folder id."), document_id: S("Document id."), body: S("New text.") },
    ["folder_id", "document_id"],
    "Change a document's text.",
  ),
  toolSpec("rename_folder", { folder_id: S("Folder id."), title: S("New title.") }, ["folder_id", "title"], "Rename a folder."),
];

describe("records a text calls read-only", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses writes into a read-only folder and lets editable ones change", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Shared folders are listed. Read-only folders refuse any change.");
    const { outcomes, state } = await env.run([
      { tool: "create_document", arguments: { folder_id: "fd_3", title: "Fair" } },
      { tool: "update_document", arguments: { folder_id: "fd_3", document_id: "doc_2", body: "closed" } },
      { tool: "rename_folder", arguments: { folder_id: "fd_3", title: "Notices" } },
      { tool: "create_document", arguments: { folder_id: "fd_2", title: "June" } },
      { tool: "update_document", arguments: { folder_id: "fd_1", document_id: "doc_1", body: "rye" } },
      { tool: "rename_folder", arguments: { folder_id: "fd_1", title: "Cooking" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, true, true, true]);
    expect((state.documents as Record<string, unknown>).doc_2).toEqual(data.documents.doc_2);
    expect((state.folders as Record<string, unknown>).fd_3).toEqual(data.folders.fd_3);
  });

  it("refuses nothing when no text says so", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Shared folders are listed.");
    const { outcomes } = await env.run([{ tool: "rename_folder", arguments: { folder_id: "fd_3", title: "Notices" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
  });
});
