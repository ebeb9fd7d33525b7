// Warm environments by domain: an episode that ends leaves its environment here, and the next
// episode of the same domain resets it to its own task's state instead of building an isolate.
// Bounded per domain and in all; past the bound the least recently returned environment is closed,
// so however many episodes come and go, the environments held stay within the bound.
import type { SandboxEnvironment } from "../../sandbox/index.ts";

export interface PoolLimits {
  /** Warm environments kept for one domain. */
  perDomain: number;
  /** Warm environments kept in all. */
  total: number;
}

export class EnvironmentPool {
  readonly #limits: PoolLimits;
  /** Domain → its warm environments, most recently returned last; Map order is least recently used domain first. */
  readonly #warm = new Map<string, SandboxEnvironment[]>();
  #size = 0;
  #closed = false;
  readonly counters = { reused: 0, returned: 0, evicted: 0 };

  constructor(limits: PoolLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#size;
  }

  /** A warm environment of `domain`, or undefined (the caller opens one). */
  take(domain: string): SandboxEnvironment | undefined {
    const list = this.#warm.get(domain);
    const env = list?.pop();
    if (!env) return undefined;
    if (list?.length === 0) this.#warm.delete(domain);
    this.#size -= 1;
    this.counters.reused += 1;
    return env;
  }

  /** Keep an environment for the next episode of its domain; false when the pool is closed (the caller closes it). */
  give(domain: string, env: SandboxEnvironment): boolean {
    if (this.#closed) return false;
    const list = this.#warm.get(domain) ?? [];
    list.push(env);
    // Re-inserting moves the domain to the end: the front is then the least recently used.
    this.#warm.delete(domain);
    this.#warm.set(domain, list);
    this.#size += 1;
    this.counters.returned += 1;
    if (list.length > this.#limits.perDomain) this.#evict(list.shift() as SandboxEnvironment);
    while (this.#size > this.#limits.total) {
      const [oldest, envs] = this.#warm.entries().next().value as [string, SandboxEnvironment[]];
      this.#evict(envs.shift() as SandboxEnvironment);
      if (envs.length === 0) this.#warm.delete(oldest);
    }
    return true;
  }

  #evict(env: SandboxEnvironment): void {
    this.#size -= 1;
    this.counters.evicted += 1;
    void env.close();
  }

  /** Close every warm environment; later returns are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#warm.values()].flat();
    this.#warm.clear();
    this.#size = 0;
    await Promise.all(all.map((env) => env.close()));
  }
}
