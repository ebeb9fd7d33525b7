// Live episodes by id, each owned by whoever opened it, with a cap on how many may be open and an
// idle timeout after which an episode is closed. Each episode has its own environment while it
// runs: no session ever sees another's state. Environments of finished episodes are reset (their
// journal and state let go) and wait, warm, in a bounded pool for the next episode of their domain.
//
// Ownership: a session opened over a WebSocket belongs to that socket; any other session belongs to
// the holder of the secret the server issued when it opened it (HTTP reset, MCP, NeMo Gym's
// cookie). Knowing an episode's id gives nothing: reading, stepping, closing or replacing it takes
// its socket or its secret. An id is taken the moment a reset names it, so concurrent resets of
// one id cannot open several environments, and a place under the cap is taken with it.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Task } from "../../lib/contracts/task.ts";
import { EnvironmentPool, type PoolLimits } from "../../lib/episodes/environment-pool.ts";
import { initialStateOf } from "../../lib/task-states/index.ts";
import type { SandboxEnvironment } from "../../sandbox/index.ts";
import type { StepResult } from "./protocol.ts";
import { ProtocolError } from "./protocol-error.ts";
import { type EpisodeServices, ServedEpisode } from "./served-episode.ts";

export interface SessionLimits {
  maxSessions: number;
  /** Close an episode nobody touched for this long (ms). */
  idleTimeoutMs: number;
  /** Warm environments kept between episodes (default: 4 per domain, 64 in all). */
  pool?: PoolLimits;
}

/** A WebSocket connection, as far as owning a session goes: whether it is still open. */
export interface SocketOwner {
  readonly readyState: number;
}
/** WebSocket's OPEN ready state (the WHATWG constant, which `ws` shares). */
const OPEN = 1;

/** Who a request comes from: the socket it came on, or the session secret it presents (if any). */
export type Requester = { socket: SocketOwner } | { secret: string | undefined };

interface Entry {
  readonly id: string;
  /** The owner's credential: issued to an HTTP opener, never given out for a socket's session. */
  readonly secret: string;
  readonly socket: SocketOwner | null;
  /** Null while the episode opens (or is being replaced): the id and its place are taken. */
  episode: ServedEpisode | null;
  /** Settles when the open (or replacement) under way is over. */
  opening: Promise<unknown> | null;
}

export class Sessions {
  readonly #entries = new Map<string, Entry>();
  readonly #bySecret = new Map<string, Entry>();
  readonly #services: EpisodeServices;
  readonly #limits: SessionLimits;
  readonly pool: EnvironmentPool;
  readonly #sweeper: NodeJS.Timeout;
  /** Environments lent out (a verify's replay): they count under the cap as sessions do. */
  #leases = 0;
  #closed = false;

  constructor(services: EpisodeServices, limits: SessionLimits) {
    this.#services = services;
    this.#limits = limits;
    this.pool = new EnvironmentPool(limits.pool ?? { perDomain: 4, total: 64 });
    this.#sweeper = setInterval(() => void this.sweep(), Math.max(50, Math.min(5_000, limits.idleTimeoutMs / 4)));
    this.#sweeper.unref();
  }

  /** Sessions open or opening: each holds (or is about to hold) an environment. */
  get size(): number {
    return this.#entries.size;
  }

  get limits(): SessionLimits {
    return this.#limits;
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Start an episode of `task` under `id` (a fresh one when absent) for `by`. An id in use is
   * replaced only for its owner (its old episode closed first), and only when no other reset of it
   * is under way. The answer carries the session's secret, for the opener to present later.
   */
  async start(task: Task, id: string | undefined, by: Requester): Promise<{ episode: ServedEpisode; secret: string; result: StepResult }> {
    if (this.#closed) throw new ProtocolError(503, "SHUTTING_DOWN", "the server is shutting down");
    const name = id ?? randomUUID();
    const existing = this.#entries.get(name);
    if (existing) {
      // A socket's episode whose socket is closing is abandoned: a reset may replace it (never read it).
      if (existing.socket === null || existing.socket.readyState === OPEN) this.#authorize(existing, by);
      const old = existing.episode;
      if (!old) throw busy(name);
      existing.episode = null;
      this.#forget(existing);
      const entry = this.#reserve(name, by, existing.socket === null ? existing.secret : undefined);
      // The old episode's end cannot fail the new one's start (its environment is closed or pooled either way).
      const replaced = this.#release(old).then(
        () => this.#open(entry, task),
        () => this.#open(entry, task),
      );
      entry.opening = replaced;
      return replaced;
    }
    this.#checkCapacity();
    const entry = this.#reserve(name, by);
    const opened = this.#open(entry, task);
    entry.opening = opened;
    return opened;
  }

  /** Take the id (and a place under the cap) for `by`, with a new secret for an HTTP opener, the old one for its owner replacing it. */
  #reserve(id: string, by: Requester, keepSecret?: string): Entry {
    const entry: Entry = {
      id,
      secret: keepSecret ?? randomBytes(32).toString("base64url"),
      socket: "socket" in by ? by.socket : null,
      episode: null,
      opening: null,
    };
    this.#entries.set(id, entry);
    this.#bySecret.set(entry.secret, entry);
    return entry;
  }

  #checkCapacity(): void {
    if (this.#entries.size + this.#leases >= this.#limits.maxSessions)
      throw new ProtocolError(503, "CAPACITY_REACHED", `all ${this.#limits.maxSessions} sessions are in use; close one or try later`);
  }

  /** Open the entry's episode; on failure the entry (and any environment) goes. */
  async #open(entry: Entry, task: Task): Promise<{ episode: ServedEpisode; secret: string; result: StepResult }> {
    let env: SandboxEnvironment | undefined;
    try {
      env = await this.#environment(task);
      const started = await ServedEpisode.start(entry.id, task, this.#services, env);
      if (this.#closed) throw new ProtocolError(503, "SHUTTING_DOWN", "the server is shutting down");
      entry.episode = started.episode;
      return { ...started, secret: entry.secret };
    } catch (error) {
      this.#forget(entry);
      await env?.close().catch(() => {});
      throw error;
    } finally {
      entry.opening = null;
    }
  }

  /** An environment at `task`'s start: a warm one of its domain reset to the task's state, or a new one. */
  async #environment(task: Task): Promise<SandboxEnvironment> {
    const state = initialStateOf(task, this.#services.judge.states);
    const options = { clock: task.clock, seed: task.seed };
    const warm = this.pool.take(task.domain);
    if (!warm) return this.#services.sandbox.open(await this.#services.module(task.domain), state, options);
    try {
      await warm.reset(state, options);
    } catch (error) {
      await warm.close().catch(() => {});
      throw error;
    }
    return warm;
  }

  /**
   * Run `use` on an environment at `task`'s start that no session sees (a verify's replay). It takes
   * a place under the cap while it runs, and goes back to the pool after.
   */
  async lease<T>(task: Task, use: (env: SandboxEnvironment) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ProtocolError(503, "SHUTTING_DOWN", "the server is shutting down");
    this.#checkCapacity();
    this.#leases += 1;
    try {
      const env = await this.#environment(task);
      let result: T;
      try {
        result = await use(env);
      } catch (error) {
        await env.close().catch(() => {});
        throw error;
      }
      if (!(await this.#keep(task.domain, env))) await env.close();
      return result;
    } finally {
      this.#leases -= 1;
    }
  }

  /** The episode `id`, for `by` only: 404 when there is none, 403 when it is someone else's, 409 while it opens. */
  get(id: string, by: Requester): ServedEpisode {
    const entry = this.#entries.get(id);
    if (!entry)
      throw new ProtocolError(
        404,
        "UNKNOWN_EPISODE",
        `no open episode ${JSON.stringify(id)} (never reset, closed, or idle past the timeout)`,
      );
    this.#authorize(entry, by);
    if (!entry.episode) throw busy(id);
    entry.episode.lastActivity = Date.now();
    return entry.episode;
  }

  /** The episode whose secret this is (an MCP session id, NeMo Gym's cookie). */
  bySecret(secret: string): ServedEpisode {
    const entry = this.#bySecret.get(secret);
    if (!entry || entry.socket !== null)
      throw new ProtocolError(404, "UNKNOWN_EPISODE", "no open session of that id (closed, or idle past the timeout)");
    if (!entry.episode) throw busy(entry.id);
    entry.episode.lastActivity = Date.now();
    return entry.episode;
  }

  /** The secret of an open episode (what MCP names a session bound to it by). */
  secretOf(episode: ServedEpisode): string {
    return (this.#entries.get(episode.id) as Entry).secret;
  }

  /** End `by`'s episode `id` (who may: as for get). */
  async end(id: string, by: Requester): Promise<void> {
    this.get(id, by);
    await this.close(id);
  }

  /** End `by`'s episode `id` if it is still open and still theirs (a socket's clean-up); never throws. */
  async endIfOwned(id: string, by: Requester): Promise<void> {
    await this.end(id, by).catch(() => {});
  }

  /** End the episode `id` (server-side: the caller has checked who asks). */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry?.episode) return;
    const { episode } = entry;
    this.#forget(entry);
    await this.#release(episode);
  }

  #forget(entry: Entry): void {
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
    this.#bySecret.delete(entry.secret);
  }

  /** End an episode; its environment goes to the pool or is closed. */
  #release(episode: ServedEpisode): Promise<void> {
    return episode.close((env) => this.#keep(episode.task.domain, env));
  }

  /** Give an environment to the pool, reset first so that it lets go of its episode's calls and state; false: close it. */
  async #keep(domain: string, env: SandboxEnvironment): Promise<boolean> {
    if (this.#closed) return false;
    try {
      await env.reset();
    } catch {
      return false;
    }
    return this.pool.give(domain, env);
  }

  #authorize(entry: Entry, by: Requester): void {
    const owns =
      entry.socket !== null ? "socket" in by && by.socket === entry.socket : "secret" in by && sameSecret(by.secret, entry.secret);
    if (!owns)
      throw new ProtocolError(
        403,
        "NOT_OWNER",
        entry.socket !== null
          ? `episode ${JSON.stringify(entry.id)} belongs to another WebSocket connection`
          : `episode ${JSON.stringify(entry.id)} belongs to another client: present the session_secret its reset returned`,
      );
  }

  /** Close the episodes idle past the timeout. */
  async sweep(now = Date.now()): Promise<number> {
    const idle = [...this.#entries.values()].filter((e) => e.episode && now - e.episode.lastActivity > this.#limits.idleTimeoutMs);
    await Promise.all(idle.map((e) => this.close(e.id)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#entries.values()].map((e) => e.opening));
    await Promise.all([...this.#entries.keys()].map((id) => this.close(id)));
    await this.pool.close();
  }
}

const busy = (id: string) =>
  new ProtocolError(409, "SESSION_BUSY", `episode ${JSON.stringify(id)} is being reset by another request; retry when it answers`);

/** Compare secrets in constant time (digests, so that lengths do not matter either). */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
