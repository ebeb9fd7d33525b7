// A new record's first state that a flag of the call decides: "created with status
// `pending_approval` (if `require_approval` is true) or `pending_submission` (otherwise)", "Without
// approval (`require_approval` false or omitted) the transfer is created with status `complete`".
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { RuleContext } from "./context.ts";

export interface FlagStatus {
  parameter: string;
  whenTrue: string;
  whenFalse: string;
  text: string;
}

/** The states a boolean parameter chooses between for a new record, when the description says both. */
export function flagStatus(c: RuleContext, table: Table): FlagStatus | null {
  const status = table.status;
  if (!status) return null;
  const spell = (word: string) => status.values.find((v) => v.toLowerCase() === word.toLowerCase()) ?? word;
  for (const p of c.text.parameters.filter((q) => q.type === "boolean")) {
    const name = p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const chosen: { true?: string; false?: string } = {};
    let text = "";
    for (const { written } of c.sentences("description")) {
      const plain = written.replace(/`/g, "");
      // "status X (if p is true) or Y (otherwise)": both in one.
      const both = new RegExp(
        `\\bstatus\\s+([A-Za-z_]+)\\s*\\((?:if|when)\\s+${name}\\s+is\\s+(true|false)\\)\\s*,?\\s*or\\s+([A-Za-z_]+)\\s*\\((?:otherwise|if not|else)\\)`,
        "i",
      ).exec(plain);
      if (both) {
        const first = both[2]?.toLowerCase() === "true";
        chosen[first ? "true" : "false"] = spell(both[1] as string);
        chosen[first ? "false" : "true"] = spell(both[3] as string);
        text = written;
        continue;
      }
      // One sentence per value: "With p: true … created with status X", "Without … (p false or omitted) … status Y".
      const state = /\bcreated\s+(?:with|in)\s+(?:the\s+)?status\s+([A-Za-z_]+)/i.exec(plain)?.[1];
      if (!state || !new RegExp(`\\b${name}\\b`).test(plain)) continue;
      const negative = new RegExp(`\\bwithout\\b|\\b${name}\\b\\s*(?::|=|is)?\\s*(?:false|omitted)|\\bnot\\s+${name}\\b`, "i").test(plain);
      chosen[negative ? "false" : "true"] = spell(state);
      text = text ? `${text} ${written}` : written;
    }
    if (chosen.true && chosen.false && chosen.true !== chosen.false)
      return { parameter: p.name, whenTrue: chosen.true, whenFalse: chosen.false, text };
  }
  return null;
}
