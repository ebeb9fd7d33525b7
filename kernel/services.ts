// Services (sandbox, LLM provider…) behind their ports: created on first use, closed at the end.
import { EnvscaleError, toEnvscaleError } from "./errors.ts";
import type { MetricsSource, ServiceContext, ServicePlugin, Services, ServiceTypes } from "./stage.ts";

export class ServiceRegistry implements Services {
  readonly #plugins = new Map<string, ServicePlugin>();
  readonly #instances = new Map<string, Promise<unknown>>();
  readonly #context: ServiceContext;

  /** Later plugins for a port replace earlier ones (a user's service over a built-in). */
  constructor(plugins: readonly ServicePlugin[], context: ServiceContext) {
    for (const plugin of plugins) this.#plugins.set(plugin.service, plugin);
    this.#context = context;
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** The fingerprint of a service's configuration ("" when it has none or does not exist). */
  fingerprint(name: string): string {
    return this.#plugins.get(name)?.fingerprint?.(this.#context.config) ?? "";
  }

  get<K extends keyof ServiceTypes>(name: K): Promise<ServiceTypes[K]> {
    let instance = this.#instances.get(name as string);
    if (!instance) {
      const plugin = this.#plugins.get(name as string);
      if (!plugin) {
        return Promise.reject(
          new EnvscaleError("E_INTERNAL", `no service provides "${String(name)}"`, {
            hint: `known services: ${[...this.#plugins.keys()].join(", ") || "none"}`,
          }),
        );
      }
      instance = Promise.resolve()
        .then(() => plugin.create(this.#context))
        .catch((error: unknown) => {
          throw toEnvscaleError(error, "E_INTERNAL", `service "${String(name)}" failed to start`);
        });
      this.#instances.set(name as string, instance);
    }
    return instance as Promise<ServiceTypes[K]>;
  }

  /** Current counters of every started service that exposes `metrics()`. */
  async metrics(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, pending] of this.#instances) {
      const instance = await pending.catch(() => null);
      if (instance && typeof (instance as Partial<MetricsSource>).metrics === "function") {
        out[name] = (instance as MetricsSource).metrics();
      }
    }
    return out;
  }

  async closeAll(): Promise<void> {
    const closing = [...this.#instances].map(async ([name, pending]) => {
      const instance = await pending.catch(() => null);
      const plugin = this.#plugins.get(name);
      if (instance && plugin?.close) await plugin.close(instance as never);
    });
    this.#instances.clear();
    await Promise.allSettled(closing);
  }
}

/** What each counter rose by between two snapshots (counters that did not move are left out). */
export function metricsDelta(
  before: Record<string, Record<string, number>>,
  after: Record<string, Record<string, number>>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [service, counters] of Object.entries(after)) {
    for (const [name, value] of Object.entries(counters)) {
      const delta = value - (before[service]?.[name] ?? 0);
      if (delta !== 0) (out[service] ??= {})[name] = delta;
    }
  }
  return out;
}
