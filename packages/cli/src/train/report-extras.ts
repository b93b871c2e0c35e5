import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReportExtras } from "@aflora/metrics";
import type { RunConfig } from "../config/schema.js";
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
    method: config.method,
    model: config.model,
    seed: config.training.seed,
    epochs: config.training.epochs,
    "batch size": config.training.batchSize * config.training.gradientAccumulation,
    lr: config.training.lr,
    "classifier lr": config.training.classifierLr,
  };
  if (config.method !== "full") facts.r = typeof config.adapter.r === "number" ? config.adapter.r : ({ aflora: 4, lora: 8, elora: 1024 } as const)[config.method];
  if (config.method === "aflora") {
    facts.scorer = config.scorer?.name ?? null;
    facts.schedule = config.schedule?.name ?? null;
  }
  return facts;
}

/** FLOPs per step from the model config (metrics' FLOP formula), when the run recorded its shapes. */
async function flopsExtras(runDir: string, config: RunConfig): Promise<Pick<RunReportExtras, "flopsOfStep" | "flopsNote">> {
  const shapesPath = join(runDir, FLOP_SHAPES_FILE);
  if (!existsSync(shapesPath)) return {};
  return flopsForRun(JSON.parse(readFileSync(shapesPath, "utf8")) as FlopShapes, config);
}
