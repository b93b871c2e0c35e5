// Thin adapter over @aflora/encoder: the one place the CLI knows how models and tokenizers are loaded.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { Tokenizer, TrainableModel } from "@aflora/core";
import type { AdaptableModel } from "@aflora/adapter";
import type { TaskInfo } from "@aflora/glue-data";
import { buildEncoder, createEncoderFromConfig, hfInitializer, loadTokenizer, matchCheckpoint, readEncoderConfig, readWeightFiles, resolveModelSource } from "@aflora/encoder";
import { Rng } from "@aflora/core";
import type { RunConfig } from "../config/schema.js";

/** packages/cli/assets/demo-encoder: the demo's config and tokenizer (no weights). */
export const DEMO_ENCODER_DIR = fileURLToPath(new URL("../../assets/demo-encoder/", import.meta.url));

export interface BuiltModel {
  model: TrainableModel & AdaptableModel;
  tokenizer: Tokenizer;
  /** The Hugging Face config.json the model was built from, with the task's labels. */
  modelConfig: Record<string, unknown>;
  /** Where the weights came from, for the log and the report. */
  origin: string;
  /** True when no pretrained weights were loaded (the demo). */
  randomInit: boolean;
}

/** Sets the head's labels from the task, as Transformers' `from_pretrained(num_labels=…, id2label=…)`. */
export function withTaskLabels(raw: Record<string, unknown>, task: TaskInfo): Record<string, unknown> {
  const names = task.labels ?? ["LABEL_0"];
  const id2label = Object.fromEntries(names.map((n, i) => [String(i), n]));
  return { ...raw, num_labels: task.numLabels, id2label, label2id: Object.fromEntries(names.map((n, i) => [n, i])), problem_type: task.problemType };
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : `not valid JSON (${(e as Error).message})`}`);
  }
}

/**
 * `model: "demo"` builds the shipped tiny encoder with random weights; a folder loads a Hugging
 * Face model (config.json + safetensors or pytorch_model.bin); a hub id is fetched into the cache.
 */
/** Where the tokenizer of `config.model` lives (for models saved without one, e.g. a full fine-tuning run's model/). */
export async function tokenizerFolderOf(config: RunConfig): Promise<string> {
  if (config.tokenizer) return resolve(config.tokenizer);
  if (config.model === "demo") return DEMO_ENCODER_DIR;
  return (await resolveModelSource(config.model)).folder;
}

export async function buildModel(config: RunConfig, task: TaskInfo, seed: number, warn: (m: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)): Promise<BuiltModel> {
  const tokenizerDir = (dir: string) => resolve(config.tokenizer ?? dir);
  if (config.model === "demo") {
    const raw = withTaskLabels(readJson(resolve(DEMO_ENCODER_DIR, "config.json")), task);
    const encoderConfig = readEncoderConfig(raw, "demo-encoder/config.json", warn);
    const model = createEncoderFromConfig(encoderConfig, { seed });
    const tokenizer = await loadTokenizer(tokenizerDir(DEMO_ENCODER_DIR));
    return { model, tokenizer, modelConfig: raw, origin: "the built-in demo encoder (tiny DeBERTa-v3-style config, randomly initialised)", randomInit: true };
  }
  // A folder is used as it is; a hub id is downloaded once into the cache (offline: one error naming the folder to provide).
  let hub;
  try {
    hub = await resolveModelSource(config.model);
  } catch (e) {
    throw new Error(`model: ${(e as Error).message}`);
  }
  const folder = hub.folder;
  const raw = withTaskLabels(readJson(resolve(folder, "config.json")), task);
  const encoderConfig = readEncoderConfig(raw, resolve(folder, "config.json"), warn);
  const weights = await readWeightFiles(folder);
  dropMismatchedHead(weights.tensors, task.numLabels, warn);
  const source = matchCheckpoint(encoderConfig, weights, folder, warn);
  const init = hfInitializer(encoderConfig, new Rng(seed).fork("weights"));
  const model = buildEncoder(encoderConfig, (spec) => source.get(spec.name) ?? init(spec), { seed });
  const tokenizer = await loadTokenizer(tokenizerDir(folder));
  const origin = hub.origin === "local" ? folder : `${hub.id} (${hub.origin === "cache" ? "cached" : "downloaded"} in ${folder})`;
  return { model, tokenizer, modelConfig: raw, origin, randomInit: false };
}

/**
 * A checkpoint fine-tuned for another task has a classifier of another width; like Transformers'
 * `ignore_mismatched_sizes=True`, it is dropped (and initialised afresh) instead of failing.
 */
export function dropMismatchedHead(tensors: Map<string, { shape: number[] }>, numLabels: number, warn: (m: string) => void): void {
  for (const [name, t] of [...tensors]) {
    if (/(^|\.)classifier\.(weight|bias)$/.test(name) && t.shape[0] !== numLabels) {
      tensors.delete(name);
      warn(`${name}: the checkpoint's head has ${t.shape[0]} outputs, the task needs ${numLabels}; it is initialised afresh`);
    }
  }
}
