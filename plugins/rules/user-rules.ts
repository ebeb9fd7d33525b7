// A person's rules file over the derived rules of a service's domain: checked at ingest against the
// rule language and the pack's tools, applied here with source `user` (never relaxed offline),
// its numbers resolved against the rules as derived.
import type { DomainPack } from "../../lib/contracts/domain-pack.ts";
import type { DomainRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import { checkRulesFile } from "../../lib/contracts/rules-file.ts";
import { applyCorrections } from "../../lib/rules-file/apply.ts";

/** Each table's records by name (`bills` → `bill`), for the sentences of rules. */
export function entitiesOf(schema: DomainSchema): Map<string, string> {
  return new Map(schema.tables.map((t) => [t.name, t.entity]));
}

/** The derived rules with the pack's rules file applied, if it has one. */
export function withUserRules(derived: DomainRules, pack: DomainPack, schema: DomainSchema): DomainRules {
  if (!pack.rules) return derived;
  const where = `rules file ${pack.rulesPath ?? "(given)"}`;
  const file = checkRulesFile(pack.rules, pack.rulesPath ?? "(given)", pack.tools);
  return applyCorrections(derived, file, "user", where, entitiesOf(schema));
}
