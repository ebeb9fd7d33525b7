// The ingest stage: every catalog format read into ToolSpecs; bad entries rejected with why and where.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EnvscaleError } from "../../../kernel/errors.ts";
import { runPipeline } from "../../../kernel/run.ts";
import type { AnyStage } from "../../../kernel/stage.ts";
import { normalizeParameters } from "../../../lib/contracts/json-schema-dialects.ts";
import { sanitizeName } from "../../../lib/contracts/tool-candidates.ts";
import type { RejectedEntry, ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import ingest from "../../../plugins/ingest/index.ts";
import { fixtures, tempDir } from "../../support/helpers.ts";

const catalogs = join(fixtures, "catalogs");

async function ingestFiles(...files: string[]): Promise<{ tools: ToolSpec[]; rejected: RejectedEntry[] }> {
  const dir = tempDir();
  await runPipeline({
    stages: [ingest as AnyStage],
    config: { stages: { ingest: { sources: files.map((f) => join(catalogs, f)) } } },
    runDir: dir,
    seed: 1,
  });
  const { readFileSync } = await import("node:fs");
  const lines = (file: string) =>
    readFileSync(join(dir, file), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  return { tools: lines("catalog.jsonl"), rejected: lines("rejected.jsonl") };
}

const byName = (tools: ToolSpec[], name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in ${tools.map((t) => t.name).join(", ")}`);
  return tool;
};

describe("ingest", () => {
  it("reads OpenAI tools and sanitises names that OpenAI does not allow", async () => {
    const { tools, rejected } = await ingestFiles("openai-tools.json");
    expect(rejected).toEqual([]);
    expect(tools.map((t) => t.name)).toEqual(["get_weather", "math_factorial", "requestFirst_Aid_Assistance"]);
    const factorial = byName(tools, "math_factorial");
    expect(factorial.original_name).toBe("math.factorial");
    expect(factorial.format).toBe("openai");
    expect(factorial.source).toEqual({ file: "openai-tools.json", line: 3, pointer: "/1" });
  });

  it("reads bare functions and {category, tool} lines, and rejects bad lines with their line numbers", async () => {
    const { tools, rejected } = await ingestFiles("functions.jsonl");
    expect(tools.map((t) => t.name)).toEqual(["list_pets", "adopt_pet"]);
    const adopt = byName(tools, "adopt_pet");
    expect(adopt.category).toBe("Pets");
    expect(adopt.meta?.subcategory).toBe("Adoption");
    // `required: true` on a property (draft 3) becomes the parent's required list; `str` becomes string.
    expect(adopt.parameters).toEqual({
      type: "object",
      properties: { pet_id: { type: "string" }, owner: { type: "string" } },
      required: ["pet_id"],
    });
    expect(adopt.returns).toEqual({ type: "object", properties: { adoption_id: { type: "string", description: "id" } } });
    expect(rejected.map((r) => [r.code, r.source.line, r.name ?? null])).toEqual([
      ["PARSE", 3, null],
      ["SHAPE", 4, null],
      ["SCHEMA", 5, "bad_pattern"],
      ["SCHEMA", 6, "bad_type"],
      ["SCHEMA", 7, "not_object"],
      ["NAME", 8, null],
    ]);
    expect(rejected[3]?.reason).toBe('parameters.properties.code.type "strng" is not a JSON Schema type');
    expect(rejected[4]?.reason).toBe('parameters must be a schema of type "object", got type "string"');
    expect(rejected[2]?.reason).toMatch(/^parameters do not compile as JSON Schema: /);
  });

  it("reads an MCP tools/list result, inputSchema and outputSchema included", async () => {
    const { tools } = await ingestFiles("mcp-result.json");
    expect(tools.map((t) => [t.name, t.format])).toEqual([
      ["read_note", "mcp"],
      ["write_note", "mcp"],
    ]);
    expect(byName(tools, "read_note").meta).toEqual({ annotations: { readOnlyHint: true } });
    expect(byName(tools, "write_note").returns).toEqual({ type: "object", properties: { saved: { type: "boolean" } } });
    expect(byName(tools, "write_note").source.pointer).toBe("/result/tools/1");
  });

  it("normalises BFCL's dict, float, tuple, any and Java types to JSON Schema", async () => {
    const { tools, rejected } = await ingestFiles("bfcl-entries.jsonl");
    expect(rejected).toEqual([]);
    const area = byName(tools, "geometry_area_circle");
    expect(area.format).toBe("bfcl");
    expect(area.source).toEqual({ file: "bfcl-entries.jsonl", line: 1, pointer: "/0/function/0" });
    expect(area.parameters).toEqual({
      type: "object",
      properties: {
        radius: { type: "number", description: "Radius" },
        units: { description: "Units" },
        point: { type: "array", items: { type: "number" } },
        options: { type: "object", properties: { precise: { type: "boolean" } } },
      },
      required: ["radius"],
    });
    expect(byName(tools, "Map_get").parameters.properties).toEqual({
      key: { type: "string" },
      values: { type: "array", items: { type: "integer" } },
      table: { type: "object" },
    });
  });

  it("turns every OpenAPI operation into a tool, resolving $refs, recursion and 3.0 keywords", async () => {
    const { tools, rejected } = await ingestFiles("petstore.openapi.yaml");
    expect(rejected).toEqual([]);
    expect(tools.map((t) => t.name)).toEqual(["getPet", "put_pets_petId", "plantTree", "listScores"]);
    const get = byName(tools, "getPet");
    expect(get.parameters).toEqual({
      type: "object",
      properties: { petId: { type: "string", description: "Id of the pet" }, fields: { type: ["string", "null"] } },
      required: ["petId"],
    });
    expect(get.returns?.properties).toEqual({ id: { type: "string" }, name: { type: "string" }, age: { type: ["integer", "null"] } });
    expect(get.category).toBe("pets");
    expect(get.meta).toEqual({ api: "Pet Store", method: "GET", path: "/pets/{petId}" });
    expect(get.source.line).toBe(7);
    expect(byName(tools, "put_pets_petId").parameters.properties).toEqual({
      petId: { type: "string", description: "Id of the pet" },
      body: { type: "array", items: { type: "string" } },
    });
    expect(byName(tools, "plantTree").parameters.properties).toEqual({
      label: { type: "string" },
      children: { type: "array", items: { description: "recursive schema (#/components/schemas/Node)" } },
    });
    expect(byName(tools, "listScores").parameters.properties).toEqual({ min: { type: "number", exclusiveMinimum: 0 } });
  });

  it("refuses Swagger 2.0 with a reason, and goes on with the other files", async () => {
    const { tools, rejected } = await ingestFiles("swagger2.json", "openai-tools.json");
    expect(tools).toHaveLength(3);
    expect(rejected).toEqual([
      {
        code: "UNSUPPORTED",
        reason: "only OpenAPI 3.x is supported, this document is Swagger 2.0 (convert it with swagger2openapi)",
        source: { file: "swagger2.json", line: 1, pointer: "" },
      },
    ]);
  });

  it("merges exact duplicates and numbers different tools whose names collide", async () => {
    const { tools, rejected } = await ingestFiles("duplicates.json");
    expect(tools.map((t) => [t.name, t.description])).toEqual([
      ["lookup", "Look something up."],
      ["lookup_2", "A different lookup."],
      ["look_up", "Yet another one."],
    ]);
    expect(rejected).toEqual([
      {
        code: "DUPLICATE",
        reason: 'exact duplicate of tool "lookup" (duplicates.json:2); merged into it',
        source: { file: "duplicates.json", line: 3, pointer: "/1" },
        name: "lookup",
      },
    ]);
  });

  it("stops with a clear error naming a file that is not JSON", async () => {
    const dir = tempDir();
    let error: EnvscaleError | undefined;
    try {
      await runPipeline({
        stages: [ingest as AnyStage],
        config: { stages: { ingest: { sources: [join(catalogs, "unreadable")] } } },
        runDir: dir,
        seed: 1,
      });
    } catch (caught) {
      error = caught as EnvscaleError;
    }
    expect(error?.code).toBe("E_INPUT_UNREADABLE");
    expect(error?.message).toMatch(/^catalog .*unreadable\/broken\.json is not valid JSON: /);
  });

  it("stops with a clear error naming a catalog that does not exist", async () => {
    let error: EnvscaleError | undefined;
    try {
      await runPipeline({
        stages: [ingest as AnyStage],
        config: { stages: { ingest: { sources: ["/nonexistent/catalog.json"] } } },
        runDir: tempDir(),
        seed: 1,
      });
    } catch (caught) {
      error = caught as EnvscaleError;
    }
    expect(error?.code).toBe("E_INPUT_UNREADABLE");
    expect(error?.message).toBe("catalog /nonexistent/catalog.json does not exist");
  });

  it("ingests the bundled example catalog: 40 tools from five formats, nothing rejected", async () => {
    const dir = tempDir();
    await runPipeline({ stages: [ingest as AnyStage], config: {}, runDir: dir, seed: 1 });
    const { readFileSync } = await import("node:fs");
    const tools = readFileSync(join(dir, "catalog.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ToolSpec);
    expect(tools).toHaveLength(40);
    expect(new Set(tools.map((t) => t.format))).toEqual(new Set(["openai", "openapi", "mcp", "function", "bfcl"]));
    expect(readFileSync(join(dir, "rejected.jsonl"), "utf8")).toBe("");
  });
});

describe("sanitizeName", () => {
  it("keeps valid names and replaces the rest deterministically", () => {
    expect(sanitizeName("get_flight-status2")).toBe("get_flight-status2");
    expect(sanitizeName("getPM2.5Level")).toBe("getPM2_5Level");
    expect(sanitizeName("Café  au lait!")).toBe("Cafe_au_lait");
    expect(sanitizeName("x".repeat(80))).toHaveLength(64);
    expect(sanitizeName("...")).toBe("");
  });
});

describe("normalizeParameters", () => {
  it("gives a missing schema an empty object schema and refuses non-object ones", () => {
    expect(normalizeParameters(undefined)).toEqual({ schema: { type: "object", properties: {} } });
    expect(normalizeParameters([1])).toEqual({ problem: "parameters must be an object schema, got an array" });
    expect(normalizeParameters({ properties: { a: { type: "integer" } } })).toEqual({
      schema: { type: "object", properties: { a: { type: "integer" } } },
    });
  });

  it("turns draft-7 tuples into prefixItems and drops $schema", () => {
    const result = normalizeParameters({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { pair: { type: "array", items: [{ type: "string" }, { type: "integer" }] } },
    });
    expect(result).toEqual({
      schema: { type: "object", properties: { pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] } } },
    });
  });
});
