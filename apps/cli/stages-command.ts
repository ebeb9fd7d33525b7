// `envscale stages`: the resolved plan, with what each stage consumes and produces and where it comes from.
import { relative } from "node:path";
import { buildPlan } from "../../kernel/plan.ts";
import { resolveStageOptions } from "../../kernel/stage-options.ts";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";
import { formatTable } from "./table.ts";

export async function stagesCommand(flags: { plugins?: string[]; config?: string; json?: boolean }, io: CliIo): Promise<void> {
  const composition = await compose({
    ...(flags.config ? { config: flags.config } : {}),
    ...(flags.plugins ? { plugins: flags.plugins } : {}),
  });
  const options = resolveStageOptions(composition.stages, composition.config);
  const plan = buildPlan(composition.stages, (stage) => stage.enabled?.(options.get(stage.name)) ?? true);
  const origin = (name: string) => {
    const file = composition.origins.get(name) ?? "";
    return composition.builtinFiles.has(file) ? "built-in" : relative(process.cwd(), file) || file;
  };
  if (flags.json) {
    const steps = plan.steps.map((step) => ({
      stage: step.stage.name,
      consumes: [...step.stage.consumes],
      produces: [...step.stage.produces],
      ...(step.stage.replaces ? { replaces: step.stage.replaces } : {}),
      origin: origin(step.stage.name),
    }));
    io.stdout.write(`${JSON.stringify({ steps, skipped: plan.skipped }, null, 2)}\n`);
    return;
  }
  const rows = plan.steps.map((step, i) => [
    String(i + 1),
    step.stage.name,
    step.stage.consumes.join(", ") || "-",
    step.stage.produces.join(", ") || "-",
    origin(step.stage.name) + (step.stage.replaces ? ` (replaces ${step.stage.replaces})` : ""),
  ]);
  io.stdout.write(`${formatTable(["#", "stage", "consumes", "produces", "from"], rows, [0])}\n`);
  if (plan.skipped.length > 0) {
    io.stdout.write(`\nnot in this run: ${plan.skipped.map((s) => `${s.stage} (${s.reason})`).join(", ")}\n`);
  }
}
