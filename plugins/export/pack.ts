// Packing pre-training documents into fixed-length sequences (32K and 128K tokens), counted with a
// real BPE tokenizer (o200k_base, through gpt-tokenizer), not characters. First-fit decreasing
// keeps the sequences full; a document longer than a sequence is cut at token boundaries.
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

export const TOKENIZER = "o200k_base (gpt-tokenizer)";
/** Between two documents of one sequence; one token in o200k_base. */
export const SEPARATOR = "<|endoftext|>";
const SEPARATOR_TOKENS = 1;

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
  const out: { id: string; text: string; tokens: number }[] = [];
  for (let at = 0, part = 1; at < ids.length; at += limit, part++) {
    const slice = ids.slice(at, at + limit);
    out.push({ id: `${doc.id}@${part}`, text: decode(slice), tokens: slice.length });
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
  return bins.map((bin, i) => ({
    id: `${prefix}-${String(i + 1).padStart(4, "0")}`,
    tokens: bin.tokens,
    documents: bin.items.map((item) => item.id),
    text: bin.items.map((item) => item.text).join(SEPARATOR),
  }));
}
