// What an episode's journal keeps of each call's outcome, so that a replay can be checked against
// what was acknowledged without keeping the outcomes themselves: the length of the outcome's JSON
// text and a hash of it, two numbers (journals of millions of calls stay small). Both sides agree
// on it: the sandbox process computes it as a call's outcome leaves the isolate, the host keeps it
// in its journal and hands it back with a replay.
import { hash } from "node:crypto";

/** Texts shorter than this are hashed in JavaScript (no crossing into native code), longer ones by SHA-1. */
const SHORT = 2048;

/** A 53-bit hash of an outcome's JSON text (its length is kept beside it). */
export function outcomeHash(text: string): number {
  if (text.length >= SHORT) return (hash("sha1", text, "buffer") as Buffer).readUIntBE(0, 6);
  // cyrb53 (public domain): two 32-bit lanes of multiply-xor, 53 bits out.
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

/** Outcomes' checks, in order: the length of each one's JSON text, and its hash. */
export interface OutcomeChecks {
  lengths: number[];
  hashes: number[];
}
