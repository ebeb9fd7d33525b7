// `packs.json`: a service's own data and policy, given beside its catalog (`--data`, `--policy`).
// The tools read from that catalog form one environment whose state is the data in its own shape.
import { z } from "zod";
import { type DomainState, domainStateSchema } from "./domain-state.ts";
import { rulesFileSchema } from "./rules-file.ts";

export const domainPackSchema = z.object({
  /** The environment's name: the catalog's folder or file name, kebab-case. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  /** The catalog source the pack belongs to, as given. */
  catalog: z.string(),
  /** The catalog's tools, by their names in `catalog.jsonl`. */
  tools: z.array(z.string()),
  /** The data as `{collection: {key: record}}`; absent when only a policy was given. */
  data: domainStateSchema.optional(),
  /** Collections the data gave as lists, with the field that keys their records, `#` for their position (written back as lists). */
  lists: z.record(z.string(), z.string()),
  /** Collections that are one record of fields (settings, counters, a session), held under the key `current`. */
  singles: z.array(z.string()).optional(),
  /** The policy document's text. */
  policy: z.string().optional(),
  /** A person's corrections of the derived rules (a rules file, see contracts/rules-file.ts), checked at ingest. */
  rules: rulesFileSchema.optional(),
  /** Where data, policy and rules were read from, as given. */
  dataPath: z.string().optional(),
  policyPath: z.string().optional(),
  rulesPath: z.string().optional(),
});

export type DomainPack = Omit<z.infer<typeof domainPackSchema>, "data"> & { data?: DomainState };

/** What configures a pack: a catalog source with its data, policy and rules file (ingest option `packs`, config `catalogs`). */
export const packSourceSchema = z.object({
  catalog: z.string().min(1),
  data: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  rules: z.string().min(1).optional(),
});

export type PackSource = z.infer<typeof packSourceSchema>;
