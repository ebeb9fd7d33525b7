// `--token`: every request (HTTP, the WebSocket upgrade, MCP) carries `Authorization: Bearer
// <token>` or is answered 401 before any route runs. Compared in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ProtocolError } from "./protocol-error.ts";

const digest = (text: string) => createHash("sha256").update(text).digest();

export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(`Bearer ${token}`);
  app.addHook("onRequest", async (request, reply) => {
    const given = request.headers.authorization;
    if (typeof given === "string" && timingSafeEqual(digest(given), expected)) return;
    reply.header("WWW-Authenticate", 'Bearer realm="envscale"');
    throw new ProtocolError(
      401,
      "UNAUTHORIZED",
      given ? "the bearer token is not this server's" : "this server asks for a bearer token: send Authorization: Bearer <token>",
    );
  });
}
