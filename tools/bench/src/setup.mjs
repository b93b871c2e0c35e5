// Builds the benchmark model for one method: random BERT-shaped classifier, the method's
// adapter from @aflora/adapter, AdamW (torch defaults of ../peer/configs.json) on the
// trainable parameters, and a seeded batch.
import "@tensorflow/tfjs-backend-wasm";
import { AdamW, Rng, installFastGradients, selectBackendInfo, uninstallFastGradients } from "@aflora/core";
import { applyAdapter } from "@aflora/adapter";
import { BenchClassifier } from "./bench-model.mjs";

/**
 * `encoder`: @aflora/encoder's BERT classifier (the product's training step, per-layer
 * recomputation as its own lossAndGradients does it); `local`: the bench's own minimal
 * model (bench-model.mjs), independent of the encoder package.
 */
async function buildModel(kind, cfg, baseTrainable, recompute) {
  if (kind === "local") {
    const model = new BenchClassifier(cfg, { baseTrainable, seed: 1 });
    return {
      model,
      lossAndGradients: (batch, vars) =>
        model.lossAndGradients(batch.inputIds, batch.labels, vars, { recompute: recompute === true }),
    };
  }
  const { createEncoderFromConfig, readEncoderConfig } = await import("@aflora/encoder");
  const config = readEncoderConfig({
    model_type: "bert",
    hidden_size: cfg.hidden,
    num_hidden_layers: cfg.layers,
    num_attention_heads: cfg.heads,
    intermediate_size: cfg.ffn,
    vocab_size: cfg.vocab,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    hidden_act: "gelu",
    hidden_dropout_prob: 0, // the peer step has no dropout
    attention_probs_dropout_prob: 0,
    layer_norm_eps: 1e-12,
    num_labels: cfg.labels,
  });
  const model = createEncoderFromConfig(config, { seed: 1, recompute });
  // As the peer: the head (pooler, classifier) trains; embeddings and LayerNorms never do;
  // the encoder's W0 and biases only in `full`.
  const names = model.params.names();
  const isHead = (n) => /^(bert\.pooler|classifier)\./.test(n);
  const trains = (n) => isHead(n) || (baseTrainable && /encoder\.layer\.\d+\./.test(n) && !n.includes("LayerNorm"));
  model.params.unfreeze(names.filter(trains));
  model.params.freeze(
    names.filter((n) => !trains(n)),
    "bench",
  );
  return { model, lossAndGradients: (batch, vars) => model.lossAndGradients(batch, vars) };
}
import { METHODS } from "./methods.mjs";

/**
 * `backend`/`threads` go through core's `selectBackendInfo`, the same selection `aflora train`
 * makes (auto: tfjs-node, else native with a CBLAS, else wasm).
 */
export async function setupBench({
  method,
  cfg,
  stockGradients,
  model: kind = "encoder",
  recompute,
  backend = "auto",
  threads,
}) {
  const selection = await selectBackendInfo(backend, threads ? { threads } : {});
  if (stockGradients) uninstallFastGradients();
  else installFastGradients();
  const spec = METHODS[method];
  const { model, lossAndGradients } = await buildModel(kind, cfg, spec.baseTrainable, recompute);
  if (spec.adapter) {
    const applied = applyAdapter(
      model,
      { ...spec.adapter, modulesToSave: ["bert.pooler", "classifier"] },
      { rng: new Rng(7) },
    );
    const freeze = spec.freezeMatrices ? applied.matrixNames.filter((n) => model.params.get(n).trainable) : [];
    if (freeze.length) model.params.freeze(freeze, "bench: AFLoRA after freezing");
  }
  const vars = model.params.trainableVariables();
  const optimizer = new AdamW(model.params, { lr: 1e-4, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8 });
  return { model, vars, optimizer, counts: model.params.counts(), lossAndGradients, selection };
}

/** The benchmark batch: token ids [batch·seq] and labels [batch], seeded. */
export function benchBatch(cfg) {
  const rng = new Rng(1);
  const ids = Int32Array.from({ length: cfg.batch * cfg.seq }, () => rng.nextUint32() % cfg.vocab);
  const labels = Int32Array.from({ length: cfg.batch }, () => rng.nextUint32() % cfg.labels);
  return batchOf(ids, labels, cfg);
}

/** A TextBatch (every token real) for token ids [rows·seq] and labels [rows]. */
export function batchOf(inputIds, labels, cfg) {
  return {
    batchSize: labels.length,
    seqLength: cfg.seq,
    inputIds,
    attentionMask: new Int32Array(inputIds.length).fill(1),
    labels,
  };
}
