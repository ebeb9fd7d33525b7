// `envscale rules RUN [DOMAIN]`: every service tool's rules of a finished run in plain sentences,
// each with its source and the number a rules file names it by (`requires.2`, `effects.1`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import { domainRulesSchema } from "../../lib/contracts/domain-rules.ts";
import { domainSchemaSchema } from "../../lib/contracts/domain-schema.ts";
import { renderRules } from "../../lib/rules-file/render.ts";
import type { CliIo } from "./io.ts";

/** The service domains of a run that have rules, by name. */
function ruledDomains(envs: string): string[] {
  if (!existsSync(envs)) return [];
  return readdirSync(envs)
    .filter((name) => existsSync(join(envs, name, "rules.json")))
    .sort();
}

export async function rulesCommand(run: string, domain: string | undefined, io: CliIo): Promise<void> {
  const envs = join(resolve(run), "envs");
  const domains = ruledDomains(envs);
  if (domains.length === 0)
    throw new EnvscaleError("E_USAGE", `${run} has no rules: no envs/<domain>/rules.json`, {
      hint: "rules are derived for a service's catalog given with --data (and --policy); run `envscale run TOOLS --data DATA` first",
    });
  if (domain && !domains.includes(domain))
    throw new EnvscaleError("E_USAGE", `${run} has no rules for domain "${domain}"`, {
      hint: `its domains with rules: ${domains.join(", ")}`,
    });
  const texts = (domain ? [domain] : domains).map((name) => {
    const read = (file: string) => JSON.parse(readFileSync(join(envs, name, file), "utf8")) as unknown;
    const parsed = domainRulesSchema.safeParse(read("rules.json"));
    if (!parsed.success)
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        `${join(envs, name, "rules.json")} is not a rules artifact: ${parsed.error.issues[0]?.message}`,
      );
    const schema = existsSync(join(envs, name, "schema.json")) ? domainSchemaSchema.safeParse(read("schema.json")) : null;
    const entities = new Map(schema?.success ? schema.data.tables.map((t) => [t.name, t.entity]) : []);
    return renderRules(parsed.data, entities);
  });
  io.stdout.write(texts.join("\n"));
}
