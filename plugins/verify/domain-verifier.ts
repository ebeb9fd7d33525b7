// Verification of one domain: its cases run in the sandbox, repair rounds for the tools that fail
// (the model, or offline the generic read), and the final module and environment of the tools kept.
import type { z } from "zod";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { ItemContext } from "../../kernel/stage.ts";
import type { CodegenReport } from "../../lib/contracts/codegen-report.ts";
import type { DomainSchema, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { Verification } from "../../lib/contracts/verification.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { serviceContext } from "../../lib/service-context/context.ts";
import { toolDeclarations } from "../../lib/tool-code/declarations.ts";
import { type CaseFault, rewriteTool } from "../../lib/tool-code/model-writer.ts";
import { functionText, isSingleFunction, replaceFunction, withdrawFunctions } from "../../lib/tool-code/module-edit.ts";
import { functionNames, templateModule, toolFunction } from "../../lib/tool-code/templates.ts";
import { type CompiledModule, ModuleLoadError, type Sandbox, type SandboxEnvironment, type ToolDeclaration } from "../../sandbox/index.ts";
import { casesFor, type TestCase } from "./cases.ts";
import type { CaseResult } from "./classify.ts";
import { genericModel } from "./offline-repair.ts";
import type { VerifyOptions } from "./options.ts";
import { relaxService } from "./relax-rules.ts";
import { runCases, type ToolRun } from "./run-cases.ts";
import { type RuleCases, ruleReport, serviceCases } from "./service-cases.ts";

export interface DomainInput {
  domain: string;
  schema: DomainSchema;
  source: string;
  state: DomainState;
  report: CodegenReport;
  /** The service's policy, which a model repairing a tool is shown with the clock and the data. */
  policy?: string;
}

export interface DomainOutput {
  module: string;
  verification: Verification;
  environment: EnvironmentSpec | null;
  bundle: string | null;
  /** The bundle's source map (TOOL_ERROR lines in the tool's own source). */
  bundleMap?: string | null;
}

type Llm = LlmService & { readonly settings: { repairRounds: number } };

/** Verification of one domain: cases, repair rounds, the final module and environment. */
export class DomainVerifier {
  readonly #input: DomainInput;
  readonly #specs: ReadonlyMap<string, ToolSpec>;
  readonly #sandbox: Sandbox;
  readonly #options: VerifyOptions;
  readonly #llm: Llm | null;
  readonly #item: ItemContext;
  readonly #names: Map<string, string>;
  #models: Map<string, ToolModel>;
  /** Service tools: which case checked which of their rules. */
  #ruleChecks = new Map<string, RuleCases>();
  /** Service tools: what verification could not check, or took out, and why. */
  #warnings = new Map<string, string[]>();
  /** Cases the model showed to contradict a tool's description or the policy: faults of the case, by tool. */
  #caseFaults = new Map<string, CaseFault[]>();
  #context: string | undefined;

  constructor(
    input: DomainInput,
    specs: ReadonlyMap<string, ToolSpec>,
    sandbox: Sandbox,
    options: VerifyOptions,
    llm: Llm | null,
    item: ItemContext,
  ) {
    this.#input = input;
    this.#specs = specs;
    this.#sandbox = sandbox;
    this.#options = options;
    this.#llm = llm;
    this.#item = item;
    this.#names = new Map(Object.entries(input.report.functions));
    for (const [tool, name] of functionNames(input.schema.tools.map((t) => t.tool)))
      if (!this.#names.has(tool)) this.#names.set(tool, name);
    this.#models = new Map(input.schema.tools.map((m) => [m.tool, m]));
  }

  #declarations(only?: ReadonlySet<string>): ToolDeclaration[] {
    const schema = { ...this.#input.schema, tools: [...this.#models.values()].filter((m) => !only || only.has(m.tool)) };
    return toolDeclarations(schema, this.#specs, this.#names);
  }

  async #compile(
    source: string,
    only?: ReadonlySet<string>,
  ): Promise<{ ok: true; module: CompiledModule } | { ok: false; problem: string }> {
    const compiled = await this.#sandbox.compile(source, { filename: `${this.#input.domain}/tools.ts`, tools: this.#declarations(only) });
    // Compiling is not loading: top-level code that loops, bombs or throws makes the module unusable.
    // Only a model's code can: the templates' top level declares functions and nothing else.
    const modelCode = this.#llm?.kind === "model" || this.#input.report.source === "model";
    if (compiled.ok && modelCode) {
      try {
        const { env } = await this.#open(compiled.module);
        await env.close();
      } catch (error) {
        if (error instanceof ModuleLoadError) return { ok: false, problem: `it does not load: ${error.code}: ${error.message}` };
        throw error;
      }
    }
    if (compiled.ok) return compiled;
    const errors = compiled.findings.filter((f) => f.severity === "error");
    return {
      ok: false,
      problem: errors
        .slice(0, 5)
        .map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`)
        .join("; "),
    };
  }

  #cases(model: ToolModel): TestCase[] {
    const name = this.#names.get(model.tool) as string;
    const spec = this.#specs.get(model.tool);
    const input = {
      model,
      functionName: name,
      parameters: (spec?.parameters ?? { type: "object" }) as Record<string, unknown>,
      schema: { ...this.#input.schema, tools: [...this.#models.values()] },
      state: this.#input.state,
      clock: this.#input.report.clock,
      // The same cases every round for the same model: a repair is judged on what failed.
      rng: this.#item.rng.fork(`cases:${model.tool}:${model.service ? "service" : model.operation}`),
    };
    if (model.service) {
      // A service tool is checked on its rules: each requirement refused when broken, each effect seen.
      const { cases, checks } = serviceCases({ ...input, functionOf: (tool) => this.#names.get(tool) }, this.#options.validCases);
      this.#ruleChecks.set(model.tool, checks);
      return cases;
    }
    const generated = casesFor(input, this.#options.validCases);
    const written = this.#input.report.tests
      .filter((t) => t.tool === name)
      .map(
        (t, i): TestCase => ({
          id: `model-${i + 1}`,
          kind: "model",
          setup: [],
          call: { tool: name, arguments: t.arguments },
          expect: t.expect,
          effects: [],
        }),
      );
    return [...generated, ...written];
  }

  async #open(module: CompiledModule): Promise<{ env: SandboxEnvironment; hash: string }> {
    const env = await this.#sandbox.open(module, this.#input.state as JsonObject, {
      clock: this.#input.report.clock,
      seed: 0,
      ...(this.#input.report.clockStepMs !== undefined ? { clockStepMs: this.#input.report.clockStepMs } : {}),
      timeoutMs: this.#options.timeoutMs,
      memoryMb: this.#options.memoryMb,
    });
    const empty = await env.runEpisode({
      state: this.#input.state as JsonObject,
      options: { clock: this.#input.report.clock, seed: 0 },
      calls: [],
    });
    return { env, hash: empty.stateHash };
  }

  async #runTools(module: CompiledModule, tools: readonly string[]): Promise<Map<string, ToolRun>> {
    const runs = new Map<string, ToolRun>();
    const { env, hash } = await this.#open(module);
    try {
      for (const tool of tools) {
        const model = this.#models.get(tool) as ToolModel;
        const run = await runCases(
          env,
          this.#input.state as JsonObject,
          hash,
          this.#input.report.clock,
          this.#cases(model),
          model.access === "write",
        );
        runs.set(tool, model.service ? this.#withoutCaseFaults(tool, run) : run);
      }
    } finally {
      await env.close();
    }
    return runs;
  }

  /**
   * A service tool is not failed for a fault of our own cases: no valid call the data allows could
   * be built, or the arguments built were not valid for the tool's schema. It is kept, unchecked
   * there, with a warning saying so.
   */
  #withoutCaseFaults(tool: string, run: ToolRun): ToolRun {
    const ours = (failure: string) =>
      failure === "no valid call could be built from the sample state" ||
      /^refused every valid call \(valid-\d+: INVALID_ARGS/.test(failure);
    const faults = run.failures.filter(ours);
    if (faults.length === 0) return run;
    this.#warn(tool, ...faults.map((f) => `not checked on a valid call: ${f}`));
    return { ...run, failures: run.failures.filter((f) => !ours(f)) };
  }

  #warn(tool: string, ...warnings: string[]): void {
    const list = this.#warnings.get(tool) ?? [];
    for (const w of warnings) if (!list.includes(w)) list.push(w);
    this.#warnings.set(tool, list);
  }

  /** What every model role is told of the service: the clock, the policy, whole records of every collection. */
  #serviceContext(): string {
    this.#context ??= serviceContext({
      clock: this.#input.report.clock,
      ...(this.#input.policy ? { policy: this.#input.policy } : {}),
      data: this.#input.state,
    });
    return this.#context;
  }

  /**
   * The failing cases a model may show to be wrong: those made from rules (valid calls, calls that
   * break a rule), never the sandbox's own checks of arguments nor a rule a person gave.
   */
  #disputable(tool: string, run: ToolRun): string[] {
    const service = this.#models.get(tool)?.service;
    return run.results
      .filter(
        (r) => (r.verdict === "fail" || (r.kind === "valid" && r.verdict === "refused")) && (r.kind === "valid" || r.kind === "reject"),
      )
      .map((r) => r.id)
      .filter((id) => {
        if (this.#caseFaults.get(tool)?.some((f) => f.case === id)) return false;
        const rule = /^rule-(\d+):/.exec(id);
        if (rule) return service?.requires[Number(rule[1]) - 1]?.source !== "user";
        return id.startsWith("valid-");
      });
  }

  /**
   * A run without the failures of the cases shown to be at fault: a case's own failure, and
   * "refused every valid call" only when every valid call refused was shown to be at fault.
   */
  #withoutFaultyCases(tool: string, run: ToolRun): ToolRun {
    const faults = new Set((this.#caseFaults.get(tool) ?? []).map((f) => f.case));
    if (faults.size === 0) return run;
    const refused = run.results.filter((r) => r.kind === "valid" && r.verdict === "refused").map((r) => r.id);
    const faulty = (failure: string) =>
      failure.startsWith("refused every valid call")
        ? refused.length > 0 && refused.every((id) => faults.has(id))
        : [...faults].some((id) => failure.startsWith(`${id}: `));
    return { ...run, failures: run.failures.filter((f) => !faulty(f)) };
  }

  /** A repaired function for a failing tool, faults of its cases, or null when there is nothing new to try. */
  async #repair(
    source: string,
    tool: string,
    failures: readonly string[],
    round: number,
    cases: readonly string[] = [],
  ): Promise<{ code: string; how: string } | { faults: CaseFault[] } | null> {
    const name = this.#names.get(tool) as string;
    const model = this.#models.get(tool) as ToolModel;
    if (this.#llm?.kind === "model") {
      const current = (await functionText(source, name)) ?? "";
      const declaration = this.#declarations(new Set([tool]))[0] as ToolDeclaration;
      const result = await rewriteTool(
        this.#llm,
        {
          schema: this.#input.schema,
          tools: [...this.#specs.values()].filter((s) => this.#models.has(s.name)),
          names: this.#names,
          functionName: name,
          current,
          failures: failures.join("\n"),
          declaration,
          context: this.#serviceContext(),
          cases,
        },
        async (code) => {
          const shape = await isSingleFunction(code, name);
          if (shape) return { ok: false, error: shape };
          const replaced = await replaceFunction(source, name, code);
          if (!replaced) return { ok: false, error: `the module has no function ${name}` };
          const compiled = await this.#compile(replaced);
          return compiled.ok ? { ok: true, value: code } : { ok: false, error: `it does not compile: ${compiled.problem}` };
        },
        this.#llm.settings.repairRounds,
        this.#item.signal,
      );
      if (!result.ok) return null;
      return result.value.kind === "code" ? { code: result.value.code, how: "model" } : { faults: result.value.faults };
    }
    // A service tool's rules are what its failures contradict: they are relaxed, never the tool dropped.
    if (model.service) {
      const entity = this.#input.schema.tables.find((t) => t.name === model.service?.table)?.entity ?? "record";
      const relaxed = relaxService(model, failures, round, entity);
      if (!relaxed) return null;
      this.#models.set(tool, relaxed.model);
      this.#warn(tool, ...relaxed.removed.map((rule) => `rule taken out, the data contradicts it: ${rule}`));
      const emitted = toolFunction(
        relaxed.model,
        { ...this.#input.schema, tools: [...this.#models.values()] },
        this.#specs.get(tool),
        name,
      );
      return { code: emitted.code, how: "rules relaxed (offline)" };
    }
    // Offline there is one thing to try, for reads only: the generic list of the tool's table. A
    // write is never swapped for a different write: an environment must not lie about its effects.
    if (round > 1 || model.access !== "read") return null;
    const generic = genericModel(model, this.#input.schema);
    this.#models.set(tool, generic);
    const emitted = toolFunction(generic, { ...this.#input.schema, tools: [...this.#models.values()] }, this.#specs.get(tool), name);
    return { code: emitted.code, how: `generic ${generic.operation} template (offline)` };
  }

  async verify(): Promise<DomainOutput> {
    const { domain, schema } = this.#input;
    let source = this.#input.source;
    let writtenBy = this.#input.report.source;
    let moduleProblem: string | undefined;
    let compiled = await this.#compile(source);
    if (!compiled.ok && writtenBy === "model") {
      moduleProblem = `the model's module is unusable (${compiled.problem}); verified the templates instead`;
      source = templateModule(schema, this.#specs);
      writtenBy = "templates";
      compiled = await this.#compile(source);
    }
    const tools = schema.tools.map((m) => m.tool);
    const state = new Map<string, { run: ToolRun; rounds: number; repair?: string; firstFailures?: string[] }>();
    if (!compiled.ok) {
      const problem = `the module does not compile: ${compiled.problem}`;
      for (const tool of tools) state.set(tool, { run: { results: [], failures: [problem] }, rounds: 0 });
      return this.#finish(source, writtenBy, state, moduleProblem ?? problem);
    }
    for (const [tool, run] of await this.#runTools(compiled.module, tools)) state.set(tool, { run, rounds: 0 });

    for (let round = 1; round <= this.#options.repairRounds; round++) {
      const failing = tools.filter((tool) => (state.get(tool)?.run.failures.length ?? 0) > 0);
      if (failing.length === 0) break;
      const retried: string[] = [];
      let disputed = false;
      for (const tool of failing) {
        const entry = state.get(tool) as NonNullable<ReturnType<typeof state.get>>;
        const repaired = await this.#repair(source, tool, entry.run.failures, round, this.#disputable(tool, entry.run));
        if (!repaired) continue;
        if ("faults" in repaired) {
          // The code is kept: the failures of the faulty cases are the cases', not the tool's.
          const faults = [...(this.#caseFaults.get(tool) ?? []), ...repaired.faults];
          this.#caseFaults.set(tool, faults);
          entry.run = this.#withoutFaultyCases(tool, entry.run);
          this.#warn(tool, ...repaired.faults.map((f) => `case ${f.case} is at fault, not the tool: ${f.why}`));
          disputed = true;
          continue;
        }
        const replaced = await replaceFunction(source, this.#names.get(tool) as string, repaired.code);
        if (!replaced) continue;
        source = replaced;
        entry.rounds = round;
        entry.repair = repaired.how;
        entry.firstFailures ??= [...entry.run.failures];
        retried.push(tool);
      }
      if (retried.length === 0) {
        if (disputed) continue;
        break;
      }
      const recompiled = await this.#compile(source);
      if (!recompiled.ok) {
        for (const tool of retried)
          (state.get(tool) as { run: ToolRun }).run.failures.push(`after repair the module does not compile: ${recompiled.problem}`);
        break;
      }
      for (const [tool, run] of await this.#runTools(recompiled.module, retried))
        (state.get(tool) as { run: ToolRun }).run = this.#withoutFaultyCases(tool, run);
      this.#item.logger.debug({ domain, round, retried: retried.length }, "repair round");
    }
    return this.#finish(source, writtenBy, state, moduleProblem);
  }

  async #finish(
    source: string,
    writtenBy: "templates" | "model",
    state: Map<string, { run: ToolRun; rounds: number; repair?: string; firstFailures?: string[] }>,
    moduleProblem: string | undefined,
  ): Promise<DomainOutput> {
    const { domain, schema } = this.#input;
    const kept = new Set([...state].filter(([, entry]) => entry.run.failures.length === 0).map(([tool]) => tool));
    const dropped = schema.tools.map((m) => m.tool).filter((tool) => !kept.has(tool));
    const count = (results: readonly CaseResult[], category: CaseResult["category"]) =>
      results.filter((r) => r.category === category).length;
    const tools = schema.tools.map((m) => {
      const entry = state.get(m.tool) as { run: ToolRun; rounds: number; repair?: string; firstFailures?: string[] };
      const passed = kept.has(m.tool);
      return {
        tool: m.tool,
        function: this.#names.get(m.tool) as string,
        verdict: passed ? (entry.rounds > 0 ? "repaired" : "verified") : "dropped",
        cases: entry.run.results.length,
        success: count(entry.run.results, "success"),
        anticipated_rejection: count(entry.run.results, "anticipated"),
        unexpected_failure: count(entry.run.results, "unexpected"),
        rounds: entry.rounds,
        ...(entry.repair ? { repair: entry.repair } : {}),
        // What failed as written; for a tool dropped after repair, also what failed after it.
        failures: [
          ...(entry.firstFailures ?? (passed ? [] : entry.run.failures)),
          ...(!passed && entry.firstFailures ? entry.run.failures.map((f) => `after repair: ${f}`) : []),
        ].slice(0, 8),
        ...warningsOf(this.#models.get(m.tool) ?? m, this.#warnings.get(m.tool) ?? []),
        ...(this.#caseFaults.get(m.tool)?.length ? { case_faults: this.#caseFaults.get(m.tool) } : {}),
        ...(m.service
          ? {
              rules: ruleReport(
                this.#models.get(m.tool) ?? m,
                this.#ruleChecks.get(m.tool) ?? new Map(),
                new Map(entry.run.results.map((r) => [r.id, r.verdict === "pass"])),
              ),
            }
          : {}),
      } as Verification["tools"][number];
    });
    const summary = {
      tools: tools.length,
      verified: tools.filter((t) => t.verdict === "verified").length,
      repaired: tools.filter((t) => t.verdict === "repaired").length,
      dropped: tools.filter((t) => t.verdict === "dropped").length,
      cases: tools.reduce((sum, t) => sum + t.cases, 0),
      pass_rate: tools.length === 0 ? 0 : Number((kept.size / tools.length).toFixed(4)),
    };
    const verification: Verification = { domain, tools, summary, ...(moduleProblem ? { moduleProblem } : {}) };
    const finalSource = await withdrawFunctions(
      source,
      dropped.map((tool) => this.#names.get(tool) as string),
    );
    if (kept.size === 0) return { module: finalSource, verification, environment: null, bundle: null };
    const final = await this.#compile(finalSource, kept);
    if (!final.ok) {
      verification.moduleProblem = `the verified tools' module does not compile: ${final.problem}`;
      return { module: finalSource, verification, environment: null, bundle: null };
    }
    const environment: EnvironmentSpec = {
      domain,
      clock: this.#input.report.clock,
      ...(this.#input.report.clockStepMs !== undefined ? { clockStepMs: this.#input.report.clockStepMs } : {}),
      module: { source: "tools.ts", bundle: "tools.bundle.js", hash: final.module.hash, writtenBy },
      tools: schema.tools
        .filter((m) => kept.has(m.tool))
        .map((m) => {
          const model = this.#models.get(m.tool) as ToolModel;
          const spec = this.#specs.get(m.tool);
          return {
            name: this.#names.get(m.tool) as string,
            catalogName: m.tool,
            description: spec?.description ?? "",
            parameters: (spec?.parameters ?? { type: "object" }) as Record<string, z.infer<ReturnType<typeof z.json>>>,
            access: model.access,
            operation: model.operation,
            table: model.table,
          };
        }),
      tables: schema.tables.map((t) => t.name),
    };
    return { module: finalSource, verification, environment, bundle: final.module.script, bundleMap: final.module.sourceMap };
  }
}

/** What a service tool's verification leaves to say: rules taken out, cases not run, a change that changes nothing. */
function warningsOf(model: ToolModel, warnings: readonly string[]): { warnings?: string[] } {
  const out = [...warnings];
  if (model.service?.kind === "change" && model.service.effects.length === 0)
    out.push("no effect could be derived from its name, description, policy or data: it enforces its requirements and changes nothing");
  return out.length > 0 ? { warnings: out } : {};
}
