import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TrainerEvent } from "../src/events.js";
import { Trainer, type TrainerOptions } from "../src/trainer.js";
import type { PluginContext, TrainerPlugin } from "../src/trainer-plugin.js";
import { AccuracyEvaluator, makeData, ShuffledBatches, TinyMlp, type MlpBatch } from "./tiny-mlp.js";

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `aflora-core-${label}-`));
}

export interface TinySetup {
  model: TinyMlp;
  options: TrainerOptions<MlpBatch>;
}

/** A tiny MLP on 16 synthetic examples, batches of 4: 4 micro-batches per epoch. */
export function tinySetup(
  overrides: Partial<TrainerOptions<MlpBatch>> & { dropout?: number; withEvaluator?: boolean } = {},
): TinySetup {
  const { dropout = 0, withEvaluator = false, ...rest } = overrides;
  const seed = rest.seed ?? 11;
  const model = new TinyMlp(seed, dropout);
  const options: TrainerOptions<MlpBatch> = {
    model,
    train: new ShuffledBatches(makeData(1, 16), 4, seed),
    epochs: 2,
    optimizer: { lr: 0.05, weightDecay: 0.01 },
    seed,
    runInfo: { runId: "test" },
    ...(withEvaluator ? { evaluator: new AccuracyEvaluator(makeData(2, 12)) } : {}),
    ...rest,
  };
  return { model, options };
}

/** Runs to the end and returns the losses of every step:end. */
export async function trainLosses(setup: TinySetup): Promise<number[]> {
  const trainer = new Trainer(setup.options);
  const losses: number[] = [];
  trainer.events.subscribe((e) => {
    if (e.type === "step:end") losses.push(e.loss);
  });
  await trainer.run();
  return losses;
}

/** A plugin that calls `fn` on every event, with its context. */
export function onEvent(name: string, fn: (e: TrainerEvent, ctx: PluginContext) => void): TrainerPlugin {
  return {
    name,
    attach(ctx) {
      const sub = ctx.events.subscribe((e) => fn(e, ctx));
      return () => sub.unsubscribe();
    },
  };
}

/** Freezes `names` at the step:end of `step` through the ParameterRegistry, as the freezing controller does. */
export function freezeAt(step: number, names: string[]): TrainerPlugin {
  return onEvent("freeze-at", (e, ctx) => {
    if (e.type === "step:end" && e.step === step) ctx.params.freeze(names, "test", { score: 0.5 });
  });
}

export function values(model: TinyMlp): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of model.params.list()) out[p.name] = Array.from(p.variable.dataSync());
  return out;
}
