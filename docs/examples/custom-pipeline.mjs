// Composing an aflora pipeline in code, with a freezing score defined in this file.
//
//   npm install @aflora/core @aflora/encoder @aflora/adapter @aflora/scorer @aflora/scheduler \
//     @aflora/glue-data tsyringe
//   node custom-pipeline.mjs
//
// (TensorFlow.js comes with them: @aflora/core declares @tensorflow/tfjs-core and its cpu and wasm
// backends as peer dependencies, which npm installs once for every package.)
//
// The same composition root as `aflora train` (composeRun from @aflora/core) builds the run from a
// config; the registry knows the published packages' plugins by name. The freezing score is swapped
// without touching any of them: a class registered for Tokens.Scorer in a child container wins over
// the config's `scorer` section. Plain ESM JavaScript so it runs without a build.
import {
  composeRun,
  PluginRegistry,
  registerLossLogger,
  registerOptimizers,
  resolveRunConfig,
  Tokens,
} from "@aflora/core";
import { register as registerAdapters } from "@aflora/adapter";
import { register as registerEncoder } from "@aflora/encoder";
import { register as registerTasks } from "@aflora/glue-data";
import { register as registerSchedules } from "@aflora/scheduler";
import { register as registerScorers } from "@aflora/scorer";
import { container } from "tsyringe";

/**
 * Freezing score = |∇θ| of the latest step, element-wise (no smoothing, no uncertainty): an
 * ablation of AFLoRA's smoothed sensitivity × uncertainty. The freezing controller calls `update`
 * every optimizer step with the still-trainable projection matrices and asks for `elementScores`
 * at the schedule's decision steps.
 */
class LatestGradientScorer {
  name = "latest-gradient";
  stateKey = "scorer:latest-gradient";
  updates = 0;
  /** @type {Map<string, Float32Array>} */
  latest = new Map();

  update(_step, tracked) {
    this.updates++;
    // The tensors are borrowed: read them now, they are disposed after this call.
    for (const m of tracked) this.latest.set(m.name, Float32Array.from(m.grad.dataSync(), Math.abs));
  }

  elementScores(names) {
    return new Map(names.map((n) => [n, this.latest.get(n).slice()]));
  }

  forget(names) {
    for (const n of names) this.latest.delete(n);
  }

  // Checkpoints keep the scores, so a resumed run decides as an uninterrupted one would.
  saveState() {
    return { json: { names: [...this.latest.keys()] }, tensors: Object.fromEntries(this.latest) };
  }

  loadState(state) {
    this.latest = new Map(state.json.names.map((n) => [n, Float32Array.from(state.tensors[n].data)]));
  }
}

// The registry: each published package adds its named plugins (models, adapters, scores, schedules, tasks).
const registry = new PluginRegistry();
registerLossLogger(registerOptimizers(registry));
for (const register of [registerEncoder, registerAdapters, registerScorers, registerSchedules, registerTasks])
  register(registry);

// One run config, checked against the registered plugins' schemas (defaults filled in).
const config = resolveRunConfig(
  {
    model: "demo", // the built-in tiny DeBERTa-v3-style encoder (randomly initialised)
    adapter: { name: "aflora", r: 4 },
    schedule: { name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 1, deltaT: 2 },
    data: { name: "spam-assassin", maxExamples: 100 },
    training: { maxSteps: 12, batchSize: 16, maxSeqLength: 32, lr: 0.01, seed: 7 },
  },
  registry,
  "custom-pipeline.mjs",
);

// The swap: a child container with our scorer class for the scorer token (one instance for the run).
const scope = container.createChildContainer();
scope.registerSingleton(Tokens.Scorer, LatestGradientScorer);

const run = await composeRun(config, { registry, container: scope, runDir: null });
try {
  const summary = await run.run();
  const scorer = run.container.resolve(Tokens.Scorer);
  // AFLoRA trains the projection matrices of the FFN layers and freezes them as training goes.
  const tracked = run.loaded.model.params.list({ group: "adapter-matrix" }).filter((p) => p.trainable || p.frozenAt);
  const frozen = tracked.filter((p) => p.frozenAt !== undefined).sort((a, b) => a.frozenAt.step - b.frozenAt.step);
  console.log(`trained ${summary.steps} steps on ${run.backend}; scorer "${scorer.name}" saw ${scorer.updates} steps`);
  console.log(`froze ${frozen.length} of ${tracked.length} trainable projection matrices:`);
  for (const p of frozen) console.log(`  step ${p.frozenAt.step}: ${p.name}`);
} finally {
  run.dispose();
}
