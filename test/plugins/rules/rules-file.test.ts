// A rules file corrects a service's derived rules: a bad entry is refused naming the tool, the rule
// and what is wrong; a good one changes the code written and verification checks its rules, never
// relaxing them. On a parcel desk of our own whose derivation gets one rule wrong (holding a
// delivered parcel) and misses the policy's weight cap.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EnvscaleError } from "../../../kernel/errors.ts";
import type { DomainRules } from "../../../lib/contracts/domain-rules.ts";
import type { ToolModel } from "../../../lib/contracts/domain-schema.ts";
import { checkRulesFile, parseRulesText } from "../../../lib/contracts/rules-file.ts";
import type { Verification } from "../../../lib/contracts/verification.ts";
import { applyCorrections } from "../../../lib/rules-file/apply.ts";
import { relaxService } from "../../../plugins/verify/relax-rules.ts";
import { builtInStages } from "../../support/built-in-stages.ts";
import { fixtures, runCli, tempDir } from "../../support/helpers.ts";
import { runStages } from "../../support/pipeline.ts";

const desk = join(fixtures, "rules-file");
const TOOLS = ["get_parcel", "get_customer", "hold_parcel", "release_parcel"];
const THROUGH_VERIFY = new Set(["ingest", "tool-graph", "domains", "schema", "rules", "codegen", "verify"]);

function refusal(text: string): EnvscaleError {
  try {
    checkRulesFile(parseRulesText(text, "rules.yaml"), "rules.yaml", TOOLS);
  } catch (error) {
    return error as EnvscaleError;
  }
  throw new Error("the rules file was accepted");
}

const here = (path: string[]) => ({ hops: [], path });
const derived: DomainRules = {
  domain: "desk",
  tools: [
    {
      tool: "release_parcel",
      access: "write",
      operation: "set-status",
      table: "parcels",
      reads: ["parcels"],
      writes: ["parcels"],
      parameters: [],
      summary: "",
      service: {
        kind: "change",
        table: "parcels",
        keyParameter: "parcel_id",
        match: [],
        returns: "record",
        requires: [{ rule: { kind: "status-in", place: here(["status"]), values: ["Held"] }, source: "name", text: "only held" }],
        effects: [
          { rule: { kind: "set", place: here(["status"]), value: { kind: "constant", value: "Ready" } }, source: "name", text: "Ready" },
        ],
      },
    },
    {
      tool: "get_parcel",
      access: "read",
      operation: "get",
      table: "parcels",
      reads: ["parcels"],
      writes: [],
      parameters: [],
      summary: "",
      service: { kind: "get", table: "parcels", keyParameter: "parcel_id", match: [], returns: "record", requires: [], effects: [] },
    },
  ],
};

describe("a rules file that cannot be applied is refused, naming the tool, the rule and what is wrong", () => {
  it("an unknown tool, with the closest name", () => {
    const error = refusal("tools:\n  hold_parcels:\n    remove: [requires.1]\n");
    expect(error.code).toBe("E_RULES_FILE");
    expect(error.message).toBe(
      "rules file rules.yaml: tool hold_parcels: no tool of that name in the pack's catalog (did you mean hold_parcel?)",
    );
  });

  it("an unknown field, inside a rule or beside it", () => {
    const inRule = refusal(
      "tools:\n  release_parcel:\n    add:\n      effects:\n        - rule: {kind: set, place: {hops: [], path: [status]}, value: {kind: constant, value: Ready}, colour: blue}\n",
    );
    expect(inRule.message).toBe('rules file rules.yaml: tool release_parcel, rule add effects.1: unknown field "colour" at rule');
    const beside = refusal("tools:\n  hold_parcel:\n    delete: [requires.1]\n");
    expect(beside.message).toBe('rules file rules.yaml: tool hold_parcel: unknown field "delete"');
    expect(beside.details).toMatchObject({ tool: "hold_parcel", path: "tools.hold_parcel" });
  });

  it("a rule that does not parse against the rule language, at zod's path", () => {
    const empty = refusal(
      "tools:\n  hold_parcel:\n    replace:\n      requires.1:\n        rule: {kind: status-in, place: {hops: [], path: [status]}, values: []}\n",
    );
    expect(empty.message).toBe(
      "rules file rules.yaml: tool hold_parcel, rule requires.1: rule.values: Too small: expected array to have >=1 items",
    );
    const kind = refusal("tools:\n  hold_parcel:\n    add:\n      requires:\n        - rule: {kind: set, parameter: x}\n");
    expect(kind.message).toMatch(/^rules file rules\.yaml: tool hold_parcel, rule add requires\.1: rule\.kind: /);
    const name = refusal("tools:\n  hold_parcel:\n    remove: [requires.first]\n");
    expect(name.message).toBe("rules file rules.yaml: tool hold_parcel, rule remove[0]: a rule is named requires.N or effects.N");
    expect(refusal("tools: [oops\n").message).toMatch(/^rules file rules\.yaml: not YAML or JSON: /);
  });

  it("a rule that uses a parameter the tool does not have", () => {
    const raw = parseRulesText(
      "tools:\n  hold_parcel:\n    add:\n      requires:\n        - rule: {kind: positive, parameter: weight}\n",
      "rules.yaml",
    );
    expect(() => checkRulesFile(raw, "rules.yaml", TOOLS, new Map([["hold_parcel", ["parcel_id"]]]))).toThrow(
      'rules file rules.yaml: tool hold_parcel, rule add requires.1: the tool has no parameter "weight" (its parameters: parcel_id)',
    );
  });

  it("a rule number the tool does not have, and an effect on a tool that only reads", () => {
    const past = checkRulesFile({ tools: { release_parcel: { remove: ["effects.3"] } } }, "r.yaml", TOOLS);
    expect(() => applyCorrections(derived, past, "user", "rules file r.yaml")).toThrow(
      "rules file r.yaml: tool release_parcel, rule effects.3: the tool has only 1 effect",
    );
    const read = checkRulesFile(
      {
        tools: { get_parcel: { add: { effects: [{ rule: { kind: "set", place: here(["x"]), value: { kind: "constant", value: 1 } } }] } } },
      },
      "r.yaml",
      TOOLS,
    );
    expect(() => applyCorrections(derived, read, "user", "rules file r.yaml")).toThrow(
      "rules file r.yaml: tool get_parcel, rule add effects.1: the tool gets records; only a tool that changes or creates a record has effects",
    );
  });

  it("stops `envscale run` at ingest with exit 2 and one line naming the tool and rule", async () => {
    const result = await runCli([
      "run",
      join(desk, "tools.json"),
      "--data",
      join(desk, "data"),
      "--rules",
      join(desk, "bad-rule.yaml"),
      "--out",
      tempDir(),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_RULES_FILE: rules file .*bad-rule\.yaml: tool hold_parcel, rule requires\.1: rule\.values: Too small/);
  });

  it("is read from a catalog's `rules` in the config as from --rules", async () => {
    const dir = tempDir();
    const config = join(dir, "envscale.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        catalogs: [{ catalog: join(desk, "tools.json"), data: join(desk, "data"), rules: join(desk, "bad-unknown-tool.yaml") }],
      }),
    );
    const result = await runCli(["run", "--config", config, "--out", join(dir, "run")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("tool hold_parcels: no tool of that name in the pack's catalog (did you mean hold_parcel?)");
  });
});

describe("corrections applied", () => {
  it("replace, remove and add by number, with source user and the sentence as default text, and the file's clock", () => {
    const file = checkRulesFile(
      {
        clock: "2025-06-01T09:00:00Z",
        tools: {
          release_parcel: {
            remove: ["requires.1"],
            replace: { "effects.1": { rule: { kind: "set", place: here(["status"]), value: { kind: "constant", value: "Out" } } } },
            add: { requires: [{ rule: { kind: "positive", parameter: "count" }, text: "count is positive" }] },
          },
        },
      },
      "r.yaml",
      TOOLS,
    );
    const out = applyCorrections(derived, file, "user", "r.yaml", new Map([["parcels", "parcel"]]));
    expect(out.clock).toBe("2025-06-01T09:00:00Z");
    const service = out.tools[0]?.service;
    expect(service?.requires).toEqual([{ rule: { kind: "positive", parameter: "count" }, source: "user", text: "count is positive" }]);
    expect(service?.effects).toEqual([
      {
        rule: { kind: "set", place: here(["status"]), value: { kind: "constant", value: "Out" } },
        source: "user",
        text: 'sets `parcel.status` to "Out"',
      },
    ]);
    expect(out.tools[1]).toBe(derived.tools[1]);
  });

  it("a person's rules are never relaxed offline, even when a failure names them", () => {
    const user = {
      ...(derived.tools[0] as ToolModel),
      service: {
        ...(derived.tools[0]?.service as NonNullable<ToolModel["service"]>),
        requires: [
          { rule: { kind: "status-in" as const, place: here(["status"]), values: ["Held"] }, source: "user" as const, text: "only held" },
        ],
      },
    };
    const relaxed = relaxService(user, ["refused every valid call (valid-1: TOOL_ERROR: needs a parcel that is Held)"], 1, "parcel");
    expect(relaxed?.model.service?.requires ?? user.service.requires).toEqual(user.service.requires);
    const later = relaxService(user, ["anything"], 2, "parcel");
    expect(later?.model.service?.requires ?? user.service.requires).toEqual(user.service.requires);
  });
});

describe("a rules file that fixes a wrong rule", () => {
  it("changes the code written from the rules, and verification checks and keeps every corrected rule", async () => {
    const run = async (rules?: string) => {
      const catalog = join(desk, "tools.json");
      const pack = { catalog, data: join(desk, "data"), policy: join(desk, "policy.md"), ...(rules ? { rules } : {}) };
      return runStages({
        stages: builtInStages.filter((s) => THROUGH_VERIFY.has(s.name)),
        config: { stages: { ingest: { sources: [catalog], packs: [pack] } } },
      });
    };
    const before = await run();
    const after = await run(join(desk, "rules.yaml"));
    // Derived from the name alone: any parcel not yet Held may be held, a delivered one too.
    expect(before.text("envs/rules-file/rules.md")).toContain('- requires.1: `parcel.status` is one of "Delivered", "Ready". [name]');
    const code = (text: string) => text.slice(text.indexOf("function hold_parcel"), text.indexOf("function release_parcel"));
    expect(code(before.text("envs/rules-file/tools.ts"))).toContain(`["Delivered","Ready"].includes(record.status)`);
    expect(code(before.text("envs/rules-file/tools.ts"))).not.toContain("weight_kg");
    const fixed = code(after.text("envs/rules-file/tools.ts"));
    expect(fixed).toContain(`["Ready"].includes(record.status)`);
    expect(fixed).toContain('holds(record.weight_kg, "<=", 30)');
    expect(after.text("envs/rules-file/rules.md")).toContain(
      "- requires.2: `parcel.weight_kg` is at most 30. [user] “parcels heavier than 30 kg cannot be held (the policy)”",
    );
    const verification = after.json<Verification>("envs/rules-file/verification.json");
    expect(verification.summary).toMatchObject({ tools: 4, verified: 4, dropped: 0 });
    const hold = verification.tools.find((t) => t.tool === "hold_parcel");
    expect(hold?.rules?.filter((r) => r.source === "user")).toEqual([
      { kind: "status-in", source: "user", text: "only a parcel that is Ready can be held", case: "rule-1:status-in", held: true },
      {
        kind: "compare",
        source: "user",
        text: "parcels heavier than 30 kg cannot be held (the policy)",
        case: "rule-2:compare",
        held: true,
      },
    ]);
    expect(JSON.parse(readFileSync(join(after.runDir, "packs.json"), "utf8"))[0]).toMatchObject({
      rulesPath: join(desk, "rules.yaml"),
      rules: { tools: { hold_parcel: { add: { requires: [{ text: "parcels heavier than 30 kg cannot be held (the policy)" }] } } } },
    });
  }, 120_000);

  it("prints every tool's rules with `envscale rules RUN [DOMAIN]`, and names a domain it does not have", async () => {
    const out = tempDir();
    const run = await runStages({
      runDir: out,
      stages: builtInStages.filter((s) => THROUGH_VERIFY.has(s.name)),
      config: {
        stages: {
          ingest: {
            sources: [join(desk, "tools.json")],
            packs: [{ catalog: join(desk, "tools.json"), data: join(desk, "data"), policy: join(desk, "policy.md") }],
          },
        },
      },
    });
    const printed = await runCli(["rules", out, "rules-file"]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(run.text("envs/rules-file/rules.md"));
    expect(printed.stdout).toContain("Clock: 2025-05-02T09:00:00Z.");
    expect(printed.stdout).toContain(
      '## release_parcel\n\nWrites. It changes one record of parcels named by `parcel_id`; it answers the record.\n\n- requires.1: `parcel.status` is one of "Held". [description]',
    );
    const unknown = await runCli(["rules", out, "nowhere"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no rules for domain "nowhere" (its domains with rules: rules-file)');
  }, 120_000);
});
