import "reflect-metadata";
// Importing @aflora/core registers TensorFlow.js's own gradients (tfjs-core's Node entry registers none).
import "./nn/tfjs-gradients.js";

// Backends: selection (wasm by default, cpu, native), kernel profiling.
export { BACKEND_NAMES, type BackendName } from "./backend-name.js";
export {
  currentBackendName,
  describeBackend,
  selectBackend,
  selectBackendInfo,
  type BackendSelection,
  type SelectBackendOptions,
} from "./backend.js";
export { NATIVE_HINT, type NativeModule } from "./backend-native.js";
export {
  createKernelProfiler,
  renderKernelProfile,
  type KernelProfile,
  type KernelProfiler,
  type KernelProfilerOptions,
  type KernelProfileRow,
} from "./backend-kernel-profiler.js";
export { registerKernelProfiler, type KernelProfilerPluginOptions } from "./backend-kernel-profiler-plugin.js";
export { installFastGradients, uninstallFastGradients } from "./nn/fast-gradients.js";

// The trainer's event stream, as plugins and reporters see it.
export {
  TRAINER_EVENT_TYPES,
  type CheckpointSavedEvent,
  type EpochEndEvent,
  type EpochStartEvent,
  type EvalEndEvent,
  type ParamsFrozenEvent,
  type RunEndEvent,
  type RunEndStatus,
  type RunErrorEvent,
  type RunStartEvent,
  type RunSummary,
  type StepEndEvent,
  type StepGradientsEvent,
  type StepStartEvent,
  type TrainableCounts,
  type TrainerEvent,
  type TrainerEventOf,
  type TrainerEventType,
} from "./events.js";
export { EventBus } from "./event-bus.js";
export { eventLogRecord, type EventLogLevel } from "./event-log.js";

// Run-scoped dependency injection: tokens and the per-run container.
export { Tokens } from "./tokens.js";
export { createRunContainer, RunTokens, type RunContainerValues } from "./container.js";
export type { RunInfo } from "./run-info.js";
export { RunControl } from "./run-control.js";

// Contracts every plugin implements or receives.
export type { Json, PluginContext, Stateful, TrainerControl, TrainerPlugin } from "./trainer-plugin.js";
export type { FreezeSchedule, FreezingScorer, ScheduleContext, ScheduleDecision, TrackedMatrix } from "./freezing.js";
export type { EncodeOptions, Encoding, Tokenizer } from "./tokenizer.js";
export type { LossAndGradients, TextBatch, TrainableModel } from "./model.js";
export type { BatchSource, Evaluator } from "./data.js";
export type {
  AdapterApplyContext,
  AdapterFactory,
  LoadedModel,
  LoadedTask,
  ModelLoadContext,
  ModelSource,
  ReadStat,
  Reporter,
  RunAdapter,
  RunTask,
  TaskInfo,
  TaskLoadOptions,
} from "./compose/contracts.js";

// The plugin registry and the helpers plugin option schemas use.
export {
  definePlugin,
  PLUGIN_KINDS,
  PluginRegistry,
  UnknownPluginError,
  type PluginDefinition,
  type PluginKind,
} from "./plugin-registry.js";
export {
  deltaTAgrees,
  deltaTOf,
  deltaTShape,
  isPathOption,
  pathOption,
  pathOptionKind,
  type NumberRule,
} from "./plugin-options.js";
export { LossLogger, registerLossLogger, type LossLoggerOptions } from "./examples/loss-logger.js";

// The composition root: one run config in, one composed run out.
export {
  expandDataShorthand,
  PLUGIN_SECTIONS,
  resolveRunConfig,
  RunConfigError,
  runConfigShape,
  type PluginSection,
  type RunConfig,
} from "./compose/run-config.js";
export { trainingSchema, type TrainingConfig } from "./compose/training-schema.js";
export { runConfigJsonSchema } from "./compose/json-schema.js";
export { composeRun, withScorerDeltaT, type ComposedRun, type ComposeOptions } from "./compose/compose-run.js";

// Parameters, layers and randomness.
export {
  ParameterRegistry,
  type FreezeNotice,
  type NamedParameter,
  type ParameterGroup,
  type RegisterOptions,
} from "./parameter-registry.js";
export { Linear, type LinearAdapter } from "./nn/linear.js";
export { leanGradients } from "./nn/lean-gradients.js";
export { FusedKernels, optionalKernel } from "./nn/optional-kernel.js";
export { peakTensorBytes } from "./peak-tensor-bytes.js";
export {
  decideRecompute,
  tensorMemoryBudget,
  ESTIMATE_SAFETY,
  WASM32_HEAP_BYTES,
  type MemoryBudget,
  type RecomputeDecision,
} from "./memory-budget.js";
export {
  fusedOp,
  addLean,
  subLean,
  reshapeLean,
  reduceToShape,
  type FusedOpSpec,
  type FusedGradients,
} from "./nn/fused-op.js";
export { Rng } from "./random/rng.js";
export { kaimingUniform } from "./random/kaiming.js";
export { statefulRng } from "./stateful.js";

// Training: the trainer and its step plan, AdamW and its parameter groups, LR schedules, clipping, divergence.
export { Trainer, type TrainerOptions } from "./trainer.js";
export { planRun, type TrainPlan } from "./train-plan.js";
export { AdamW, OPTIM_NAMES, type AdamWConfig, type AdamWSavedState, type OptimName } from "./optim/adamw.js";
export {
  isNoDecayParameter,
  paperParamGroups,
  type PaperGroupsOptions,
  type ParamGroupSpec,
  type ResolvedGroup,
} from "./optim/param-groups.js";
export { constantSchedule, linearScheduleWithWarmup, warmupStepsFor, type LrSchedule } from "./optim/lr-schedule.js";
export {
  getScheduler,
  LR_SCHEDULER_TYPES,
  type LrSchedulerKwargs,
  type LrSchedulerType,
  type SchedulerSpec,
} from "./optim/schedulers.js";
export { clipByGlobalNorm, globalNorm } from "./optim/clip.js";
export {
  FREEZING_PLUGIN,
  registerOptimizers,
  type OptimizerFactory,
  type OptimizerSettings,
} from "./compose/optimizer.js";
export { firstNonFiniteArray, NAN_POLICIES, TrainingDivergedError, type NanPolicy } from "./non-finite.js";

// Files: safetensors, checkpoints and trainer_state.json, atomic writes.
export {
  dtypeByteSize,
  floatToHalf,
  halfToFloat,
  isSafetensorsDtype,
  readSafetensors,
  readSafetensorsFile,
  readSafetensorsHeader,
  readWeightFileBytes,
  toFloat32,
  typedArrayFor,
  writeSafetensors,
  type SafetensorsData,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsTensor,
} from "./io/safetensors.js";
export {
  checkpointName,
  latestCheckpoint,
  newestValidCheckpoint,
  pruneCheckpoints,
  readCheckpoint,
  recoverCheckpointRoot,
  writeCheckpoint,
  type CheckpointState,
  type LoadedCheckpoint,
} from "./io/checkpoint.js";
export { readTrainerState, TRAINER_STATE_FILE, type TrainerStateJson } from "./trainer-state.js";
export { writeFileAtomic, writeFileAtomicSync } from "./io/atomic.js";
