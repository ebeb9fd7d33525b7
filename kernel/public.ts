// What plugin and config authors import from envscale: the helpers and the contract's types.
export { defineConfig, type EnvscaleConfig } from "./config.ts";
export { EnvscaleError, type ErrorCode, errorCatalog } from "./errors.ts";
export type { Rng } from "./rng.ts";
export {
  type AnyStage,
  type ArtifactSpec,
  type ArtifactTypes,
  defineService,
  defineStage,
  type Inputs,
  type ItemContext,
  type JobContext,
  type JobHandler,
  type Outputs,
  type Progress,
  type ServiceContext,
  type ServicePlugin,
  type Services,
  type ServiceTypes,
  type Stage,
  type StageContext,
} from "./stage.ts";
