// Candidate tool dependencies from a domain's schema (AgentScaler's tool dependency graph):
//   output: A returns records of table T (or creates one) and B takes T's key as an input;
//   state:  A writes table T and B reads it, so what B answers depends on A having run.
import type { DomainSchema, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";

export interface Candidate {
  from: string;
  to: string;
  via: { kind: "output"; table: string; field: string; parameter: string } | { kind: "state"; table: string };
}

const RETURNS_RECORDS = new Set<ToolModel["operation"]>(["create", "upsert", "get", "list", "lookup", "update", "set-status", "move"]);
const TAKES_KEY = new Set(["key", "reference", "source", "destination", "parent"]);

/** Candidates between the tools in `kept` (catalog names), output edges before state edges. */
export function candidateEdges(schema: DomainSchema, kept: ReadonlySet<string>): Candidate[] {
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const tools = schema.tools.filter((t) => kept.has(t.tool));
  const out: Candidate[] = [];
  for (const a of tools) {
    for (const b of tools) {
      if (a.tool === b.tool) continue;
      let output = false;
      if (RETURNS_RECORDS.has(a.operation)) {
        const table = tables.get(a.table) as Table;
        for (const parameter of b.parameters) {
          if (!TAKES_KEY.has(parameter.role) || (parameter.table ?? b.table) !== table.name) continue;
          // A creating tool's own key is an input it makes up, not one it is fed.
          if (parameter.role === "key" && (b.operation === "create" || b.operation === "upsert")) continue;
          if (parameter.role === "destination") continue;
          out.push({ from: a.tool, to: b.tool, via: { kind: "output", table: table.name, field: table.key, parameter: parameter.name } });
          output = true;
          break;
        }
      }
      if (output || a.access !== "write" || b.access !== "read") continue;
      const shared = a.writes.find((table) => b.reads.includes(table) || b.table === table);
      if (shared) out.push({ from: a.tool, to: b.tool, via: { kind: "state", table: shared } });
    }
  }
  return out;
}
