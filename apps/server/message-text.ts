// A protocol message as JSON text, with the episode's tool list spliced in as text made once.
//
// Every observation carries the episode's tools (their JSON Schemas: most of the message), and a
// step's answer is otherwise small. Stringifying the same tool list for every step cost a tenth
// of the server's time under load; it is the same array for every episode of a domain, so its
// text is made once per array and put in place of a marker no tool result can contain (the
// marker holds a nonce of this process, which tool code never sees).
import { randomUUID } from "node:crypto";

const MARKER = `\u0000envscale-tools-${randomUUID()}`;
const MARKER_TEXT = JSON.stringify(MARKER);
const toolsText = new WeakMap<object, string>();

/** `JSON.stringify({ type, data })`, the same text, without stringifying `data.observation.tools` again. */
export function messageText(type: string, data: unknown): string {
  const observation = (data as { observation?: { tools?: unknown } } | null)?.observation;
  const tools = observation?.tools;
  if (!Array.isArray(tools)) return JSON.stringify({ type, data });
  let text = toolsText.get(tools);
  if (text === undefined) {
    text = JSON.stringify(tools);
    toolsText.set(tools, text);
  }
  const marked = JSON.stringify({ type, data: { ...(data as object), observation: { ...observation, tools: MARKER } } });
  return marked.replace(MARKER_TEXT, () => text);
}
