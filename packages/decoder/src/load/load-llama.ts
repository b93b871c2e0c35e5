import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readLlamaConfig, type LlamaConfig } from "../config/llama-config.js";
import { buildLlama, type BuildLlamaOptions } from "../model/build-llama.js";
import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";
import { llamaStateDict } from "../model/state-dict.js";
import { openCheckpoint, type Checkpoint } from "./checkpoint.js";

export interface LoadLlamaOptions extends BuildLlamaOptions {
  /** Notes Transformers would log (unknown keys ignored). Default: console.warn. */
  warn?: (message: string) => void;
}

/** Buffers older checkpoints store that Transformers recomputes (RoPE frequencies from rope_theta). */
const IGNORED = /\.rotary_emb\.inv_freq$/;

export function readLlamaConfigFile(folder: string): LlamaConfig {
  const path = join(folder, "config.json");
  if (!existsSync(path)) throw new Error(`${folder}: no config.json (is this a Hugging Face model folder?)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return readLlamaConfig(json, path);
}

/**
 * Loads a Hugging Face `LlamaForCausalLM` folder (config.json + model.safetensors, sharded
 * safetensors, or pytorch_model.bin). Safetensors are read tensor by tensor, straight into
 * TF.js variables. Missing tensors and shape mismatches are one error listing every tensor.
 */
export async function loadLlama(folder: string, options: LoadLlamaOptions = {}): Promise<LlamaForCausalLM> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const config = readLlamaConfigFile(folder);
  checkBackendCapacity(config, folder);
  const checkpoint = await openCheckpoint(folder);
  try {
    checkFits(config, checkpoint, folder, warn);
    return buildLlama(config, (spec) => checkpoint.read(spec.name), options);
  } finally {
    checkpoint.close();
  }
}

/** Backends whose tensors live in one WebAssembly heap (at most 4 GiB). */
const WASM_HEAP_BACKENDS = new Set(["wasm", "native"]);
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

/** float32 bytes of the model's weights (TF.js has no float16: F16/BF16 files are widened on load). */
export function llamaWeightBytes(config: LlamaConfig): number {
  return 4 * llamaStateDict(config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}

/** One clear error instead of an out-of-memory abort halfway through a 25 GiB load. */
function checkBackendCapacity(config: LlamaConfig, folder: string): void {
  const backend = tf.getBackend();
  const bytes = llamaWeightBytes(config);
  if (WASM_HEAP_BACKENDS.has(backend) && bytes > WASM_HEAP_BYTES) {
    const gib = (bytes / 1024 ** 3).toFixed(1);
    throw new Error(
      `${folder}: the weights need ${gib} GiB in float32, more than the ${backend} backend's 4 GiB WebAssembly heap; ` +
        `use the "tensorflow" backend (@tensorflow/tfjs-node, host memory) or "tensorflow-gpu" (@tensorflow/tfjs-node-gpu)`,
    );
  }
}

function checkFits(config: LlamaConfig, ckpt: Checkpoint, folder: string, warn: (m: string) => void): void {
  const specs = llamaStateDict(config);
  const problems: string[] = [];
  for (const s of specs) {
    const shape = ckpt.shape(s.name);
    if (!shape) problems.push(`  missing: ${s.name} [${s.shape.join(", ")}]`);
    else if (shape.length !== s.shape.length || shape.some((d, i) => d !== s.shape[i])) {
      problems.push(
        `  shape mismatch: ${s.name} in ${ckpt.fileOf(s.name)}: checkpoint [${shape.join(", ")}], model [${s.shape.join(", ")}]`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `${folder}: the checkpoint does not fit config.json (llama, ${config.numHiddenLayers} layers)\n${problems.join("\n")}`,
    );
  }
  const known = new Set(specs.map((s) => s.name));
  // A tied model's file may still carry lm_head.weight (an old save): HF ties it to the embedding anyway.
  if (config.tieWordEmbeddings) known.add("lm_head.weight");
  const unknown = ckpt.names().filter((n) => !known.has(n) && !IGNORED.test(n));
  if (unknown.length > 0) {
    warn(
      `${folder}: ignored ${unknown.length} checkpoint tensors the model does not use: ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? ", ..." : ""}`,
    );
  }
}
