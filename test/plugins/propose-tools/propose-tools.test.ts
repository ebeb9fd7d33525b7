import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeCandidates } from "../../../lib/contracts/tool-candidates.ts";
import { expandSketch } from "../../../plugins/propose-tools/expand.ts";
import { SKETCH_DIR, shippedSketch } from "../../../plugins/propose-tools/index.ts";
import { readSketch } from "../../../plugins/propose-tools/sketch.ts";
import { inferDomainSchema } from "../../../plugins/schema/infer.ts";
import { failure, runCli, tempDir } from "../../support/helpers.ts";

describe("domain sketches", () => {
  it("expand into read and write tools with pre- and postconditions, which schema inference reads back", async () => {
    const sketch = await readSketch(join(SKETCH_DIR, "pet-clinic.yaml"));
    const { tools, rejected } = normalizeCandidates(expandSketch(sketch, "pet-clinic.yaml"));
    expect(rejected).toEqual([]);
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "create_pet",
        "get_pet",
        "list_pets",
        "update_pet",
        "delete_pet",
        "create_appointment",
        "cancel_appointment",
        "complete_appointment",
        "create_vet",
        "list_vets",
      ]),
    );
    expect(names).not.toContain("delete_appointment");
    expect(names).not.toContain("update_vet");
    const cancel = tools.find((t) => t.name === "cancel_appointment");
    expect(cancel?.description).toBe(
      "Cancel an appointment. Preconditions: the appointment exists and is not cancelled or completed. Postconditions: its status is cancelled.",
    );
    const createPet = tools.find((t) => t.name === "create_pet");
    expect(createPet?.parameters).toMatchObject({
      required: ["name", "species", "owner_id"],
      properties: { species: { enum: ["dog", "cat", "rabbit", "bird", "reptile"] }, owner_id: { type: "string" } },
    });
    expect(createPet?.description).toMatch(/Preconditions: the owner owner_id exists/);

    const schema = inferDomainSchema("pet-clinic", tools);
    const appointments = schema.tables.find((t) => t.name === "appointments");
    expect(appointments?.status?.values).toEqual(["active", "confirmed", "cancelled", "completed"]);
    expect(schema.tools.find((t) => t.tool === "complete_appointment")).toMatchObject({
      operation: "set-status",
      status: { to: "completed" },
    });
    expect(schema.tables.find((t) => t.name === "pets")?.fields.find((f) => f.name === "owner_id")?.references).toBe("owners");
  });

  it("say what is wrong and where", async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const dangling = await failure(readSketch(write("a.yaml", "domain: a\nentities:\n  pet:\n    fields:\n      owner: { ref: owner }\n")));
    expect(dangling.code).toBe("E_INPUT_UNREADABLE");
    expect(dangling.message).toMatch(/a\.yaml: entities\.pet\.fields\.owner refers to "owner", which is not an entity of the sketch/);
    const badYaml = await failure(readSketch(write("b.yaml", "domain: b\nentities: [unclosed\n")));
    expect(badYaml.message).toMatch(/b\.yaml is not valid YAML/);
    const badField = await failure(
      readSketch(write("c.json", JSON.stringify({ domain: "c", entities: { pet: { fields: { age: "years" } } } }))),
    );
    expect(badField.message).toMatch(/c\.json: at entities\.pet\.fields\.age/);
    const empty = await failure(readSketch(write("d.yaml", "domain: d\nentities: {}\n")));
    expect(empty.message).toMatch(/a sketch needs at least one entity/);
    expect((await readSketch(write("named-by-file.yaml", "entities:\n  thing:\n    fields: { label: string }\n"))).domain).toBe(
      "named-by-file",
    );
  });

  it("ship for the offline themes", async () => {
    expect(await shippedSketch("Pet Clinic")).toBe(join(SKETCH_DIR, "pet-clinic.yaml"));
    expect(await shippedSketch("job seeking")).toBe(join(SKETCH_DIR, "job-seeking.yaml"));
    expect(await shippedSketch("space travel")).toBeNull();
  });
});

describe("envscale run --theme / --sketch", () => {
  it("builds verified environments from a sketch, offline", async () => {
    const out = tempDir();
    const result = await runCli(["run", "--sketch", join(SKETCH_DIR, "library.json"), "--out", out], { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/propose-tools\s+ran/);
    expect(result.stdout).not.toMatch(/\ningest\s/);
    expect(result.stdout).toMatch(/verification: \d+ of \d+ tools kept \(pass rate \d+\.\d%\)/);
  }, 90_000);

  it("refuses a theme it cannot make offline, naming the sketches it has", async () => {
    const result = await runCli(["run", "--theme", "space travel", "--out", tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/offline, a theme needs a sketch: there is none for "space travel"/);
    expect(result.stderr).toMatch(/job-seeking/);
  });

  it("refuses themes together with catalogs, and an unknown --llm", async () => {
    const both = await runCli(["run", "--theme", "pet clinic", "examples/catalog"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--theme and --sketch make the catalog; give them or catalog files, not both/);
    const llm = await runCli(["run", "--llm", "telepathy"]);
    expect(llm.code).toBe(2);
    expect(llm.stderr).toMatch(/--llm must be offline, openai, replay:FILE or record:FILE/);
  });
});
