// A representative sample of a service's data for a model's request: a few whole records of every
// collection, within a token budget, never a record cut in the middle. Every collection shows at
// least one record (a collection never shown is a collection the model cannot write code for);
// more are added round by round, each the record that shows the most values not yet shown (a
// bill of each status before a second open bill), while the budget allows.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { DomainState, Row } from "../contracts/domain-state.ts";

export interface DataSample {
  /** `{collection: {key: record}}`, in the collections' order, each record whole. */
  sample: Record<string, Record<string, Row>>;
  /** Per collection: records shown, records in the data. */
  shown: Record<string, { shown: number; of: number }>;
  tokens: number;
}

/** The short scalar values of a record, as `field=value` marks: what a record shows that others may not. */
function marks(record: Row): Set<string> {
  const out = new Set<string>();
  for (const [field, value] of Object.entries(record)) {
    if (typeof value === "string" && value.length <= 40) out.add(`${field}=${value}`);
    else if (typeof value === "boolean") out.add(`${field}=${value}`);
    else if (value && typeof value === "object")
      out.add(`${field}:${Array.isArray(value) ? (value.length > 0 ? "list" : "empty") : "object"}`);
    else if (value === null || value === undefined) out.add(`${field}=null`);
  }
  return out;
}

/**
 * A sample of `data` within `budget` tokens (o200k_base), whole records only. The first record of
 * every collection is always shown, even past the budget: the budget bounds what is added to them.
 */
export function dataSample(data: DomainState, budget = 4000, perCollection = 5): DataSample {
  const names = Object.keys(data).sort();
  const sample: Record<string, Record<string, Row>> = Object.fromEntries(names.map((n) => [n, {}]));
  const seen = new Map(names.map((n) => [n, new Set<string>()]));
  const left = new Map(names.map((n) => [n, Object.keys(data[n] ?? {}).sort()]));
  let tokens = 0;
  const cost = (key: string, record: Row) => countTokens(`${JSON.stringify(key)}:${JSON.stringify(record)},`);
  for (let round = 0; round < perCollection; round++) {
    let added = false;
    for (const name of names) {
      const keys = left.get(name) as string[];
      if (keys.length === 0) continue;
      const rows = data[name] as Record<string, Row>;
      const shown = seen.get(name) as Set<string>;
      // The record that shows most marks not yet shown; the first in key order on a tie.
      let best = 0;
      let bestGain = -1;
      keys.forEach((key, i) => {
        const gain = [...marks(rows[key] as Row)].filter((m) => !shown.has(m)).length;
        if (gain > bestGain) {
          best = i;
          bestGain = gain;
        }
      });
      if (round > 0 && bestGain === 0) continue;
      const key = keys[best] as string;
      const record = rows[key] as Row;
      const price = cost(key, record);
      if (round > 0 && tokens + price > budget) continue;
      (sample[name] as Record<string, Row>)[key] = record;
      for (const m of marks(record)) shown.add(m);
      keys.splice(best, 1);
      tokens += price;
      added = true;
    }
    if (!added) break;
  }
  const shown = Object.fromEntries(
    names.map((n) => [n, { shown: Object.keys(sample[n] ?? {}).length, of: Object.keys(data[n] ?? {}).length }]),
  );
  return { sample, shown, tokens };
}
