// A rules file (`--rules FILE`, config `catalogs: [{catalog, rules}]`): a person's corrections to a
// service's derived rules, in the rule language of rules.json, YAML or JSON. Per tool it removes,
// replaces or adds requirements and effects, naming each derived rule by the number `envscale
// rules` prints (`requires.2`, `effects.1`); the rules it gives get source `user`. The same shape
// carries a model's corrections of the offline draft (source `model`).
//
//   clock: "2025-06-01T09:00:00Z"        # optional: the service's today, over the policy's
//   tools:
//     pay_bill:
//       remove: [requires.1]
//       replace:
//         effects.2:
//           rule: {kind: set, place: {hops: [], path: [status]}, value: {kind: constant, value: Paid}}
//           text: the bill becomes Paid, as the data writes it
//       add:
//         requires:
//           - rule: {kind: compare, condition: {left: {kind: parameter, name: customer_id}, op: "==",
//                    right: {kind: read, place: {hops: [], path: [customer_id]}}}}
//             text: only the bill's own customer may pay it
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { closest } from "../../kernel/closest-match.ts";
import { EnvscaleError, formatPath } from "../../kernel/errors.ts";
import { conditionSchema, effectSchema, requirementSchema } from "./tool-rules.ts";

/** `requires.2`, `effects.1`: a derived rule by its place in the tool's list, counted from 1. */
export const ruleRefPattern = /^(requires|effects)\.([1-9][0-9]*)$/;
export type RuleRef = { part: "requires" | "effects"; index: number };

export function parseRuleRef(ref: string): RuleRef | null {
  const m = ruleRefPattern.exec(ref);
  return m ? { part: m[1] as RuleRef["part"], index: Number(m[2]) - 1 } : null;
}

const entry = <S extends z.ZodType>(rule: S) =>
  z.strictObject({
    rule,
    /** The rule in words (default: the sentence `envscale rules` prints for it). */
    text: z.string().optional(),
    /** For an effect: it applies only when these hold. */
    when: z.array(conditionSchema).optional(),
  });
export const requirementEntrySchema = entry(requirementSchema);
export const effectEntrySchema = entry(effectSchema);
export type RuleEntry = z.infer<typeof requirementEntrySchema> | z.infer<typeof effectEntrySchema>;

export const toolCorrectionSchema = z.strictObject({
  /** Derived rules taken out, by number. */
  remove: z.array(z.string().regex(ruleRefPattern, "a rule is named requires.N or effects.N")).optional(),
  /** Derived rules replaced, by number: `effects.2: {rule, text}`. */
  replace: z.record(z.string().regex(ruleRefPattern, "a rule is named requires.N or effects.N"), z.unknown()).optional(),
  /** Rules added after the derived ones. */
  add: z.strictObject({ requires: z.array(requirementEntrySchema).optional(), effects: z.array(effectEntrySchema).optional() }).optional(),
});

export const rulesFileSchema = z.strictObject({
  /** The service's today (ISO 8601), over the one its texts set. */
  clock: z.iso.datetime({ offset: true }).optional(),
  tools: z.record(z.string(), toolCorrectionSchema).default({}),
});

/** A rules file once checked: every replacement parsed against the schema its number names. */
export interface ToolCorrection {
  remove: RuleRef[];
  replace: { ref: RuleRef; entry: RuleEntry }[];
  add: { requires: RuleEntry[]; effects: RuleEntry[] };
}
export interface RulesFile {
  clock?: string;
  tools: Record<string, ToolCorrection>;
}

function refused(file: string, tool: string | null, rule: string | null, problem: string, path: readonly PropertyKey[]): EnvscaleError {
  const where = [tool ? `tool ${tool}` : null, rule ? `rule ${rule}` : null].filter(Boolean).join(", ");
  return new EnvscaleError("E_RULES_FILE", `rules file ${file}: ${where ? `${where}: ` : ""}${problem}`, {
    details: { file, ...(tool ? { tool } : {}), ...(rule ? { rule } : {}), path: formatPath(path) },
    hint: "see `envscale rules RUN` for each tool's rules and their numbers, and README: Correcting a service",
  });
}

/** Keys of `raw` a schema dropped in `parsed` (zod's plain objects strip what they do not declare). */
function strayKey(raw: unknown, parsed: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    for (let i = 0; i < raw.length; i++) {
      const found = strayKey(raw[i], parsed[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (raw && typeof raw === "object" && parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(raw)) {
      if (!(key in parsed)) return [...path, key];
      const found = strayKey(value, (parsed as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Which tool and rule a path inside the file is about: `tools.pay_bill.add.effects[0]…` → pay_bill, `add effects.1`. */
function locate(path: readonly PropertyKey[]): { tool: string | null; rule: string | null; rest: readonly PropertyKey[] } {
  if (path[0] !== "tools" || typeof path[1] !== "string") return { tool: null, rule: null, rest: path };
  const tool = path[1];
  const action = path[2];
  if (action === "add" && typeof path[3] === "string" && typeof path[4] === "number")
    return { tool, rule: `add ${path[3]}.${path[4] + 1}`, rest: path.slice(5) };
  if (action === "replace" && typeof path[3] === "string") return { tool, rule: path[3], rest: path.slice(4) };
  if (action === "remove" && typeof path[3] === "number") return { tool, rule: `remove[${path[3]}]`, rest: path.slice(4) };
  return { tool, rule: null, rest: path.slice(2) };
}

function check<S extends z.ZodType>(schema: S, raw: unknown, file: string, base: PropertyKey[]): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const path = [...base, ...issue.path];
    const unknown = issue.code === "unrecognized_keys" ? issue.keys : [];
    const { tool, rule, rest } = locate(unknown.length ? [...path, unknown[0] as string] : path);
    const problem = unknown.length
      ? `unknown field "${unknown[0]}"${rest.length > 1 ? ` at ${formatPath(rest.slice(0, -1))}` : ""}`
      : `${rest.length ? `${formatPath(rest)}: ` : ""}${issue.message}`;
    throw refused(file, tool, rule, problem, path);
  }
  const stray = strayKey(raw, result.data);
  if (stray) {
    const path = [...base, ...stray];
    const { tool, rule, rest } = locate(path);
    throw refused(file, tool, rule, `unknown field "${String(stray.at(-1))}" at ${formatPath(rest.slice(0, -1))}`, path);
  }
  return result.data;
}

/**
 * Check a rules file's value against the rule language and the pack's tools: an unknown tool, an
 * unknown field, a rule that does not parse, are refused (E_RULES_FILE) naming the tool, the rule
 * and what is wrong, from zod's issue path.
 */
/** The parameter names a rule uses: its values' `{kind: "parameter", name}`, and the fields that name one. */
export function parametersOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) parametersOf(v, out);
  else if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    if (node.kind === "parameter" && typeof node.name === "string") out.add(node.name);
    for (const key of ["parameter", "each"]) if (typeof node[key] === "string") out.add(node[key] as string);
    for (const v of Object.values(node)) parametersOf(v, out);
  }
  return out;
}

/**
 * `parameters`, when given, are each tool's parameter names: a rule using another is refused (the
 * code would read an argument no call carries).
 */
export function checkRulesFile(
  raw: unknown,
  file: string,
  tools: readonly string[],
  parameters?: ReadonlyMap<string, readonly string[]>,
): RulesFile {
  const parsed = check(rulesFileSchema, raw ?? {}, file, []);
  const known = new Set(tools);
  const out: RulesFile = { ...(parsed.clock ? { clock: parsed.clock } : {}), tools: {} };
  for (const [tool, correction] of Object.entries(parsed.tools)) {
    if (!known.has(tool)) {
      const near = closest(tool, tools);
      throw refused(file, tool, null, `no tool of that name in the pack's catalog${near ? ` (did you mean ${near}?)` : ""}`, [
        "tools",
        tool,
      ]);
    }
    const replace = Object.entries(correction.replace ?? {}).map(([ref, value]) => {
      const parsedRef = parseRuleRef(ref) as RuleRef;
      const schema = parsedRef.part === "requires" ? requirementEntrySchema : effectEntrySchema;
      return { ref: parsedRef, entry: check(schema, value, file, ["tools", tool, "replace", ref]) as RuleEntry };
    });
    const remove = (correction.remove ?? []).map((ref) => parseRuleRef(ref) as RuleRef);
    for (const r of replace)
      if (remove.some((x) => x.part === r.ref.part && x.index === r.ref.index))
        throw refused(file, tool, `${r.ref.part}.${r.ref.index + 1}`, "both replaced and removed", ["tools", tool]);
    const add = { requires: correction.add?.requires ?? [], effects: correction.add?.effects ?? [] };
    const own = parameters?.get(tool);
    if (own) {
      const given = [
        ...replace.map((r) => ({ rule: `${r.ref.part}.${r.ref.index + 1}`, entry: r.entry as unknown })),
        ...add.requires.map((entry, i) => ({ rule: `add requires.${i + 1}`, entry: entry as unknown })),
        ...add.effects.map((entry, i) => ({ rule: `add effects.${i + 1}`, entry: entry as unknown })),
      ];
      for (const { rule, entry } of given) {
        const unknown = [...parametersOf(entry)].find((name) => !own.includes(name));
        if (unknown)
          throw refused(file, tool, rule, `the tool has no parameter "${unknown}" (its parameters: ${own.join(", ") || "none"})`, [
            "tools",
            tool,
          ]);
      }
    }
    out.tools[tool] = { remove, replace, add };
  }
  return out;
}

/** Parse a rules file's text: YAML (JSON is YAML too); a syntax error names the line. */
export function parseRulesText(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (error) {
    throw new EnvscaleError("E_RULES_FILE", `rules file ${file}: not YAML or JSON: ${(error as Error).message.split("\n")[0]}`, {
      details: { file },
      cause: error,
    });
  }
}
