import { existsSync } from "node:fs";
import { join } from "node:path";
import { container as rootContainer } from "tsyringe";
import {
  createRunContainer,
  installFastGradients,
  assertTfjsGradients,
  paperParamGroups,
  planRun,
  Rng,
  selectBackend,
  Trainer,
  writeFileAtomicSync,
  type PluginRegistry,
  type RunSummary,
  type TrainerPlugin,
} from "@aflora/core";
import { applyAdapter, type AppliedAdapter } from "@aflora/adapter";
import { createFreezingController } from "@aflora/scheduler";
import type { TaskData } from "@aflora/glue-data";
import { attachProgress, writeRunReport, type ParameterInfo, type RunReport } from "@aflora/metrics";
import type { RunConfig } from "../config/schema.js";
import { runPaths } from "../run/run-folder.js";
import { EventsLog } from "../run/events-log.js";
import { onInterrupt } from "../run/interrupt.js";
import { buildModel, type BuiltModel } from "../integrations/model.js";
import { saveRunAdapter } from "../integrations/save-adapter.js";
import { saveModelFolder } from "../integrations/save-model.js";
import { writeFlopShapes } from "../integrations/flops.js";
import { reportExtras } from "./report-extras.js";

export interface TrainingOptions {
  runDir: string;
  runId: string;
  /** Continue from the run folder's latest checkpoint. */
  resume: boolean;
  registry: PluginRegistry;
  progress: boolean;
  plots: boolean;
  log: (line: string) => void;
}

export interface TrainingResult {
  summary: RunSummary;
  report: RunReport;
  interrupted: boolean;
}

/**
 * One training run into its run folder: backend, task, model, adapter, freezing, then the
 * core Trainer with every event logged to events.jsonl; the adapter and report at the end.
 */
export async function runTraining(config: RunConfig, o: TrainingOptions): Promise<TrainingResult> {
  const paths = runPaths(o.runDir);
  const t = config.training;
  const backend = await selectBackend(config.backend);
  installFastGradients();
  assertTfjsGradients();
  o.log(`backend: ${backend}`);

  const task = o.registry.create<TaskData>("task", config.data, rootContainer.createChildContainer(), "data");
  const built: BuiltModel = await buildModel(config, task.info, t.seed);
  o.log(`model: ${built.origin}`);
  const { model } = built;
  let adapter: AppliedAdapter | null = null;
  try {
    if (config.method === "full") {
      model.params.unfreeze(model.params.names({ group: "base" }));
    } else {
      adapter = applyAdapter(model, { ...config.adapter, method: config.method }, { rng: new Rng(t.seed).fork("adapter") });
    }
    const loaded = await task.load({
      tokenizer: built.tokenizer,
      batchSize: t.batchSize,
      seed: t.seed,
      maxSeqLength: t.maxSeqLength,
      ...(t.padToMaxLength !== undefined ? { padToMaxLength: t.padToMaxLength } : {}),
    });
    o.log(`task: ${task.info.name} (${loaded.readStats.map((s) => `${s.file}: ${s.rows} examples${s.skipped ? `, ${s.skipped} malformed rows skipped` : ""}`).join("; ")})`);

    const plan = planRun({ batchesPerEpoch: loaded.train.batchesPerEpoch, epochs: t.epochs, gradientAccumulation: t.gradientAccumulation });
    const container = createRunContainer(rootContainer, {
      registry: model.params,
      runInfo: { runId: o.runId, totalSteps: plan.totalSteps, stepsPerEpoch: plan.stepsPerEpoch, epochs: t.epochs, seed: t.seed, outputDir: o.runDir },
      plugins: o.registry,
      model,
    });
    const plugins: TrainerPlugin[] = [];
    if (config.method === "aflora") {
      plugins.push(createFreezingController({ scorer: config.scorer ?? { name: "aflora" }, schedule: config.schedule ?? { name: "cubic" } }, { plugins: o.registry, container, field: "freezing" }));
    }
    config.plugins.forEach((p, i) => plugins.push(o.registry.create<TrainerPlugin>("plugin", p, container, `plugins[${i}]`)));

    if (!o.resume) {
      const parameters: ParameterInfo[] = model.params.list().map((p) => ({ name: p.name, group: p.group, size: p.variable.size, trainable: p.trainable }));
      writeFileAtomicSync(paths.parameters, JSON.stringify(parameters) + "\n");
      writeFlopShapes(paths.dir, built, loaded, config);
    }

    const trainer = new Trainer({
      model,
      train: loaded.train,
      evaluator: loaded.evaluator,
      epochs: t.epochs,
      optimizer: { lr: t.lr, weightDecay: t.weightDecay, groups: paperParamGroups({ headLr: t.classifierLr, weightDecay: t.classifierWeightDecay }) },
      warmupRatio: t.warmupRatio,
      maxGradNorm: t.maxGradNorm,
      gradientAccumulation: t.gradientAccumulation,
      evalEvery: t.evalEvery,
      checkpointDir: paths.checkpoints,
      checkpointEvery: t.checkpointEvery ?? "epoch",
      // The frozen base model is rebuilt from its source on resume, so checkpoints hold only what
      // trains (adapters, head), and, like the authors' save_total_limit 2, the latest and the best.
      checkpointParameters: "trained",
      checkpointLimit: 2,
      ...(o.resume ? { resumeFrom: paths.checkpoints } : {}),
      seed: t.seed,
      plugins,
      container,
    });

    const log = new EventsLog(paths.events, paths.metrics);
    const logSub = trainer.events.subscribe((e) => log.write(e));
    const frozenAtStart = () => model.params.list({ group: "adapter-matrix" }).filter((p) => p.frozenAt !== undefined).length;
    const detachProgress = o.progress ? attachProgress(trainer.events, { frozenAtStart }) : () => {};
    const stopSub = t.maxSteps
      ? trainer.events.subscribe((e) => {
          if (e.type === "step:end" && e.step + 1 >= t.maxSteps!) trainer.requestStop(`maxSteps ${t.maxSteps}`);
        })
      : null;
    const interrupt = onInterrupt((s) => trainer.requestStop(s), o.log);
    let summary: RunSummary;
    try {
      summary = await trainer.run();
    } finally {
      interrupt.dispose();
      stopSub?.unsubscribe();
      detachProgress();
      logSub.unsubscribe();
      log.close();
    }
    const interrupted = interrupt.signal !== null;
    if (adapter) await saveRunAdapter(adapter, paths.adapter, config);
    else saveModelFolder(model.params, built.modelConfig, paths.model);
    const report = await writeRunReport(o.runDir, { ...(await reportExtras(o.runDir, interrupted)), plots: o.plots });
    return { summary, report, interrupted };
  } finally {
    model.params.dispose();
  }
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runPaths(runDir).checkpoints, "latest"));
}

