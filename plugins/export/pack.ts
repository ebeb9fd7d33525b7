// Packing pre-training documents into fixed-length sequences (32K and 128K tokens), counted with a
// real BPE tokenizer (o200k_base, through gpt-tokenizer), not characters. First-fit decreasing
// keeps the sequences full; a document longer than a sequence is cut at token boundaries.
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

export const TOKENIZER = "o200k_base (gpt-tokenizer)";
/**
 * Between two documents of one sequence. Plain text, not a special token (gpt-tokenizer's
 * o200k_base encodes `<|endoftext|>` as text), so a sequence's count is its text's count.
 */
export const SEPARATOR = "\n\n\n";
const SEPARATOR_TOKENS = countTokens(SEPARATOR);

export interface Document {
  id: string;
  text: string;
}

export interface PackedSequence {
  id: string;
  tokens: number;
  documents: string[];
  text: string;
}

export function tokenCount(text: string): number {
  return countTokens(text);
}

/** Pieces of a document that fit `limit` tokens each. */
function pieces(doc: Document, tokens: number, limit: number): { id: string; text: string; tokens: number }[] {
  if (tokens <= limit) return [{ id: doc.id, text: doc.text, tokens }];
  const ids = encode(doc.text);
  // Decoded slices can re-encode a token or two longer at their cut: leave room.
  const size = Math.max(1, limit - 64);
  const out: { id: string; text: string; tokens: number }[] = [];
  for (let at = 0, part = 1; at < ids.length; at += size, part++) {
    const text = decode(ids.slice(at, at + size));
    out.push({ id: `${doc.id}@${part}`, text, tokens: countTokens(text) });
  }
  return out;
}

export function pack(documents: readonly Document[], counts: ReadonlyMap<string, number>, limit: number, prefix: string): PackedSequence[] {
  const items = documents
    .flatMap((doc) => pieces(doc, counts.get(doc.id) ?? tokenCount(doc.text), limit))
    // Longest first; ties by id, so the packing is the same on every run.
    .sort((a, b) => b.tokens - a.tokens || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const bins: { tokens: number; items: typeof items }[] = [];
  for (const item of items) {
    const bin = bins.find((b) => b.tokens + SEPARATOR_TOKENS + item.tokens <= limit);
    if (bin) {
      bin.tokens += SEPARATOR_TOKENS + item.tokens;
      bin.items.push(item);
    } else bins.push({ tokens: item.tokens, items: [item] });
  }
  // Counts at the seams can differ by a token from the sum; the text's own count decides.
  const sequences: { tokens: number; items: typeof items }[] = [];
  const queue = bins;
  while (queue.length > 0) {
    const bin = queue.shift() as (typeof bins)[number];
    let tokens = countTokens(bin.items.map((item) => item.text).join(SEPARATOR));
    const spill: typeof items = [];
    while (tokens > limit && bin.items.length > 1) {
      spill.unshift(bin.items.pop() as (typeof items)[number]);
      tokens = countTokens(bin.items.map((item) => item.text).join(SEPARATOR));
    }
    sequences.push({ tokens, items: bin.items });
    if (spill.length > 0) queue.push({ tokens: 0, items: spill });
  }
  return sequences.map((bin, i) => ({
    id: `${prefix}-${String(i + 1).padStart(4, "0")}`,
    tokens: bin.tokens,
    documents: bin.items.map((item) => item.id),
    text: bin.items.map((item) => item.text).join(SEPARATOR),
  }));
}
