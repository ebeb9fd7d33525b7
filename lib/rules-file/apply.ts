// Corrections applied to a domain's derived rules: a person's rules file (source `user`) or a
// model's corrections of the offline draft (source `model`). Numbers name the derived rules as
// `envscale rules` printed them, so replacements and removals are resolved against the list as
// derived, then additions go after. A number past the end is refused naming the tool and the rule.
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainRules, RuledTool } from "../contracts/domain-rules.ts";
import type { RuleEntry, RulesFile, ToolCorrection } from "../contracts/rules-file.ts";
import type { Rule } from "../contracts/tool-rules.ts";
import { effectText, requirementText } from "./render.ts";

type Corrector = "user" | "model";

function asRule(entry: RuleEntry, part: "requires" | "effects", source: Corrector, subject: string): Rule {
  const said =
    part === "requires"
      ? requirementText(entry.rule as Parameters<typeof requirementText>[0], subject)
      : effectText(entry.rule as Parameters<typeof effectText>[0], subject);
  return { rule: entry.rule, source, text: entry.text ?? said, ...(entry.when?.length ? { when: entry.when } : {}) };
}

/** One tool's rules with a correction applied. */
export function correctTool(tool: RuledTool, correction: ToolCorrection, source: Corrector, where: string, subject = "record"): RuledTool {
  const service = { ...tool.service };
  for (const part of ["requires", "effects"] as const) {
    const derived = tool.service[part];
    const named = [
      ...correction.remove.filter((r) => r.part === part),
      ...correction.replace.filter((r) => r.ref.part === part).map((r) => r.ref),
    ];
    for (const ref of named)
      if (ref.index >= derived.length)
        throw new EnvscaleError(
          "E_RULES_FILE",
          `${where}: tool ${tool.tool}, rule ${part}.${ref.index + 1}: the tool has ${derived.length === 0 ? "no" : `only ${derived.length}`} ${part === "requires" ? "requirement" : "effect"}${derived.length === 1 ? "" : "s"}`,
          {
            details: { tool: tool.tool, rule: `${part}.${ref.index + 1}` },
            hint: "see `envscale rules RUN` for each tool's rules and their numbers",
          },
        );
    const replaced = new Map(correction.replace.filter((r) => r.ref.part === part).map((r) => [r.ref.index, r.entry]));
    const removed = new Set(correction.remove.filter((r) => r.part === part).map((r) => r.index));
    const kept = derived.flatMap((rule, i) => {
      if (removed.has(i)) return [];
      const entry = replaced.get(i);
      return [entry ? asRule(entry, part, source, subject) : rule];
    });
    service[part] = [...kept, ...correction.add[part].map((entry) => asRule(entry, part, source, subject))];
  }
  // The code of a tool that reads runs no effects: an effect given to one would be silently lost.
  const replacedEffect = correction.replace.find((r) => r.ref.part === "effects");
  const givenEffect = replacedEffect
    ? `effects.${replacedEffect.ref.index + 1}`
    : correction.add.effects.length > 0
      ? "add effects.1"
      : null;
  if (givenEffect && service.kind !== "change" && service.kind !== "create")
    throw new EnvscaleError(
      "E_RULES_FILE",
      `${where}: tool ${tool.tool}, rule ${givenEffect}: the tool ${service.kind === "utility" ? "is a utility" : `${service.kind}s records`}; only a tool that changes or creates a record has effects`,
      { details: { tool: tool.tool, rule: givenEffect } },
    );
  return { ...tool, service };
}

/**
 * A domain's rules with a rules file's corrections: each named tool corrected, the file's clock
 * over the texts'. `entities` names each table's records (`bills` → `bill`), for the default texts.
 */
export function applyCorrections(
  rules: DomainRules,
  file: RulesFile,
  source: Corrector,
  where: string,
  entities: ReadonlyMap<string, string> = new Map(),
): DomainRules {
  const tools = rules.tools.map((tool) => {
    const correction = file.tools[tool.tool];
    if (!correction) return tool;
    const subject = ((tool.service.table && entities.get(tool.service.table)) ?? tool.service.table ?? "record").replaceAll(" ", "_");
    return correctTool(tool, correction, source, where, subject);
  });
  const missing = Object.keys(file.tools).filter((name) => !rules.tools.some((t) => t.tool === name));
  if (missing.length > 0)
    throw new EnvscaleError("E_RULES_FILE", `${where}: tool ${missing[0]}: the tool has no rules in domain ${rules.domain}`, {
      details: { tool: missing[0] },
      hint: "only a service's tools (a catalog given with --data) have rules",
    });
  return { ...rules, ...(file.clock ? { clock: file.clock } : {}), tools };
}
