// Live episodes by id, with a cap on how many may be open and an idle timeout after which an
// episode is closed. Each episode has its own environment while it runs: no session ever sees
// another's state. Environments of finished episodes wait, warm, in a bounded pool for the next
// episode of their domain.
import { randomUUID } from "node:crypto";
import type { Task } from "../../lib/contracts/task.ts";
import { EnvironmentPool, type PoolLimits } from "../../lib/episodes/environment-pool.ts";
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

export class Sessions {
  readonly #episodes = new Map<string, ServedEpisode>();
  readonly #services: EpisodeServices;
  readonly #limits: SessionLimits;
  readonly pool: EnvironmentPool;
  /** Places taken by episodes still opening, so the cap holds under concurrent resets. */
  #opening = 0;
  readonly #sweeper: NodeJS.Timeout;

  constructor(services: EpisodeServices, limits: SessionLimits) {
    this.#services = services;
    this.#limits = limits;
    this.pool = new EnvironmentPool(limits.pool ?? { perDomain: 4, total: 64 });
    this.#sweeper = setInterval(() => void this.sweep(), Math.max(50, Math.min(5_000, limits.idleTimeoutMs / 4)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#episodes.size;
  }

  get limits(): SessionLimits {
    return this.#limits;
  }

  has(id: string): boolean {
    return this.#episodes.has(id);
  }

  /** Start an episode of `task` (replacing the episode of the same id, if any). */
  async start(task: Task, id: string = randomUUID()): Promise<{ episode: ServedEpisode; result: StepResult }> {
    if (this.#episodes.has(id)) await this.close(id);
    if (this.#episodes.size + this.#opening >= this.#limits.maxSessions)
      throw new ProtocolError(503, "CAPACITY_REACHED", `all ${this.#limits.maxSessions} sessions are in use; close one or try later`);
    this.#opening += 1;
    try {
      const started = await ServedEpisode.start(id, task, this.#services, this.pool.take(task.domain));
      this.#episodes.set(id, started.episode);
      return started;
    } finally {
      this.#opening -= 1;
    }
  }

  get(id: string): ServedEpisode {
    const episode = this.#episodes.get(id);
    if (!episode)
      throw new ProtocolError(
        404,
        "UNKNOWN_EPISODE",
        `no open episode ${JSON.stringify(id)} (never reset, closed, or idle past the timeout)`,
      );
    episode.lastActivity = Date.now();
    return episode;
  }

  async close(id: string): Promise<void> {
    const episode = this.#episodes.get(id);
    if (!episode) return;
    this.#episodes.delete(id);
    await episode.close((env) => this.pool.give(episode.task.domain, env));
  }

  /** Close the episodes idle past the timeout. */
  async sweep(now = Date.now()): Promise<number> {
    const idle = [...this.#episodes.values()].filter((e) => now - e.lastActivity > this.#limits.idleTimeoutMs);
    await Promise.all(idle.map((e) => this.close(e.id)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.pool.close();
    await Promise.all([...this.#episodes.keys()].map((id) => this.close(id)));
  }
}
