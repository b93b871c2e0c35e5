// Real-size training step of @aflora/encoder (issue 7.8): a DeBERTa-v3-base-shaped model
// (random weights, 12 layers, hidden 768, vocab 128,100) at batch 8 × 128 on the wasm backend.
// Measures step time and memory for three sets of trained variables, with per-layer
// recomputation. Build first: npx tsc -b packages/encoder/tsconfig.lib.json
//   node tools/bench/encoder-step.mjs [--layers 12] [--batch 8] [--seq 128] [--steps 2] [--vars head,qv,full] [--no-recompute]
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { installFastGradients, ParameterRegistry } from "@aflora/core";
import { createEncoderFromConfig, readEncoderConfig } from "@aflora/encoder";

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const layers = Number(opt("layers", 12));
const batchSize = Number(opt("batch", 8));
const seqLength = Number(opt("seq", 128));
const steps = Number(opt("steps", 2));
const scenarios = opt("vars", "head,qv,full").split(",");
const recompute = !args.includes("--no-recompute");

await tf.setBackend("wasm");
await tf.ready();
installFastGradients();

const heapBytes = () => tf.backend().wasm?.HEAPU8?.buffer.byteLength ?? NaN;
const gib = (b) => (b / 2 ** 30).toFixed(2);

const config = readEncoderConfig({
  model_type: "deberta-v2",
  hidden_size: 768,
  num_hidden_layers: layers,
  num_attention_heads: 12,
  intermediate_size: 3072,
  vocab_size: 128100,
  max_position_embeddings: 512,
  relative_attention: true,
  position_buckets: 256,
  max_relative_positions: -1,
  norm_rel_ebd: "layer_norm",
  share_att_key: true,
  pos_att_type: "p2c|c2p",
  position_biased_input: false,
  type_vocab_size: 0,
  layer_norm_eps: 1e-7,
  hidden_act: "gelu",
  pooler_hidden_act: "gelu",
  num_labels: 3,
});

let t0 = performance.now();
const registry = new ParameterRegistry();
const model = createEncoderFromConfig(config, { registry, seed: 1, recompute });
console.log(
  `built ${registry.counts().total.toLocaleString()} parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s; wasm heap ${gib(heapBytes())} GiB`,
);

const n = batchSize * seqLength;
const inputIds = new Int32Array(n);
const attentionMask = new Int32Array(n);
for (let b = 0; b < batchSize; b++) {
  const len = seqLength - ((b * 13) % 40); // some rows padded
  for (let s = 0; s < seqLength; s++) {
    inputIds[b * seqLength + s] = s < len ? 1 + ((b * 7919 + s * 104729) % 128000) : 0;
    attentionMask[b * seqLength + s] = s < len ? 1 : 0;
  }
}
const batch = {
  batchSize,
  seqLength,
  inputIds,
  attentionMask,
  labels: Int32Array.from({ length: batchSize }, (_, i) => i % 3),
};

t0 = performance.now();
const logits = model.predict(batch);
logits.dataSync();
logits.dispose();
console.log(`forward (eval): ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const selections = {
  head: (name) => name.startsWith("classifier."),
  // The LoRA targets of the paper (query/value kernels) in every layer: the backward runs through all 12 layers.
  qv: (name) => name.startsWith("classifier.") || /attention\.self\.(query|value)_proj\.weight$/.test(name),
  full: () => true,
};

const results = [];
for (const scenario of scenarios) {
  const pick = selections[scenario];
  if (!pick) throw new Error(`unknown --vars entry ${scenario}`);
  const vars = new Map(
    registry
      .list()
      .filter((p) => pick(p.name))
      .map((p) => [p.name, p.variable]),
  );
  const times = [];
  const tensorsBefore = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    const { loss, grads } = model.lossAndGradients(batch, vars);
    loss.dataSync();
    for (const g of grads.values()) g.dataSync();
    times.push(performance.now() - t0);
    loss.dispose();
    tf.dispose([...grads.values()]);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  const row = {
    scenario,
    trainedParameters: [...vars.values()].reduce((s, v) => s + v.size, 0),
    stepSeconds: times.map((t) => +(t / 1000).toFixed(1)),
    wasmHeapGiB: +gib(heapBytes()),
    rssGiB: +gib(process.memoryUsage().rss),
    leakedTensors: leaked,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
console.log(JSON.stringify({ layers, batchSize, seqLength, recompute, results }, null, 1));
