import { isAbsolute, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { PluginContext, TrainerEvent, TrainerPlugin } from "@aflora/core";
import type { FrozenMatrix, ParameterInfo } from "@aflora/metrics";
import { EventFileWriter, type EventFileWriterOptions } from "./event-file-writer.js";
import { hasHeatmap, renderFreezingHeatmapPng } from "./freezing-heatmap-image.js";
import { evalTag, learningRateGroupTag, mainLearningRate, TAGS } from "./tags.js";

export interface TensorBoardReporterOptions {
  /** Folder of the event files; relative paths are inside the run folder. */
  logDir: string;
  /** Write the freezing heatmap as an image at each evaluation. */
  heatmap: boolean;
}

/**
 * Writes a run's scalars and freezing heatmap as TensorBoard event files.
 *
 * TensorBoard's step is the number of optimizer updates completed (HF's `global_step`): the loss
 * of step index `s` (events.jsonl's `step:end`) is at step `s + 1`, the evaluation after it too.
 */
export class TensorBoardReporter implements TrainerPlugin {
  readonly name = "tensorboard";
  private writer: EventFileWriter | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly failures: Error[] = [];

  constructor(
    private readonly options: TensorBoardReporterOptions,
    private readonly writerOptions: EventFileWriterOptions = {},
  ) {}

  /** The event file, once the run has started. */
  get path(): string | null {
    return this.writer?.path ?? null;
  }

  attach(ctx: PluginContext): () => void {
    const dir = logDirOf(this.options.logDir, ctx.run.outputDir);
    // As parameters.json: trainable means "trainable when the run started".
    const parameters: ParameterInfo[] = ctx.params.list().map((p) => ({
      name: p.name,
      group: p.group,
      size: p.variable.size,
      trainable: p.trainable || p.frozenAt !== undefined,
    }));
    const heatmap = this.options.heatmap && hasHeatmap(parameters);
    const frozen = (): FrozenMatrix[] =>
      ctx.params
        .list()
        .flatMap((p) => (p.frozenAt ? [{ name: p.name, step: p.frozenAt.step, reason: p.frozenAt.reason }] : []));
    let stepStartedAt = 0;
    // A step's scalars wait for the freezes its step:end caused, so the frozen count includes them.
    let held: { step: number; values: Record<string, number> } | null = null;
    const release = () => {
      if (!held || !this.writer) return;
      this.writer.addScalars({ ...held.values, [TAGS.frozenMatrices]: frozen().length }, held.step);
      held = null;
    };

    const onEvent = (e: TrainerEvent) => {
      if (e.type !== "params:frozen") release();
      switch (e.type) {
        case "run:start":
          this.writer ??= new EventFileWriter(dir, this.writerOptions);
          if (e.startStep > 0) this.writer.addSessionStart(e.startStep + 1);
          break;
        case "step:start":
          stepStartedAt = performance.now();
          break;
        case "step:end": {
          const values: Record<string, number> = {
            [TAGS.loss]: e.loss,
            [TAGS.gradNorm]: e.gradNorm,
            [TAGS.epoch]: (e.step + 1) / ctx.run.stepsPerEpoch,
            [TAGS.trainableParameters]: e.trainable.trainableWithoutHead,
            [TAGS.stepTime]: (performance.now() - stepStartedAt) / 1000,
          };
          const lr = mainLearningRate(e.learningRates);
          if (lr !== undefined) values[TAGS.learningRate] = lr;
          const groups = Object.entries(e.learningRates);
          if (groups.length > 1) for (const [g, v] of groups) values[learningRateGroupTag(g)] = v;
          held = { step: e.step + 1, values };
          break;
        }
        case "eval:end": {
          const writer = this.writer;
          if (!writer) break;
          writer.addScalars(Object.fromEntries(Object.entries(e.metrics).map(([m, v]) => [evalTag(m), v])), e.step);
          if (heatmap) {
            const snapshot = frozen();
            const step = e.step;
            this.pending = this.pending
              .then(() => renderFreezingHeatmapPng(parameters, snapshot))
              .then((png) => writer.addImage(TAGS.freezingHeatmap, png, step))
              .catch((err: Error) => {
                this.failures.push(new Error(`tensorboard: freezing heatmap at step ${step}: ${err.message}`));
              });
          }
          break;
        }
      }
    };
    const sub = ctx.events.subscribe(onEvent);
    return () => {
      release();
      sub.unsubscribe();
      this.pending = this.pending.then(() => this.writer?.close());
    };
  }

  /** Resolves once every image is written and the file closed (after the run's teardown); rejects on a failed image. */
  async flushed(): Promise<void> {
    await this.pending;
    if (this.failures.length) throw this.failures[0];
  }
}

function logDirOf(logDir: string, outputDir: string | null): string {
  if (isAbsolute(logDir)) return logDir;
  if (outputDir === null)
    throw new Error(
      `tensorboard: logDir "${logDir}" is relative but the run has no output folder; give an absolute logDir`,
    );
  return resolve(outputDir, logDir);
}
