// Request validation takes JSON object fields (tool arguments, action metadata, /verify's calls'
// arguments) as the body parser left them, already JSON and already walked for depth and keys:
// it neither walks nor copies them again on the event loop every session shares, however many
// keys they hold. A field that is not a JSON object is still refused, and `GET /schema` still
// publishes the arguments as a JSON object of JSON values.
import { describe, expect, it } from "vitest";
import { actionShapeOf, protocolSchemas, verifyRequestSchema } from "../../../apps/server/protocol.ts";

const manyKeys = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, { a: i, b: ["x"] }]));

describe("request validation", () => {
  it("passes a step's arguments and metadata through as parsed, not copied", () => {
    for (const action of [
      { tool: "t", arguments: manyKeys, metadata: manyKeys },
      { type: "call_tool", tool_name: "t", arguments: manyKeys, metadata: manyKeys },
      { message: "hi", metadata: manyKeys },
      { type: "list_tools", metadata: manyKeys },
    ]) {
      const parsed = actionShapeOf(action).parse(action) as { arguments?: unknown; metadata?: unknown };
      if ("arguments" in action) expect(parsed.arguments).toBe(manyKeys);
      expect(parsed.metadata).toBe(manyKeys);
    }
    const verify = verifyRequestSchema.parse({ task_id: "t", calls: [{ tool: "t", arguments: manyKeys }] });
    expect(verify.calls?.[0]?.arguments).toBe(manyKeys);
  });

  it("still refuses arguments that are not a JSON object, and fills absent ones", () => {
    for (const bad of [[1], "x", null, 3])
      expect(actionShapeOf({ tool: "t", arguments: bad }).safeParse({ tool: "t", arguments: bad }).success).toBe(false);
    expect(actionShapeOf({ tool: "t" }).parse({ tool: "t" })).toEqual({ tool: "t", arguments: {} });
    expect(actionShapeOf({ tool: "t", x: 1 }).safeParse({ tool: "t", x: 1 }).success).toBe(false);
  });

  it("publishes the arguments as a JSON object of JSON values", () => {
    const action = JSON.stringify(protocolSchemas().action);
    expect(action).toContain('"arguments":{"default":{},"type":"object","propertyNames":{"type":"string"},"additionalProperties":{"$ref"');
  });
});
