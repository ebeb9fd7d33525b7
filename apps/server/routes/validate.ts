// Validating a request part against its zod schema: the first problem, with where it is, as a 400.
import type { z } from "zod";
import { ProtocolError } from "../protocol-error.ts";

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "body";
  throw new ProtocolError(400, "VALIDATION_ERROR", `${what}: ${where}: ${issue?.message ?? "invalid"}`);
}
