import "reflect-metadata";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import {
  composeRun,
  definePlugin,
  Tokens,
  type FreezingScorer,
  type Json,
  type PluginRegistry,
  type TrackedMatrix,
} from "@aflora/core";
import { z } from "zod";
import { validateConfig } from "../config/resolve-config.js";
import { createPluginRegistry } from "../integrations/plugins.js";

/**
 * An ablation's scorer, defined here and nowhere else: every B matrix scores below every A matrix,
 * so B matrices freeze first (AFLoRA's own score has no such rule).
 */
class BFirstScorer implements FreezingScorer {
  readonly name = "b-first";
  readonly stateKey = "scorer:b-first";
  readonly deltaT = 1;
  private readonly sizes = new Map<string, number>();
  update(_step: number, tracked: readonly TrackedMatrix[]): void {
    for (const m of tracked) this.sizes.set(m.name, m.value.size);
  }
  elementScores(names: readonly string[]): Map<string, Float32Array> {
    return new Map(names.map((n) => [n, new Float32Array(this.sizes.get(n)!).fill(/lora_B/.test(n) ? 0 : 1)]));
  }
  forget(names: readonly string[]): void {
    for (const n of names) this.sizes.delete(n);
  }
  saveState(): { json: Json; tensors: Record<string, never> } {
    return { json: {}, tensors: {} };
  }
  loadState(): void {}
}

const CONFIG = {
  model: "demo",
  adapter: { name: "aflora", trainablePm: "all" },
  data: { name: "spam-assassin", maxExamples: 40, maxChars: 200 },
  schedule: { name: "cubic", initialWarmupEpochs: 0, finalWarmupEpochs: 1, deltaT: 1 },
  training: { epochs: 3, batchSize: 8, lr: 0.01, maxSeqLength: 16, seed: 3, maxGradNorm: 1 },
};

/** The order in which projection matrices froze in a 3-epoch demo run. */
async function freezeOrder(
  registry: PluginRegistry,
  scorer: Record<string, unknown>,
  parent = container,
): Promise<string[]> {
  const config = validateConfig({ ...CONFIG, scorer }, registry);
  const run = await composeRun(config, { registry, container: parent.createChildContainer() });
  const order: string[] = [];
  run.trainer.events.subscribe((e) => {
    if (e.type === "params:frozen") order.push(...e.names);
  });
  try {
    await run.run();
  } finally {
    run.dispose();
  }
  return order;
}

describe("swapping the freezing score by dependency injection", () => {
  it("a scorer class registered by name, or directly for Tokens.Scorer, changes which matrices freeze, with no other code changed", async () => {
    const registry = createPluginRegistry();
    const baseline = await freezeOrder(registry, { name: "aflora", deltaT: 1 });

    registry.register(
      definePlugin({
        kind: "scorer",
        name: "b-first",
        description: "test scorer",
        options: z.object({}).strict(),
        create: () => new BFirstScorer(),
      }),
    );
    const byName = await freezeOrder(registry, { name: "b-first" });

    const child = container.createChildContainer();
    child.register(Tokens.Scorer, { useValue: new BFirstScorer() });
    const byToken = await freezeOrder(createPluginRegistry(), { name: "aflora", deltaT: 1 }, child);

    expect(byName.length).toBeGreaterThan(4);
    const firstA = byName.findIndex((n) => /lora_A/.test(n));
    const bCount = byName.filter((n) => /lora_B/.test(n)).length;
    expect(firstA === -1 ? byName.length : firstA).toBeGreaterThanOrEqual(bCount);
    expect(byToken).toEqual(byName);
    expect(baseline).not.toEqual(byName);
  }, 240_000);
});
