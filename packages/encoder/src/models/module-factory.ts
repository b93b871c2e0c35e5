import * as tf from "@tensorflow/tfjs-core";
import { Linear, type ParameterGroup, type ParameterRegistry } from "@aflora/core";
import type { Activation } from "../layers/activations.js";
import { Embedding, LayerNorm } from "../layers/modules.js";
import { TransformerLayer, type AttentionCore } from "../layers/transformer-layer.js";
import type { ParameterSpec } from "./state-dict-spec.js";

/** Values in Hugging Face layout for one parameter (Linear weights [out, in]). */
export type WeightSource = (spec: ParameterSpec) => Float32Array;

/**
 * The classification head (`classifier.*`, as PEFT's `modules_to_save=["classifier"]`) is
 * group "head" and trainable; every other weight, the poolers included, is a frozen "base" weight.
 */
export function defaultGroupOf(name: string): { group: ParameterGroup; trainable: boolean } {
  return name.startsWith("classifier.") ? { group: "head", trainable: true } : { group: "base", trainable: false };
}

/** Creates the named modules of a model from its parameter specs and registers their variables under HF names. */
export class ModuleFactory {
  readonly linears = new Map<string, Linear>();
  private readonly specs: Map<string, ParameterSpec>;

  constructor(
    specs: readonly ParameterSpec[],
    private readonly registry: ParameterRegistry,
    private readonly source: WeightSource,
    private readonly groupOf: (name: string) => { group: ParameterGroup; trainable: boolean } = defaultGroupOf,
  ) {
    this.specs = new Map(specs.map((s) => [s.name, s]));
  }

  linear(name: string, withBias = true): Linear {
    const w = this.spec(`${name}.weight`);
    const [outF, inF] = w.shape as [number, number];
    const kernel = this.variable(w, (t) => tf.transpose(t));
    this.registry.register(w.name, kernel, {
      ...this.groupOf(w.name),
      stateShape: w.shape,
      toState: (v) => tf.transpose(v),
      fromState: (v) => tf.transpose(v),
    });
    let bias: tf.Variable | null = null;
    if (withBias) {
      const b = this.spec(`${name}.bias`);
      bias = this.variable(b);
      this.registry.register(b.name, bias, this.groupOf(b.name));
    }
    const lin = new Linear(name, inF, outF, kernel, bias);
    this.linears.set(name, lin);
    return lin;
  }

  /**
   * One encoder layer around its attention core, with the Hugging Face module names every
   * family shares: `attention.output.{dense,LayerNorm}`, `intermediate.dense`, `output.{dense,LayerNorm}`.
   */
  transformerLayer(
    name: string,
    attention: AttentionCore,
    activation: Activation,
    config: { layerNormEps: number; hiddenDropoutProb: number },
  ): TransformerLayer {
    return new TransformerLayer(
      name,
      attention,
      this.linear(`${name}.attention.output.dense`),
      this.layerNorm(`${name}.attention.output.LayerNorm`, config.layerNormEps),
      this.linear(`${name}.intermediate.dense`),
      activation,
      this.linear(`${name}.output.dense`),
      this.layerNorm(`${name}.output.LayerNorm`, config.layerNormEps),
      config.hiddenDropoutProb,
    );
  }

  embedding(name: string): Embedding {
    const w = this.spec(`${name}.weight`);
    const v = this.variable(w);
    this.registry.register(w.name, v, this.groupOf(w.name));
    return new Embedding(name, v, w.paddingIdx);
  }

  layerNorm(name: string, eps: number): LayerNorm {
    const w = this.spec(`${name}.weight`);
    const b = this.spec(`${name}.bias`);
    const wv = this.variable(w);
    const bv = this.variable(b);
    this.registry.register(w.name, wv, this.groupOf(w.name));
    this.registry.register(b.name, bv, this.groupOf(b.name));
    return new LayerNorm(name, wv, bv, eps);
  }

  private spec(name: string): ParameterSpec {
    const s = this.specs.get(name);
    if (!s) throw new Error(`internal: no parameter spec for "${name}"`);
    return s;
  }

  private variable(spec: ParameterSpec, layout?: (t: tf.Tensor) => tf.Tensor): tf.Variable {
    const data = this.source(spec);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`internal: ${spec.name} has ${data.length} values, expected ${size}`);
    const init = tf.tidy(() => {
      const t = tf.tensor(data, spec.shape, "float32");
      return layout ? layout(t) : t;
    });
    const v = tf.variable(init, true);
    init.dispose();
    return v;
  }
}
