// Benchmark: how faithful offline environments are to the services they model.
//   node bench/fidelity.bench.ts [PACK ...] [--details] [--records] [--with-rules]   (default: every pack in examples/packs)
//
// For each pack under examples/packs: `envscale run CATALOG --data --policy` as a user types it,
// then the pack's gold call sequences (test/fixtures/packs/<pack>/tasks.jsonl) replayed in the
// verified environment and in the pack's hand-written reference service, from the same data, as
// `envscale call --spec --calls --state --state-out` replays them. Prints, per pack: tools without an
// environment, rules derived by source, calls that went through or were refused alike, and of the
// tasks whose reference changes records, how many change the same records and leave them equal;
// with --details, every disagreement, so a regression says where it is; with --with-rules, a pack's
// own rules file (examples/packs/<pack>/rules.yaml, a person's corrections) is given as `--rules`
// (without it, the figures are offline derivation's alone). A pack whose run fails is
// reported with every tool without an environment, and the next pack runs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { declarationsOf } from "../lib/contracts/environment-spec.ts";
import type { Verification } from "../lib/contracts/verification.ts";
import { loadEnvironment, loadRun } from "../lib/episodes/run-directory.ts";
import { compileToolModule, Sandbox } from "../sandbox/index.ts";
import { type Fidelity, type GoldTask, measureFidelity, type Reference } from "./support/fidelity.ts";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const details = args.includes("--details");
const withRules = args.includes("--with-rules");
// With --records, each differing record as the reference and the environment left it.
const records = args.includes("--records");
const named = args.filter((a) => !a.startsWith("--"));
const packs = named.length > 0 ? named : readdirSync(join(root, "examples", "packs")).sort();
const sandbox = await Sandbox.start({ processes: 1 });
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
const totals = { tools: 0, missing: 0, calls: 0, agreed: 0, changing: 0, same: 0, equal: 0 };

try {
  for (const name of packs) {
    const dir = join(root, "examples", "packs", name);
    const data = [join(dir, "data.json"), join(dir, "data")].find((p) => existsSync(p)) as string;
    const catalog = JSON.parse(readFileSync(join(dir, "tools.json"), "utf8")) as unknown[];
    const tasks = readFileSync(join(root, "test", "fixtures", "packs", name, "tasks.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as GoldTask);
    totals.tools += catalog.length;
    const { tools: reference } = (await import(join(root, "test", "fixtures", "packs", name, "reference.ts"))) as { tools: Reference };
    const out = mkdtempSync(join(tmpdir(), `envscale-fidelity-${name}-`));
    const started = performance.now();
    const add = (f: Fidelity) =>
      Object.assign(totals, {
        calls: totals.calls + f.calls,
        agreed: totals.agreed + f.callsAgreed,
        changing: totals.changing + f.changingTasks,
        same: totals.same + f.sameRecords,
        equal: totals.equal + f.equalRecords,
      });
    const withoutEnvironment = async (why: string) => {
      totals.missing += catalog.length;
      const f = await measureFidelity({ sandbox, module: undefined, reference, dataPath: data, tasks, clock: "" });
      add(f);
      console.log(
        `${name}: ${why}; ${catalog.length}/${catalog.length} tools without an environment; changing tasks ${f.changingTasks}: none alike`,
      );
    };
    try {
      execFileSync(
        process.execPath,
        [
          join(root, "bin", "envscale.ts"),
          "run",
          join(dir, "tools.json"),
          "--data",
          data,
          "--policy",
          join(dir, "policy.md"),
          ...(withRules && existsSync(join(dir, "rules.yaml")) ? ["--rules", join(dir, "rules.yaml")] : []),
          "--out",
          out,
        ],
        { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
      );
    } catch (error) {
      await withoutEnvironment(
        `the run failed: ${String((error as { stderr?: string }).stderr ?? "")
          .trim()
          .split("\n")
          .pop()}`,
      );
      continue;
    }
    const seconds = (performance.now() - started) / 1000;
    const run = await loadRun(out);
    // As the judge replays: envs/<pack>/tools.ts compiled with its environment.json (`envscale call --spec`).
    const loaded = await loadEnvironment(out, name).catch(() => null);
    const spec = loaded?.spec;
    const compiled = loaded ? await compileToolModule(loaded.source, { filename: "tools.ts", tools: declarationsOf(loaded.spec) }) : null;
    const module = compiled?.ok ? compiled.module : undefined;
    if (!module || !spec) {
      await withoutEnvironment("the run built no environment");
      continue;
    }
    const missing = catalog.length - spec.tools.length;
    totals.missing += missing;
    const verification = JSON.parse(readFileSync(join(out, "envs", name, "verification.json"), "utf8")) as Verification;
    const rules = verification.tools.flatMap((t) => t.rules ?? []);
    const bySource = Object.entries(
      rules.reduce<Record<string, number>>((acc, r) => {
        acc[r.source] = (acc[r.source] ?? 0) + 1;
        return acc;
      }, {}),
    )
      .sort()
      .map(([source, n]) => `${source} ${n}`)
      .join(", ");
    const f = await measureFidelity({
      sandbox,
      module,
      reference,
      dataPath: data,
      tasks,
      clock: spec.clock ?? "2025-03-03T09:00:00Z",
      ...(spec.clockStepMs !== undefined ? { clockStepMs: spec.clockStepMs } : {}),
      functionOf: new Map(spec.tools.flatMap((t) => (t.catalogName ? [[t.catalogName, t.name] as [string, string]] : []))),
    });
    add(f);
    const checked = rules.filter((r) => r.case !== undefined);
    const generated = run.tasks.filter((t) => t.domain === name);
    console.log(
      `${name}: ${missing}/${catalog.length} tools without an environment; ` +
        `${rules.length} rules (${bySource}), ${checked.length} checked by a case, ${checked.filter((r) => r.held).length} held; ` +
        `gold calls alike ${f.callsAgreed}/${f.calls} (${pct(f.callsAgreed, f.calls)}); ` +
        `changing tasks ${f.changingTasks}: same records ${f.sameRecords} (${pct(f.sameRecords, f.changingTasks)}), ` +
        `equal ${f.equalRecords} (${pct(f.equalRecords, f.changingTasks)}); ` +
        `generated tasks ${generated.length}, ${(generated.reduce((n, t) => n + t.gold_calls.length, 0) / Math.max(1, generated.length)).toFixed(1)} calls each; run ${seconds.toFixed(1)} s`,
    );
    if (!details) continue;
    for (const task of f.tasks) {
      for (const d of task.disagreements) console.log(`  ${task.id} ${d.tool}: reference ${d.reference} | environment ${d.environment}`);
      if (task.referenceChanged.length > 0 && task.differing.length > 0)
        console.log(`  ${task.id}: records differ: ${task.differing.join(", ")}`);
      if (task.referenceChanged.join() !== task.changed.join())
        console.log(`  ${task.id}: reference changed [${task.referenceChanged}], environment [${task.changed}]`);
      if (records)
        for (const r of task.records)
          console.log(`    ${r.id}\n      reference   ${JSON.stringify(r.reference)}\n      environment ${JSON.stringify(r.environment)}`);
    }
  }
  console.log(
    `all: ${totals.missing}/${totals.tools} tools without an environment; gold calls alike ${totals.agreed}/${totals.calls} ` +
      `(${pct(totals.agreed, totals.calls)}); changing tasks ${totals.changing}: same records ${totals.same} ` +
      `(${pct(totals.same, totals.changing)}), equal ${totals.equal} (${pct(totals.equal, totals.changing)})`,
  );
} finally {
  await sandbox.close();
}
