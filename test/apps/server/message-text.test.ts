import { describe, expect, it } from "vitest";
import { messageText } from "../../../apps/server/message-text.ts";

describe("messageText", () => {
  const tools = [
    { type: "function", function: { name: "get_order", parameters: { type: "object", properties: { id: { type: "string" } } } } },
  ];

  it("is JSON.stringify of the message, the tool list spliced in as text made once", () => {
    const data = { observation: { result: { a: 1 }, tools, metadata: { episode_id: "e1" } }, reward: null, done: false };
    expect(messageText("observation", data)).toBe(JSON.stringify({ type: "observation", data }));
    // The same array in another message: its text is reused.
    expect(JSON.parse(messageText("observation", { observation: { tools } })).data.observation.tools).toEqual(tools);
  });

  it("leaves results that look like a marker, and messages without tools, as they are", () => {
    const data = { observation: { result: "\u0000envscale-tools-", tools, error: "$&" }, reward: 1 };
    expect(JSON.parse(messageText("observation", data))).toEqual({ type: "observation", data });
    expect(messageText("state", { step_count: 2 })).toBe(JSON.stringify({ type: "state", data: { step_count: 2 } }));
  });
});
