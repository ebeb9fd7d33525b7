// Benchmark: how faithful offline environments are to the services they model.
//   node bench/fidelity.bench.ts [PACK ...]        (default: library clinic outfitters mobile)
//
// For each domain pack under examples/packs: `envscale run CATALOG --data --policy` as a user
// types it, then the pack's gold call sequences (test/fixtures/packs/<pack>/tasks.jsonl) replayed
// in the verified environment and in the pack's hand-written reference service, from the same
// data. Prints, per pack: tools kept, rules derived by source, calls that went through or were
// refused alike, and of the tasks whose reference changes records, how many change the same
// records and leave them equal; then every disagreement, so a regression says where it is.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { JsonObject } from "../kernel/canonical-json.ts";
import type { Verification } from "../lib/contracts/verification.ts";
import { readData } from "../lib/data-pack/read.ts";
import { loadRun, storedModule } from "../lib/episodes/run-directory.ts";
import { Sandbox } from "../sandbox/index.ts";
import { type GoldTask, measureFidelity, type Reference } from "./support/fidelity.ts";

const root = resolve(import.meta.dirname, "..");
const packs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["library", "clinic", "outfitters", "mobile"];
const sandbox = await Sandbox.start({ processes: 1 });
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;

try {
  for (const name of packs) {
    const dir = join(root, "examples", "packs", name);
    const data = ["data.json", "data"]
      .map((d) => join(dir, d))
      .find((p) => {
        try {
          readFileSync(p);
          return true;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === "EISDIR";
        }
      }) as string;
    const out = mkdtempSync(join(tmpdir(), `envscale-fidelity-${name}-`));
    const started = performance.now();
    execFileSync(
      process.execPath,
      [join(root, "bin", "envscale.ts"), "run", join(dir, "tools.json"), "--data", data, "--policy", join(dir, "policy.md"), "--out", out],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const seconds = (performance.now() - started) / 1000;
    const run = await loadRun(out);
    const module = await storedModule(run, name);
    if (!module) throw new Error(`${name}: the run built no environment`);
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
    const tasks = readFileSync(join(root, "test", "fixtures", "packs", name, "tasks.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as GoldTask);
    const { tools: reference } = (await import(join(root, "test", "fixtures", "packs", name, "reference.ts"))) as { tools: Reference };
    const f = await measureFidelity({
      sandbox,
      module,
      reference,
      data: (await readData(data)).data as JsonObject,
      tasks,
      clock: run.environments[name]?.clock ?? "2025-03-03T09:00:00Z",
    });
    const checked = rules.filter((r) => r.case !== undefined);
    const generated = run.tasks.filter((t) => t.domain === name);
    console.log(
      `${name}: ${verification.summary.verified + verification.summary.repaired}/${verification.summary.tools} tools kept; ` +
        `${rules.length} rules (${bySource}), ${checked.length} checked by a case, ${checked.filter((r) => r.held).length} held; ` +
        `gold calls alike ${f.callsAgreed}/${f.calls} (${pct(f.callsAgreed, f.calls)}); ` +
        `changing tasks ${f.changingTasks}: same records ${f.sameRecords} (${pct(f.sameRecords, f.changingTasks)}), ` +
        `equal ${f.equalRecords} (${pct(f.equalRecords, f.changingTasks)}); ` +
        `generated tasks ${generated.length}, ${(generated.reduce((n, t) => n + t.gold_calls.length, 0) / Math.max(1, generated.length)).toFixed(1)} calls each; run ${seconds.toFixed(1)} s`,
    );
    for (const task of f.tasks) {
      for (const d of task.disagreements) console.log(`  ${task.id} ${d.tool}: reference ${d.reference} | environment ${d.environment}`);
      if (task.referenceChanged.length > 0 && task.differing.length > 0)
        console.log(`  ${task.id}: records differ: ${task.differing.join(", ")}`);
      if (task.referenceChanged.join() !== task.changed.join())
        console.log(`  ${task.id}: reference changed [${task.referenceChanged}], environment [${task.changed}]`);
    }
  }
} finally {
  await sandbox.close();
}
