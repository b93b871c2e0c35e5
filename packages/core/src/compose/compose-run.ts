import { join } from "node:path";
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import { selectBackendInfo, type BackendSelection } from "../backend.js";
import { createRunContainer } from "../container.js";
import type { RunSummary } from "../events.js";
import type { FreezeSchedule, FreezingScorer } from "../freezing.js";
import type { TextBatch } from "../model.js";
import { assertTfjsGradients } from "../nn/tfjs-gradients.js";
import { installFastGradients } from "../nn/fast-gradients.js";
import type { AdamWConfig } from "../optim/adamw.js";
import type { PluginRegistry } from "../plugin-registry.js";
import { Rng } from "../random/rng.js";
import { Tokens } from "../tokens.js";
import { planRun, type TrainPlan } from "../train-plan.js";
import { Trainer } from "../trainer.js";
import type { TrainerPlugin } from "../trainer-plugin.js";
import { z } from "zod";
import type { AdapterFactory, LoadedModel, LoadedTask, ModelSource, RunAdapter, RunTask } from "./contracts.js";
import type { PluginSection, RunConfig } from "./run-config.js";
import { FREEZING_PLUGIN, type OptimizerFactory } from "./optimizer.js";
import { asInputError } from "./input-error.js";

export interface ComposeOptions {
  registry: PluginRegistry;
  /**
   * Parent of the run's container. What is registered here wins over the config: registering a
   * class for `Tokens.Scorer` in a child container swaps the freezing score without code changes.
   */
  container?: DependencyContainer;
  /** The run folder (checkpoints go to `<runDir>/checkpoints`); null keeps the run in memory. */
  runDir?: string | null;
  runId?: string;
  /** Continue from the run folder's latest checkpoint. */
  resume?: boolean;
  /** Plugins built in code, attached next to those the config names. */
  plugins?: TrainerPlugin[];
  log?: (line: string) => void;
  warn?: (message: string) => void;
}

export interface ComposedRun {
  readonly config: RunConfig;
  readonly container: DependencyContainer;
  readonly trainer: Trainer<TextBatch>;
  readonly loaded: LoadedModel;
  readonly task: RunTask;
  readonly data: LoadedTask;
  readonly adapter: RunAdapter;
  readonly plan: TrainPlan;
  readonly backend: string;
  /** The backend, BLAS library and thread count the run computes with. */
  readonly compute: BackendSelection;
  run(): Promise<RunSummary>;
  /** Releases the model's variables. */
  dispose(): void;
}

/** A schedule that takes `deltaT` follows the scorer's window unless it sets its own (decisions on window boundaries). */
export function withScorerDeltaT(
  registry: PluginRegistry,
  section: PluginSection,
  scorer: FreezingScorer,
): PluginSection {
  const def = registry.get("schedule", section.name);
  const takesDeltaT = def.options instanceof z.ZodObject && "deltaT" in def.options.shape;
  if (!takesDeltaT || scorer.deltaT === undefined || section["deltaT"] !== undefined || section["window"] !== undefined)
    return section;
  return { ...section, deltaT: scorer.deltaT };
}

/**
 * The composition root: turns a validated run config into a ready Trainer. Every part is looked up
 * by name in the PluginRegistry (model, adapter, scorer, schedule, task, optimizer, reporters,
 * plugins) and built in one run-scoped tsyringe container, under core's tokens. The CLI, the
 * programmatic API, the sweep runner and the repro suites all build runs through this function.
 */
export async function composeRun(config: RunConfig, o: ComposeOptions): Promise<ComposedRun> {
  const { registry } = o;
  const log = o.log ?? (() => {});
  const warn = o.warn ?? ((m: string) => log(`warning: ${m}`));
  const t = config.training;
  const compute = await selectBackendInfo(
    config.backend as never,
    config.threads !== undefined ? { threads: config.threads } : {},
  );
  const backend = compute.backend;
  installFastGradients();
  assertTfjsGradients();

  const scope = (o.container ?? rootContainer).createChildContainer();
  scope.register(Tokens.PluginRegistry, { useValue: registry });
  scope.register(Tokens.RunConfig, { useValue: config });
  const task = registry.create<RunTask>("task", config.data, scope, "data");
  const source = registry.create<ModelSource>("model", config.model, scope, "model");
  const loaded = await source.load({ task: task.info, seed: t.seed, warn }).catch((e: unknown) => {
    throw asInputError(e);
  });
  const { model } = loaded;
  let adapter: RunAdapter | null = null;
  try {
    const factory = registry.create<AdapterFactory>("adapter", config.adapter, scope, "adapter");
    adapter = factory.apply(model, { rng: new Rng(t.seed).fork("adapter"), loaded });
    const data = await task
      .load({
        tokenizer: loaded.tokenizer,
        batchSize: t.batchSize,
        seed: t.seed,
        warn,
        maxSeqLength: t.maxSeqLength,
        ...(t.padToMaxLength !== undefined ? { padToMaxLength: t.padToMaxLength } : {}),
      })
      .catch((e: unknown) => {
        throw asInputError(e);
      });
    const plan = planRun({
      batchesPerEpoch: data.train.batchesPerEpoch,
      epochs: t.epochs,
      gradientAccumulation: t.gradientAccumulation,
      maxSteps: t.maxSteps ?? null,
    });
    const runId = o.runId ?? `run-${Date.now()}`;
    const container = createRunContainer(scope, {
      registry: model.params,
      runInfo: {
        runId,
        totalSteps: plan.totalSteps,
        stepsPerEpoch: plan.stepsPerEpoch,
        epochs: plan.numTrainEpochs,
        seed: t.seed,
        outputDir: o.runDir ?? null,
      },
      plugins: registry,
      model,
    });
    container.register(Tokens.Tokenizer, { useValue: loaded.tokenizer });
    const plugins: TrainerPlugin[] = [];
    if (factory.freezing) {
      if (!container.isRegistered(Tokens.Scorer, true)) {
        container.register(Tokens.Scorer, {
          useFactory: instanceCachingFactory((c) =>
            registry.create<FreezingScorer>("scorer", config.scorer ?? { name: "aflora" }, c, "scorer"),
          ),
        });
      }
      if (!container.isRegistered(Tokens.FreezeSchedule, true)) {
        container.register(Tokens.FreezeSchedule, {
          useFactory: instanceCachingFactory((c) => {
            const section = withScorerDeltaT(registry, config.schedule ?? { name: "cubic" }, c.resolve(Tokens.Scorer));
            return registry.create<FreezeSchedule>("schedule", section, c, "schedule");
          }),
        });
      }
      plugins.push(registry.create<TrainerPlugin>("plugin", { name: FREEZING_PLUGIN }, container, "adapter"));
    }
    config.reportTo.forEach((r, i) =>
      plugins.push(registry.create<TrainerPlugin>("reporter", r, container, `reportTo[${i}]`)),
    );
    config.plugins.forEach((p, i) =>
      plugins.push(registry.create<TrainerPlugin>("plugin", p, container, `plugins[${i}]`)),
    );
    plugins.push(...(o.plugins ?? []));

    const optimizer = registry.create<OptimizerFactory>(
      "optimizer",
      { name: t.optim, ...t.optimArgs },
      container,
      "training.optim",
    );
    const adamw: AdamWConfig = optimizer.config({
      lr: t.lr,
      weightDecay: t.weightDecay,
      ...(t.classifierLr !== undefined ? { headLr: t.classifierLr } : {}),
      headWeightDecay: t.classifierWeightDecay ?? t.weightDecay,
    });
    const trainer = new Trainer<TextBatch>({
      model,
      train: data.train,
      ...(data.evaluator ? { evaluator: data.evaluator } : {}),
      epochs: t.epochs,
      ...(t.maxSteps !== undefined ? { maxSteps: t.maxSteps } : {}),
      optimizer: adamw,
      warmupRatio: t.warmupRatio,
      warmupSteps: t.warmupSteps,
      lrSchedulerType: t.lrSchedulerType,
      lrSchedulerKwargs: t.lrSchedulerKwargs,
      loggingSteps: t.loggingSteps,
      loadBestModelAtEnd: t.loadBestModelAtEnd,
      ...(t.metricForBestModel !== undefined ? { metricForBestModel: t.metricForBestModel } : {}),
      ...(t.greaterIsBetter !== undefined ? { greaterIsBetter: t.greaterIsBetter } : {}),
      ...(t.earlyStoppingPatience !== undefined ? { earlyStoppingPatience: t.earlyStoppingPatience } : {}),
      earlyStoppingThreshold: t.earlyStoppingThreshold,
      nanPolicy: t.nanPolicy,
      maxGradNorm: t.maxGradNorm,
      gradientAccumulation: t.gradientAccumulation,
      evalEvery: t.evalEvery,
      ...(o.runDir
        ? {
            checkpointDir: join(o.runDir, "checkpoints"),
            checkpointEvery: t.checkpointEvery ?? "epoch",
            // The frozen base model is rebuilt from its source on resume, so checkpoints hold only what
            // trains (adapters, head), and, like the authors' save_total_limit 2, the latest and the best.
            checkpointParameters: "trained" as const,
            checkpointLimit: t.saveTotalLimit,
            checkpointAtEnd: true,
          }
        : {}),
      ...(o.resume && o.runDir ? { resumeFrom: join(o.runDir, "checkpoints") } : {}),
      seed: t.seed,
      plugins,
      container,
    });
    const applied = adapter;
    return {
      config,
      container,
      trainer,
      loaded,
      task,
      data,
      adapter: applied,
      plan,
      backend,
      compute,
      run: async () => {
        try {
          return await trainer.run();
        } finally {
          // Reporters that write asynchronously (event files, images) finish before the run is reported done.
          for (const p of plugins) {
            const flushed = (p as { flushed?: () => Promise<void> }).flushed;
            if (typeof flushed === "function") await flushed.call(p);
          }
        }
      },
      dispose: () => model.params.dispose(),
    };
  } catch (e) {
    model.params.dispose();
    throw e;
  }
}
