// A text field the data writes as another field behind a fixed prefix (`page_url` is
// "https://shelf.example/" + `isbn` in every record): a new record's is written the same way.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const book = (id: string, isbn: string, url: string) => ({ id, isbn, title: `T${id}`, page_url: url });
const spec = toolSpec(
  "add_book",
  { isbn: { type: "string", description: "The ISBN." }, title: { type: "string", description: "The title." } },
  ["isbn", "title"],
  "Adds a Book to the shelf. Returns the Book.",
);
const fieldsOf = (data: DomainState) => {
  const service = deriveRules("d", [spec], inferTables(data), data, null).tools[0]?.service as ServiceModel | undefined;
  return service?.fields ?? {};
};

describe("a field written as another behind a prefix", () => {
  it("writes the new record's from its own value of the other field", () => {
    const data: DomainState = {
      books: {
        b71: book("b71", "9780001", "https://shelf.example/9780001"),
        b82: book("b82", "9780002", "https://shelf.example/9780002"),
        b93: book("b93", "9780003", "https://shelf.example/9780003"),
      },
    };
    expect(fieldsOf(data).page_url).toEqual({
      kind: "concat",
      parts: [
        { kind: "constant", value: "https://shelf.example/" },
        { kind: "parameter", name: "isbn" },
      ],
    });
  });

  it("leaves a field alone when the records do not all write it so", () => {
    const data: DomainState = {
      books: {
        b71: book("b71", "9780001", "https://shelf.example/9780001"),
        b82: book("b82", "9780002", "https://other.example/9780002"),
        b93: book("b93", "9780003", "https://shelf.example/9780003"),
      },
    };
    expect(fieldsOf(data).page_url?.kind).not.toBe("concat");
  });
});
