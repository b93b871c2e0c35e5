import * as tf from "@tensorflow/tfjs-core";
import { Linear, ParameterRegistry, Rng } from "@aflora/core";
import type { AdaptableModel } from "../src/base/adaptable-model.js";

export interface TinyModel extends AdaptableModel {
  forward(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export interface TinyOptions {
  layers?: number;
  hidden?: number;
  intermediate?: number;
  labels?: number;
  /** "bert" names (`query`) or "deberta-v2" names (`query_proj`). */
  style?: "bert" | "deberta-v2";
  seed?: number;
}

/**
 * A BERT/DeBERTa-named stack of core Linears with a made-up but smooth forward pass: enough
 * to exercise targeting, merging, gradients and save/load without a real encoder.
 */
export function tinyModel(o: TinyOptions = {}): TinyModel {
  const { layers = 2, hidden: H = 6, intermediate: I = 10, labels: L = 3, style = "bert", seed = 1 } = o;
  const rng = new Rng(seed);
  const params = new ParameterRegistry();
  const linears = new Map<string, Linear>();
  const root = style === "bert" ? "bert" : "deberta";
  const q = style === "bert" ? ["query", "key", "value"] : ["query_proj", "key_proj", "value_proj"];
  const add = (name: string, inF: number, outF: number, group: "base" | "head" = "base") => {
    const w = rng.fork(name).uniformArray(inF * outF, -0.6, 0.6);
    const b = rng.fork(`${name}.bias`).uniformArray(outF, -0.1, 0.1);
    const kernel = tf.variable(tf.tensor2d(w, [inF, outF]));
    const bias = tf.variable(tf.tensor1d(b));
    const t = (v: tf.Tensor) => tf.transpose(v);
    params.register(`${name}.weight`, kernel, {
      group,
      trainable: true,
      stateShape: [outF, inF],
      toState: t,
      fromState: t,
    });
    params.register(`${name}.bias`, bias, { group, trainable: true });
    linears.set(name, new Linear(name, inF, outF, kernel, bias));
  };
  for (let i = 0; i < layers; i++) {
    const p = `${root}.encoder.layer.${i}`;
    for (const n of q) add(`${p}.attention.self.${n}`, H, H);
    add(`${p}.attention.output.dense`, H, H);
    add(`${p}.intermediate.dense`, H, I);
    add(`${p}.output.dense`, I, H);
  }
  add(style === "bert" ? "bert.pooler.dense" : "pooler.dense", H, H);
  add("classifier", H, L, "head");
  const lin = (n: string) => linears.get(n)!;
  return {
    params,
    modelType: style,
    linears: () => linears,
    forward(x) {
      return tf.tidy(() => {
        let h: tf.Tensor = x;
        for (let i = 0; i < layers; i++) {
          const p = `${root}.encoder.layer.${i}`;
          const [qn, kn, vn] = q.map((n) => `${p}.attention.self.${n}`) as [string, string, string];
          const mix = tf.add(tf.mul(tf.tanh(lin(qn).apply(h)), tf.sigmoid(lin(kn).apply(h))), lin(vn).apply(h));
          h = tf.add(h, lin(`${p}.attention.output.dense`).apply(mix));
          h = tf.add(h, lin(`${p}.output.dense`).apply(tf.tanh(lin(`${p}.intermediate.dense`).apply(h))));
        }
        const pooled = tf.tanh(lin(style === "bert" ? "bert.pooler.dense" : "pooler.dense").apply(h));
        return lin("classifier").apply(pooled) as tf.Tensor2D;
      });
    },
    dispose: () => params.dispose(),
  };
}

/** Copies of every registry value (HF layout) and flag, to prove an error changed nothing. */
export function snapshot(model: AdaptableModel): {
  names: string[];
  flags: unknown;
  values: Map<string, number[]>;
  adapters: boolean[];
} {
  const values = new Map<string, number[]>();
  for (const n of model.params.names()) {
    const t = model.params.stateValue(n);
    values.set(n, Array.from(t.dataSync()));
    t.dispose();
  }
  return {
    names: model.params.names(),
    flags: model.params.flags(),
    values,
    adapters: [...model.linears().values()].map((l) => l.adapter !== null || l.merged),
  };
}
