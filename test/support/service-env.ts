// A service's environment built the way the pipeline builds it (tables read off the data, the rules
// stage's rules, the templates' code, the sandbox), without a run directory: for tests that check
// what a derived rule makes a call do, on small data of their own.
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { applyRules, type DomainRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { type DataShape, inDataShape, keyedCollections } from "../../lib/data-pack/read.ts";
import { toolDeclarations } from "../../lib/tool-code/declarations.ts";
import { functionNames, templateModule } from "../../lib/tool-code/templates.ts";
import { deriveRules } from "../../plugins/rules/derive.ts";
import { inferServiceSchema } from "../../plugins/schema/service-schema.ts";
import { type CallOutcome, compileToolModule, type Sandbox } from "../../sandbox/index.ts";

export interface ServiceEnvironment {
  schema: DomainSchema;
  rules: DomainRules;
  /** Run calls in one episode from the data; the outcomes and the final state in the data's own shape. */
  run(calls: { tool: string; arguments: Record<string, unknown> }[]): Promise<{ outcomes: CallOutcome[]; state: Record<string, unknown> }>;
}

/** `data` as a pack's files hold it (`{collection: records or list or one record}`). */
export async function serviceEnvironment(
  sandbox: Sandbox,
  specs: ToolSpec[],
  data: Record<string, unknown>,
  policy: string | null = null,
): Promise<ServiceEnvironment> {
  const read = keyedCollections(data, "test data");
  const shape: DataShape = read;
  const schema = inferServiceSchema("svc", specs, read.data, shape);
  const rules = deriveRules("svc", specs, schema.tables, read.data, policy);
  const ruled = applyRules(schema, rules);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const source = templateModule(ruled, byName);
  const compiled = await compileToolModule(source, {
    filename: "tools.ts",
    tools: toolDeclarations(ruled, byName, functionNames(ruled.tools.map((t) => t.tool))),
  });
  if (!compiled.ok) throw new Error(`the module does not compile: ${compiled.findings.map((f) => f.message).join("; ")}\n${source}`);
  return {
    schema,
    rules,
    async run(calls) {
      const env = await sandbox.open(compiled.module, structuredClone(read.data) as JsonObject, {
        clock: rules.clock ?? "2025-03-03T09:00:00Z",
        seed: 1,
      });
      try {
        const outcomes: CallOutcome[] = [];
        for (const call of calls) outcomes.push(await env.call(call.tool, call.arguments));
        return { outcomes, state: inDataShape((await env.state()) as DomainState, shape, read.data) };
      } finally {
        await env.close();
      }
    },
  };
}
