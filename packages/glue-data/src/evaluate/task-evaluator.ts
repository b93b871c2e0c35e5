import type { Evaluator, TextBatch, TrainableModel } from "@aflora/core";
import { computeTaskMetrics } from "@aflora/metrics";
import type { EncodedDataset } from "../encode/encoded-dataset.js";
import { collate } from "../batching/collate.js";
import type { TaskInfo } from "../tasks/task-info.js";

/** One evaluation split; its metrics are reported with `metricSuffix` ("" or "_mm"). */
export interface EvalSplit {
  name: string;
  data: EncodedDataset;
  metricSuffix: string;
}

export interface TaskEvaluatorOptions {
  batchSize: number;
  padTokenId: number;
  padToMaxLength?: number;
  /** Receives metric warnings (constant predictions → NaN, as scipy), prefixed with the task and split. Default console.warn. */
  warn?: (message: string) => void;
}

/**
 * Runs `model.predict` over each evaluation split in file order and scores the outputs as HF's
 * run_glue: argmax of the logits for classification, the squeezed value for regression. The
 * first split (suffix "") carries the selection metric, e.g. MNLI matched; mismatched gets "_mm".
 */
export class TaskEvaluator implements Evaluator<TextBatch> {
  readonly selectionMetric: string;

  constructor(
    readonly task: TaskInfo,
    readonly splits: readonly EvalSplit[],
    private readonly options: TaskEvaluatorOptions,
  ) {
    if (splits.length === 0) throw new Error(`TaskEvaluator(${task.name}): no evaluation split`);
    for (const s of splits)
      if (s.data.size === 0) throw new Error(`TaskEvaluator(${task.name}): evaluation split "${s.name}" is empty`);
    this.selectionMetric = task.metrics.selectionMetric;
  }

  /** Predicted class ids (or regression values) of one split, in file order. */
  predict(model: TrainableModel<TextBatch>, split: EvalSplit): Float64Array {
    const { data } = split;
    const out = new Float64Array(data.size);
    const width = this.task.numLabels;
    for (let start = 0; start < data.size; start += this.options.batchSize) {
      const indices = Int32Array.from(
        { length: Math.min(this.options.batchSize, data.size - start) },
        (_, k) => start + k,
      );
      const batch = collate(data, indices, this.options.padTokenId, this.options.padToMaxLength);
      const logits = model.predict(batch);
      let values: Float32Array | Int32Array | Uint8Array;
      try {
        const size = logits.shape.reduce((a, b) => a * b, 1);
        if (size !== indices.length * width) {
          throw new Error(
            `TaskEvaluator(${this.task.name}): model output shape [${logits.shape}] does not fit ${indices.length} examples × ${width} outputs`,
          );
        }
        values = logits.dataSync() as Float32Array;
      } finally {
        logits.dispose();
      }
      for (let k = 0; k < indices.length; k++)
        out[start + k] = width === 1 && this.task.labels === null ? values[k]! : argmax(values, k * width, width);
    }
    return out;
  }

  evaluate(model: TrainableModel<TextBatch>): Record<string, number> {
    const result: Record<string, number> = {};
    for (const split of this.splits) {
      const warn = this.options.warn ?? ((m: string) => console.warn(m));
      const metrics = computeTaskMetrics(this.task.metrics, this.predict(model, split), split.data.labels, {
        warn: (m) => warn(`${this.task.name} ${split.name}: ${m}`),
      });
      for (const [k, v] of Object.entries(metrics)) result[k + split.metricSuffix] = v;
    }
    return result;
  }
}

function argmax(values: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  return best;
}
