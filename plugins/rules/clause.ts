// One clause of a tool's description or policy, as the rule passes read it: its own module, so that
// the modules clauses.ts calls on can name it without importing clauses.ts back.
import type { RuleSource } from "../../lib/contracts/tool-rules.ts";

export interface Clause {
  /** Lower case, quoted words masked as ⟦n⟧. */
  text: string;
  /** The same clause as written (case kept), index for index with `text`. */
  written: string;
  quotes: string[];
  /** Brace literals ('{type "charge", payment_method}') masked as ⦃n⦄, as written. */
  literals: string[];
  /** A clause that appends an entry written out as a literal, and says nothing else. */
  literal?: true;
  /** A literal entry that settles an amount: what it records and where the amount goes (settled-entries.ts). */
  settlement?: Settlement;
  /** The "when …" a sentence opened on, for a clause split off after it ("when X, A becomes B, C is set"): its condition, when understood. */
  inherited?: string;
  source: RuleSource;
  /** The sentence it came from, as written (lower case), for the rule's text. */
  sentence: string;
}

/** What a sentence says besides the entry: the amount it records, the numbers that amount goes to, whether only above 0. */
export interface Settlement {
  /** The amount as the sentence names it ("the rest of the deposit held"), when the literal gives none. */
  amount?: string;
  /** The places the amount is added to, as written. */
  credits: string[];
  /** "(only if above 0)": the entry is recorded only when its amount is above 0. */
  positive: boolean;
}
