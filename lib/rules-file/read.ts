// Reading a rules file (`--rules FILE`) at ingest: its text as YAML or JSON, checked against the
// rule language and the pack's tools at once, so that a bad entry stops the run before any stage
// builds on it, naming the tool, the rule and what is wrong.
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import { checkRulesFile, parseRulesText, rulesFileSchema } from "../contracts/rules-file.ts";

/** The rules file at `path`, checked against the pack's `tools` (and their `parameters`), in the file's own shape (packs.json keeps it). */
export async function readRulesFile(
  path: string,
  tools: readonly string[],
  parameters?: ReadonlyMap<string, readonly string[]>,
): Promise<z.output<typeof rulesFileSchema>> {
  const text = await readFile(path, "utf8").catch((error: Error) => {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read the rules file ${path}: ${error.message}`, { details: { file: path } });
  });
  const raw = parseRulesText(text, path);
  checkRulesFile(raw, path, tools, parameters);
  return rulesFileSchema.parse(raw ?? {});
}
