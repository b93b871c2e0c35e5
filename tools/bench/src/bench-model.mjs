// A BERT-shaped encoder classifier with random weights, built from @aflora/core's Linear
// and registry, so @aflora/adapter can attach LoRA/ELoRA/AFLoRA to it exactly as it does to
// a real checkpoint. Same architecture and counting rules as ../peer/torch_step.py:
// embeddings and LayerNorms frozen, head (pooler + classifier) trainable, exact GELU.
import * as tf from "@tensorflow/tfjs-core";
import { Linear, ParameterRegistry } from "@aflora/core";

const LN_EPS = 1e-12;

export class BenchClassifier {
  /**
   * @param {{layers:number, hidden:number, heads:number, ffn:number, seq:number, batch:number, vocab:number, labels:number}} cfg
   * @param {{baseTrainable:boolean, seed:number}} opts
   */
  constructor(cfg, { baseTrainable, seed }) {
    this.cfg = cfg;
    this.modelType = "bert";
    this.params = new ParameterRegistry();
    let s = seed;
    const init = (shape, std = 0.02) => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, "float32", s++)));
    const reg = (name, variable, group, trainable, extra = {}) =>
      this.params.register(name, variable, { group, trainable, ...extra });
    const { hidden: H, ffn: F, layers, vocab, seq, labels } = cfg;
    reg("bert.embeddings.word_embeddings.weight", init([vocab, H]), "base", false);
    reg("bert.embeddings.position_embeddings.weight", init([seq, H]), "base", false);
    this.embLn = this.layerNorm("bert.embeddings.LayerNorm", H);
    this._linears = new Map();
    const linear = (name, din, dout, group, trainable) => {
      const kernel = init([din, dout]);
      const bias = tf.variable(tf.zeros([dout]));
      reg(`${name}.weight`, kernel, group, trainable, { stateShape: [dout, din] });
      reg(`${name}.bias`, bias, group, trainable);
      const l = new Linear(name, din, dout, kernel, bias);
      if (group === "base") this._linears.set(name, l);
      return l;
    };
    this.layers = [];
    for (let i = 0; i < layers; i++) {
      const p = `bert.encoder.layer.${i}`;
      this.layers.push({
        prefix: p,
        q: linear(`${p}.attention.self.query`, H, H, "base", baseTrainable),
        k: linear(`${p}.attention.self.key`, H, H, "base", baseTrainable),
        v: linear(`${p}.attention.self.value`, H, H, "base", baseTrainable),
        o: linear(`${p}.attention.output.dense`, H, H, "base", baseTrainable),
        ln1: this.layerNorm(`${p}.attention.output.LayerNorm`, H),
        int: linear(`${p}.intermediate.dense`, H, F, "base", baseTrainable),
        out: linear(`${p}.output.dense`, F, H, "base", baseTrainable),
        ln2: this.layerNorm(`${p}.output.LayerNorm`, H),
      });
    }
    this.pooler = linear("bert.pooler.dense", H, H, "head", true);
    this.classifier = linear("classifier", H, labels, "head", true);
  }

  layerNorm(name, H) {
    const gamma = tf.variable(tf.ones([H]));
    const beta = tf.variable(tf.zeros([H]));
    this.params.register(`${name}.weight`, gamma, { group: "base", trainable: false });
    this.params.register(`${name}.bias`, beta, { group: "base", trainable: false });
    return { gamma, beta };
  }

  /** For @aflora/adapter: the encoder's Linear modules by Hugging Face name. */
  linears() {
    return this._linears;
  }

  static applyLayerNorm(x, { gamma, beta }) {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS))), gamma), beta);
  }

  /** ids: Int32Array [batch·seq] → x0 [T, H] (frozen: no gradient flows here). */
  embed(ids) {
    const { batch, seq, hidden } = this.cfg;
    return tf.tidy(() => {
      const word = tf.gather(
        this.params.get("bert.embeddings.word_embeddings.weight").variable,
        tf.tensor1d(ids, "int32"),
      );
      const pos = tf.tile(this.params.get("bert.embeddings.position_embeddings.weight").variable, [batch, 1]);
      return tf.reshape(BenchClassifier.applyLayerNorm(tf.add(word, pos), this.embLn), [batch * seq, hidden]);
    });
  }

  /** One encoder layer on x [T, H]. */
  layer(i, x) {
    const { batch: B, seq: S, heads: nh, hidden: H } = this.cfg;
    const dh = H / nh;
    const L = this.layers[i];
    const heads = (t) => tf.reshape(tf.transpose(tf.reshape(t, [B, S, nh, dh]), [0, 2, 1, 3]), [B * nh, S, dh]);
    const q = heads(L.q.apply(x));
    const k = heads(L.k.apply(x));
    const v = heads(L.v.apply(x));
    const probs = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, v), [B, nh, S, dh]), [0, 2, 1, 3]), [B * S, H]);
    const x1 = BenchClassifier.applyLayerNorm(tf.add(x, L.o.apply(ctx)), L.ln1);
    const h = L.int.apply(x1);
    const gelu = tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
    return BenchClassifier.applyLayerNorm(tf.add(x1, L.out.apply(gelu)), L.ln2);
  }

  /** Cross-entropy of the head on the encoder output x [T, H]. */
  headLoss(x, labels) {
    const { batch: B, seq: S, hidden: H } = this.cfg;
    const first = tf.reshape(tf.slice(tf.reshape(x, [B, S, H]), [0, 0, 0], [B, 1, H]), [B, H]);
    const logits = this.classifier.apply(tf.tanh(this.pooler.apply(first)));
    const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), this.cfg.labels);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)));
  }

  /**
   * Loss and gradients of `vars` (name → variable). `recompute`: keep only each layer's
   * input during the forward pass and re-run one layer at a time in the backward pass
   * (bounded memory, one extra encoder forward); otherwise one whole-graph tape.
   */
  lossAndGradients(ids, labels, vars, { recompute }) {
    const list = [...vars.values()];
    if (!recompute) {
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => this.headLoss(this.encode(ids), labels)), list);
      return { loss: value, grads: renamed(grads, vars) };
    }
    const layerOf = (name) => Number(/\.layer\.(\d+)\./.exec(name)?.[1] ?? -1);
    const perLayer = this.layers.map(() => []);
    const head = [];
    for (const [name, v] of vars) (layerOf(name) >= 0 ? perLayer[layerOf(name)] : head).push(v);
    const earliest = perLayer.findIndex((l) => l.length > 0);
    const xs = [this.embed(ids)];
    for (let i = 0; i < this.layers.length; i++) xs.push(tf.tidy(() => this.layer(i, xs[i])));
    const grads = new Map();
    const collect = (g) => {
      for (const v of list) if (g[v.name]) grads.set(v.name, g[v.name]);
    };
    let xv = tf.variable(xs[this.layers.length]);
    const top = tf.variableGrads(() => tf.tidy(() => this.headLoss(xv, labels)), earliest >= 0 ? [xv, ...head] : head);
    collect(top.grads);
    let dy = top.grads[xv.name];
    xv.dispose();
    for (let i = this.layers.length - 1; earliest >= 0 && i >= earliest; i--) {
      const needInput = i > earliest;
      xv = needInput ? tf.variable(xs[i]) : null;
      const input = xv ?? xs[i];
      const g = dy;
      const r = tf.variableGrads(
        () => tf.tidy(() => tf.sum(tf.mul(this.layer(i, input), g))),
        xv ? [xv, ...perLayer[i]] : perLayer[i],
      );
      r.value.dispose();
      g.dispose();
      collect(r.grads);
      dy = xv ? r.grads[xv.name] : null;
      xv?.dispose();
    }
    dy?.dispose();
    tf.dispose(xs);
    return { loss: top.value, grads: renamed(Object.fromEntries(grads), vars) };
  }

  encode(ids) {
    let x = this.embed(ids);
    for (let i = 0; i < this.layers.length; i++) x = this.layer(i, x);
    return x;
  }
}

/** variable name → registry name. */
function renamed(grads, vars) {
  const out = new Map();
  for (const [name, v] of vars) {
    const g = grads[v.name];
    if (g) out.set(name, g);
  }
  return out;
}
