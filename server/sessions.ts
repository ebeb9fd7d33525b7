// Live episodes by id, with a cap on how many may be open and an idle timeout after which an
// episode is closed (its environment freed). Each episode has its own environment: no session ever
// sees another's state.
import { randomUUID } from "node:crypto";
import type { Task } from "../contracts/task.ts";
import type { SandboxEnvironment } from "../sandbox/index.ts";
import type { StepResult } from "./protocol.ts";
import { type EpisodeServices, ProtocolError, ServedEpisode } from "./served-episode.ts";

export interface SessionLimits {
  maxSessions: number;
  /** Close an episode nobody touched for this long (ms). */
  idleTimeoutMs: number;
}

export class Sessions {
  readonly #episodes = new Map<string, ServedEpisode>();
  readonly #services: EpisodeServices;
  readonly #limits: SessionLimits;
  /** Environments of finished episodes, by domain, kept for the next episode there (resetting one is far cheaper than opening one). */
  readonly #idle = new Map<string, SandboxEnvironment[]>();
  #idleCount = 0;
  /** Places taken by episodes still opening, so the cap holds under concurrent resets. */
  #opening = 0;
  readonly #sweeper: NodeJS.Timeout;
  #closing = false;

  constructor(services: EpisodeServices, limits: SessionLimits) {
    this.#services = services;
    this.#limits = limits;
    this.#sweeper = setInterval(() => void this.sweep(), Math.max(50, Math.min(5_000, limits.idleTimeoutMs / 4)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#episodes.size;
  }

  get limits(): SessionLimits {
    return this.#limits;
  }

  /** Start an episode of `task` (replacing the episode of the same id, if any). */
  async start(task: Task, id: string = randomUUID()): Promise<{ episode: ServedEpisode; result: StepResult }> {
    const previous = this.#episodes.get(id);
    if (previous) await this.close(id);
    if (this.#episodes.size + this.#opening >= this.#limits.maxSessions)
      throw new ProtocolError(503, "CAPACITY_REACHED", `all ${this.#limits.maxSessions} sessions are in use; close one or try later`);
    this.#opening += 1;
    try {
      const idle = this.#idle.get(task.domain)?.pop();
      if (idle) this.#idleCount -= 1;
      const started = await ServedEpisode.start(id, task, this.#services, idle);
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
    await episode.close((env) => {
      // Keep at most as many idle environments as sessions may be open.
      if (this.#closing || this.#idleCount >= this.#limits.maxSessions) return false;
      const list = this.#idle.get(episode.task.domain) ?? [];
      list.push(env);
      this.#idle.set(episode.task.domain, list);
      this.#idleCount += 1;
      return true;
    });
  }

  /** Close the episodes idle past the timeout. */
  async sweep(now = Date.now()): Promise<number> {
    const idle = [...this.#episodes.values()].filter((e) => now - e.lastActivity > this.#limits.idleTimeoutMs);
    await Promise.all(idle.map((e) => this.close(e.id)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#closing = true;
    await Promise.all([...this.#episodes.keys()].map((id) => this.close(id)));
    const idle = [...this.#idle.values()].flat();
    this.#idle.clear();
    this.#idleCount = 0;
    await Promise.all(idle.map((env) => env.close()));
  }
}
