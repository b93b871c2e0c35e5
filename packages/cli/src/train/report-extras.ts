import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReportExtras } from "@aflora/metrics";
import type { RunConfig } from "@aflora/core";
import { flopsForRun, FLOP_SHAPES_FILE, type FlopShapes } from "../integrations/flops.js";

/** Facts and FLOP accounting the report adds to what events.jsonl holds. */
export async function reportExtras(runDir: string, interrupted = false): Promise<Omit<RunReportExtras, "parameters">> {
  const configPath = join(runDir, "config.json");
  if (!existsSync(configPath)) return { interrupted };
  const config = JSON.parse(readFileSync(configPath, "utf8")) as RunConfig;
  return { facts: runFacts(config), interrupted, ...(await flopsExtras(runDir, config)) };
}

export function runFacts(config: RunConfig): Record<string, string | number | null> {
  const task = config.data.name;
  const facts: Record<string, string | number | null> = {
    task,
    method: config.adapter.name,
    model: typeof config.model.path === "string" ? config.model.path : config.model.name,
    seed: config.training.seed,
    epochs: config.training.epochs,
    "batch size": config.training.batchSize * config.training.gradientAccumulation,
    lr: config.training.lr,
    "classifier lr": config.training.classifierLr ?? config.training.lr,
  };
  if (typeof config.adapter.r === "number") facts.r = config.adapter.r;
  if (config.scorer) facts.scorer = config.scorer.name;
  if (config.schedule) facts.schedule = config.schedule.name;
  return facts;
}

/** FLOPs per step from the model config (metrics' FLOP formula), when the run recorded its shapes. */
async function flopsExtras(
  runDir: string,
  config: RunConfig,
): Promise<Pick<RunReportExtras, "flopsOfStep" | "flopsNote">> {
  const shapesPath = join(runDir, FLOP_SHAPES_FILE);
  if (!existsSync(shapesPath)) return {};
  return flopsForRun(JSON.parse(readFileSync(shapesPath, "utf8")) as FlopShapes, config);
}
