// The session secret an HTTP request presents to act on its episode: the `Envscale-Session-Secret`
// header, or a `session_secret` field of the body (of the query, for a GET). A reset answers it in
// `observation.metadata.session_secret` and in the same header.
import type { FastifyRequest } from "fastify";

export const SECRET_HEADER = "envscale-session-secret";

export function secretOf(request: FastifyRequest, fields: unknown = request.body): string | undefined {
  const header = request.headers[SECRET_HEADER];
  const named = (Array.isArray(header) ? header[0] : header) ?? (fields as { session_secret?: unknown } | null)?.session_secret;
  return typeof named === "string" && named ? named : undefined;
}
