// The stage contract: what a plugin author reads, and what the kernel promises to run.
//
// A stage is a plain object; a plugin file needs no import to define one. `defineStage` only adds
// types. Keep this file stable: other code and users depend on every name in it.
import type { Logger } from "pino";
import type { z } from "zod";
import type { Rng } from "./rng.ts";

/**
 * Artifact value types by kind. Plugins add their kinds by declaration merging:
 *
 *     declare module "../../kernel/stage.ts" { interface ArtifactTypes { catalog: Catalog } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface ArtifactTypes {}

/** Service instances by name (`sandbox`, `llm`, …), extended by declaration merging like ArtifactTypes. */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface ServiceTypes {}

export type ArtifactOf<K extends string> = K extends keyof ArtifactTypes ? ArtifactTypes[K] : unknown;
export type Inputs<C extends readonly string[]> = { [K in C[number]]: ArtifactOf<K> };
export type Outputs<P extends readonly string[]> = { [K in P[number]]: ArtifactOf<K> };

/**
 * How an artifact kind is validated and stored under the run directory.
 * - `json`: the value in `<kind>.json` (indented, sorted keys).
 * - `jsonl`: an array, one element per line of `<kind>.jsonl` (compact, sorted keys).
 * - `files`: a record `{key: value}`, one file per key at `path` (a template with `{key}`, default
 *   `<kind>/{key}.json`); a `.json` file holds JSON, `.jsonl` an array, anything else a string.
 */
export interface ArtifactSpec<T = unknown> {
  schema: z.ZodType<T>;
  format: "json" | "jsonl" | "files";
  path?: string;
  description?: string;
  /** How many items the value holds, for the manifest and the summary (default: array length or key count). */
  count?(value: T): number;
}

export interface Stage<C extends readonly string[] = readonly string[], P extends readonly string[] = readonly string[], O = unknown> {
  /** Unique, kebab-case. Users name it in `--only`, `--from`, `replaces` and config `stages.<name>`. */
  name: string;
  /** Artifact kinds this stage reads. Its `inputs` argument maps each of them to its value. */
  consumes: C;
  /**
   * Artifact kinds this stage writes; `run` returns a value for each. A stage that consumes and
   * produces the same kind transforms it: it runs between that kind's producer and its consumers.
   */
  produces: P;
  /** Schema of this stage's options (config `stages.<name>`); defaults come from it. */
  options?: z.ZodType<O, unknown>;
  /** Bump it when the stage's behaviour changes, so cached outputs are recomputed. */
  version?: string;
  /** Name of a stage this one takes the place of (it then produces what that one produced). */
  replaces?: string;
  /** Declarations of the artifact kinds this stage introduces. Undeclared kinds are any JSON in `<kind>.json`. */
  artifacts?: { [K in P[number]]?: ArtifactSpec<ArtifactOf<K>> };
  /** One line for `envscale stages`. */
  description?: string;
  /** Whether the stage takes part in this run (default: yes). Lets alternatives such as `propose-tools` opt in. */
  enabled?(options: O): boolean;
  /** A digest of inputs that are not artifacts (files the stage reads), so editing them invalidates the cache. */
  fingerprint?(options: O): string | Promise<string>;
  /** Longest the whole stage may run, in milliseconds (default: no limit; items have their own). */
  timeoutMs?: number;
  /**
   * Services whose configuration shapes this stage's outputs (the LLM, the sandbox's limits): their
   * fingerprints join the cache key, so switching the model recomputes the stages that used it.
   */
  uses?: readonly (keyof ServiceTypes)[];
  run(ctx: StageContext<O>, inputs: Inputs<C>): Outputs<P> | Promise<Outputs<P>>;
  /**
   * Units of this stage's work that can run on another machine (`envscale worker`), each rebuilt
   * there from a JSON payload. `run` hands them out with `ctx.mapJobs`; without a queue they run here.
   */
  jobs?: Record<string, JobHandler<O>>;
  /** Lines for the end-of-run summary, from the stage's validated outputs (kept in the manifest, so cached runs show them too). */
  summary?(outputs: Outputs<P>): string[];
}

/** Any stage, whatever its kinds and options. */
// biome-ignore lint/suspicious/noExplicitAny: the erased form every stage is assignable to
export type AnyStage = Stage<readonly string[], readonly string[], any>;

/** What a stage gets besides its inputs. */
export interface StageContext<O = unknown> {
  readonly stage: string;
  readonly options: O;
  /** The run seed; prefer `rng`, which is already derived from it and the stage name. */
  readonly seed: number;
  /** This stage's own random stream. `rng.fork(label)` gives independent sub-streams. */
  readonly rng: Rng;
  /** A pino child logger bound to the stage; writes to `<run>/logs.jsonl`. */
  readonly logger: Logger;
  readonly progress: Progress;
  /** Aborted when the run is interrupted or the stage times out. */
  readonly signal: AbortSignal;
  /** How many items may be in flight at once (`--concurrency`, config `concurrency`). */
  readonly concurrency: number;
  /** The run directory, for reading only: stages write through their outputs. */
  readonly runDir: string;
  readonly services: Services;
  /**
   * Map `fn` over items, at most `concurrency` at a time, journaling each finished item's result so
   * that a killed run resumes where it stopped. Results come back in item order. `key` must be
   * unique and stable across runs; each item gets its own random stream derived from it.
   */
  mapItems<T, R>(
    items: readonly T[],
    key: (item: T, index: number) => string,
    fn: (item: T, ctx: ItemContext) => R | Promise<R>,
    options?: MapItemsOptions,
  ): Promise<R[]>;
  /**
   * `mapItems` over the stage's job `job`: each item becomes `payload(item)` and runs through
   * `stage.jobs[job]` — here, or, when the run has a queue (`--queue`), as a BullMQ job on any
   * `envscale worker`. Results come back in item order and are journaled alike.
   */
  mapJobs<T, R>(
    job: string,
    items: readonly T[],
    key: (item: T, index: number) => string,
    payload: (item: T) => unknown,
    options?: MapItemsOptions,
  ): Promise<R[]>;
}

/** What a job gets: the stage's options and seed, the services of the process it runs in, and its item's context. */
export interface JobContext<O = unknown> {
  readonly stage: string;
  readonly options: O;
  readonly seed: number;
  readonly services: Services;
  readonly item: ItemContext;
}

/** A job: JSON payload in, JSON result out; the same result wherever it runs. */
// biome-ignore lint/suspicious/noExplicitAny: each stage types its own payloads
export type JobHandler<O = unknown> = (ctx: JobContext<O>, payload: any) => unknown;

export interface MapItemsOptions {
  /** Label for progress output (default: the stage name). */
  label?: string;
  /** Per-item time limit in milliseconds; an item past it fails the stage with E_STAGE_TIMEOUT. */
  timeoutMs?: number;
  /** Override the context's concurrency for this map. */
  concurrency?: number;
}

export interface ItemContext {
  readonly key: string;
  readonly rng: Rng;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface Progress {
  /** Start (or restart) a bar of `total` units. */
  start(total: number, label?: string): void;
  tick(units?: number): void;
  done(): void;
}

export interface Services {
  /** The service instance for `name`, created on first use and closed at the end of the run. */
  get<K extends keyof ServiceTypes>(name: K): Promise<ServiceTypes[K]>;
  has(name: string): boolean;
}

/**
 * A service plugin provides one port (`sandbox`, `llm`, …) to every stage. A later plugin for the
 * same port (a user's) takes the place of an earlier one (a built-in).
 */
export interface ServicePlugin<K extends keyof ServiceTypes = keyof ServiceTypes> {
  service: K;
  description?: string;
  /** What in the config changes this service's answers (e.g. the model name), for cache keys. */
  fingerprint?(config: Readonly<Record<string, unknown>>): string;
  create(ctx: ServiceContext): ServiceTypes[K] | Promise<ServiceTypes[K]>;
  close?(instance: ServiceTypes[K]): void | Promise<void>;
}

/** What a service gets when it is created. `metrics()` on an instance is summed into the manifest. */
export interface ServiceContext {
  /** The whole validated config; each service reads its own section. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  readonly runDir: string;
  readonly seed: number;
  readonly signal: AbortSignal;
}

/** Instances may expose counters (tokens, calls…); the kernel records each stage's increase. */
export interface MetricsSource {
  metrics(): Record<string, number>;
}

/**
 * Identity helper that only adds types:
 *
 *     export default defineStage({ name: "stats", consumes: ["catalog"], produces: ["stats"],
 *       run: (ctx, { catalog }) => ({ stats: { tools: catalog.tools.length } }) });
 */
export function defineStage<const C extends readonly string[], const P extends readonly string[], O = Record<string, never>>(
  stage: Stage<C, P, O>,
): Stage<C, P, O> {
  return stage;
}

/** Identity helper for service plugins. */
export function defineService<K extends keyof ServiceTypes>(plugin: ServicePlugin<K>): ServicePlugin<K> {
  return plugin;
}
