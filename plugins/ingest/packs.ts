// Domain packs at ingest: each pack's catalog read on its own to learn which of the run's tools are
// its own, then its data and policy read and checked. A broken data file or policy stops the run
// with the file named: an environment built without the data it was given would mislead.
import { basename, dirname, extname, resolve } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainPack, PackSource } from "../../lib/contracts/domain-pack.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { readData, readPolicy } from "../../lib/data-pack/read.ts";
import { readRulesFile } from "../../lib/rules-file/read.ts";

/** `examples/packs/library/tools.json` → `library`; `retail.json` → `retail`. */
export function packName(catalog: string): string {
  const file = basename(catalog, extname(catalog));
  const generic = /^(tools?|catalog|functions|api|openapi|spec)$/i.test(file);
  const raw = generic ? basename(dirname(resolve(catalog))) : file;
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "pack"
  );
}

/** What identifies a tool across two reads of the same file. */
const identity = (tool: ToolSpec) => `${tool.original_name ?? tool.name}\0${tool.source.pointer}\0${tool.description}`;

export async function readPacks(
  sources: readonly PackSource[],
  catalog: readonly ToolSpec[],
  read: (sources: readonly string[]) => Promise<{ tools: ToolSpec[] }>,
): Promise<DomainPack[]> {
  const byIdentity = new Map<string, string>();
  for (const tool of catalog) if (!byIdentity.has(identity(tool))) byIdentity.set(identity(tool), tool.name);
  const taken = new Set<string>();
  const packs: DomainPack[] = [];
  for (const source of sources) {
    const own = await read([source.catalog]);
    const tools = [...new Set(own.tools.map((tool) => byIdentity.get(identity(tool))).filter((n): n is string => Boolean(n)))];
    if (tools.length === 0)
      throw new EnvscaleError("E_INPUT_UNREADABLE", `the pack's catalog ${source.catalog} has no usable tool`, {
        hint: "give the pack's tool catalog (a file of tool definitions), not its data",
      });
    let name = packName(source.catalog);
    for (let n = 2; taken.has(name); n++) name = `${packName(source.catalog)}-${n}`;
    taken.add(name);
    const data = source.data ? await readData(source.data) : null;
    const policy = source.policy ? await readPolicy(source.policy) : undefined;
    // Rules are derived, and corrected, only for a service built on its data: a file would do nothing.
    if (source.rules && !source.data)
      throw new EnvscaleError("E_RULES_FILE", `rules file ${source.rules}: the catalog ${source.catalog} has no data`, {
        details: { file: source.rules },
        hint: "a rules file corrects a service's rules: give its data too (--data, or `data` of the catalog in the config)",
      });
    const parameters = new Map(
      catalog.filter((t) => tools.includes(t.name)).map((t) => [t.name, Object.keys(t.parameters.properties ?? {})] as const),
    );
    const rules = source.rules ? await readRulesFile(source.rules, tools, parameters) : undefined;
    packs.push({
      name,
      catalog: source.catalog,
      tools,
      ...(data ? { data: data.data } : {}),
      lists: data?.lists ?? {},
      ...(data && data.singles.length > 0 ? { singles: data.singles } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(source.data ? { dataPath: source.data } : {}),
      ...(source.policy ? { policyPath: source.policy } : {}),
      ...(rules ? { rules, rulesPath: source.rules } : {}),
    });
  }
  return packs;
}
