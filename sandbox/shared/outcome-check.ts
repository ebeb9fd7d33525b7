// What an episode's journal keeps of each call's outcome, so that a replay can be checked against
// what was acknowledged without keeping the outcomes themselves: the length of the outcome's JSON
// text and a hash of it. Both sides agree on it: the sandbox process computes it as a call's
// outcome leaves the isolate, the host keeps it in its journal and hands it back with a replay.
import { hash } from "node:crypto";

/** `length:hash` of an outcome's JSON text (a fast 53-bit hash for short texts, SHA-1 for long ones). */
export type OutcomeCheck = string;

/** Texts shorter than this are hashed in JavaScript (no crossing into native code), longer ones by SHA-1. */
const SHORT = 2048;

export function outcomeCheck(text: string): OutcomeCheck {
  return `${text.length}:${text.length < SHORT ? short(text).toString(36) : hash("sha1", text, "base64")}`;
}

/** How long the outcome's text was (to size a replay's pieces before running them). */
export function checkedLength(check: OutcomeCheck): number {
  return Number.parseInt(check, 10) || 0;
}

/** cyrb53 (public domain): two 32-bit lanes of multiply-xor, 53 bits out. */
function short(text: string): number {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
