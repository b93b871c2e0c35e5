import * as tf from "@tensorflow/tfjs-core";
import { Linear, ParameterRegistry, type ParameterGroup } from "@aflora/core";
import type { LlamaConfig } from "../config/llama-config.js";
import { LlamaAttention } from "./attention.js";
import { LlamaDecoderLayer, LlamaMlp } from "./decoder-layer.js";
import { TokenEmbedding } from "./embedding.js";
import { LlamaForCausalLM } from "./llama-for-causal-lm.js";
import { RmsNorm } from "./rms-norm.js";
import { ropeInvFreq } from "./rotary.js";
import { llamaStateDict, type LlamaTensorSpec } from "./state-dict.js";

/** Values of one parameter in HF layout (Linear weights [out, in]); called once per tensor, in model order. */
export type LlamaWeightSource = (spec: LlamaTensorSpec) => Float32Array;

export interface BuildLlamaOptions {
  /** Registry to add the variables to (default: a new one). */
  registry?: ParameterRegistry;
  /**
   * Whether the base weights start trainable (full fine-tuning). Default false: every base
   * weight is registered frozen in group "base", so an optimizer built from the registry's
   * trainable set never sees it.
   */
  trainable?: boolean;
  /** Per-layer recomputation in `lossAndGradients` (default "auto": only when a batch's activations would not fit the backend's memory). */
  recompute?: boolean | "auto";
}

/**
 * Builds `LlamaForCausalLM` from a weight source, one tensor at a time (the source may read
 * each tensor from disk as it is asked for, so only one tensor's bytes are ever held in JS).
 */
export function buildLlama(
  config: LlamaConfig,
  source: LlamaWeightSource,
  options: BuildLlamaOptions = {},
): LlamaForCausalLM {
  const registry = options.registry ?? new ParameterRegistry();
  const group: { group: ParameterGroup; trainable: boolean } = { group: "base", trainable: options.trainable ?? false };
  const specs = new Map(llamaStateDict(config).map((s) => [s.name, s]));
  const names: string[] = [];
  const linears = new Map<string, Linear>();
  try {
    const variable = (
      name: string,
      layout?: (t: tf.Tensor) => tf.Tensor,
    ): { v: tf.Variable; spec: LlamaTensorSpec } => {
      const spec = specs.get(name)!;
      const data = source(spec);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (data.length !== size)
        throw new Error(`${name}: ${data.length} values, expected ${size} for shape [${spec.shape.join(", ")}]`);
      const init = tf.tidy(() => {
        const t = tf.tensor(data, [...spec.shape], "float32");
        return layout ? layout(t) : t;
      });
      const v = tf.variable(init, true);
      init.dispose();
      return { v, spec };
    };
    const plain = (name: string): tf.Variable => {
      const { v } = variable(name);
      registry.register(name, v, group);
      names.push(name);
      return v;
    };
    const linear = (name: string): Linear => {
      const { v, spec } = variable(`${name}.weight`, (t) => tf.transpose(t));
      registry.register(`${name}.weight`, v, {
        ...group,
        stateShape: spec.shape,
        toState: (x) => tf.transpose(x),
        fromState: (x) => tf.transpose(x),
      });
      names.push(`${name}.weight`);
      const lin = new Linear(name, spec.shape[1]!, spec.shape[0]!, v, null);
      linears.set(name, lin);
      return lin;
    };
    const embed = new TokenEmbedding("model.embed_tokens", plain("model.embed_tokens.weight"), config.padTokenId);
    const layers: LlamaDecoderLayer[] = [];
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const p = `model.layers.${i}`;
      const inputNorm = new RmsNorm(`${p}.input_layernorm`, plain(`${p}.input_layernorm.weight`), config.rmsNormEps);
      const attn = new LlamaAttention(
        i,
        linear(`${p}.self_attn.q_proj`),
        linear(`${p}.self_attn.k_proj`),
        linear(`${p}.self_attn.v_proj`),
        linear(`${p}.self_attn.o_proj`),
        config.numAttentionHeads,
        config.numKeyValueHeads,
        config.headDim,
      );
      const postNorm = new RmsNorm(
        `${p}.post_attention_layernorm`,
        plain(`${p}.post_attention_layernorm.weight`),
        config.rmsNormEps,
      );
      const mlp = new LlamaMlp(linear(`${p}.mlp.gate_proj`), linear(`${p}.mlp.up_proj`), linear(`${p}.mlp.down_proj`));
      layers.push(new LlamaDecoderLayer(p, inputNorm, attn, postNorm, mlp));
    }
    const norm = new RmsNorm("model.norm", plain("model.norm.weight"), config.rmsNormEps);
    // Tied: the output projection IS the embedding variable, so one gradient sums both uses.
    const lmHead = config.tieWordEmbeddings ? embed.weight : plain("lm_head.weight");
    const parts = {
      embedTokens: embed,
      layers,
      norm,
      lmHead,
      linears,
      invFreq: ropeInvFreq(config.headDim, config.ropeTheta),
    };
    return new LlamaForCausalLM(config, registry, parts, names, { recompute: options.recompute ?? "auto" });
  } catch (e) {
    for (const n of names) registry.unregister(n);
    throw e;
  }
}
