import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "@aflora/core";
import type { EncoderConfig, ProblemType } from "../config/encoder-config.js";
import { readEncoderConfig } from "../config/read-config.js";
import { buildEncoder, hfInitializer, type BuildOptions } from "../models/build-encoder.js";
import type { EncoderForSequenceClassification } from "../models/sequence-classifier.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { HfTokenizer } from "../tokenizer/hf-tokenizer.js";
import { matchCheckpoint } from "./load-encoder.js";
import { readWeightFiles } from "./weight-files.js";

/** Files that make a folder hold a tokenizer (the rest of TOKENIZER_FILES only configure one). */
const VOCAB_FILES = ["tokenizer.json", "spm.model", "vocab.txt", "vocab.json"];

/** The task a model is loaded for, as `from_pretrained(num_labels=…, problem_type=…)` takes it. */
export interface ModelTask {
  /** Labels of the head (1 for regression); config.json's `id2label` is reset when it disagrees, as in Transformers. */
  numLabels?: number;
  problemType?: ProblemType;
}

export interface LoadModelOptions extends BuildOptions {
  task?: ModelTask;
  /** Also load the folder's tokenizer (default: when the folder has tokenizer files). */
  tokenizer?: boolean;
  /** Seed of the weights the checkpoint lacks (a new classifier) and of dropout. Default 0. */
  seed?: number | string;
  /** Notes Transformers would log. Default: console.warn. */
  warn?: (message: string) => void;
}

export interface LoadedModel {
  model: EncoderForSequenceClassification;
  /** null when the folder has no tokenizer files (or `tokenizer: false`). */
  tokenizer: HfTokenizer | null;
  config: EncoderConfig;
  /** config.json as read (after the task's overrides): what a saved model folder writes back. */
  rawConfig: Record<string, unknown>;
}

/**
 * One call from a Hugging Face model folder to a ready model (and its tokenizer), like
 * `AutoModelForSequenceClassification.from_pretrained(folder, num_labels=…)` plus
 * `AutoTokenizer.from_pretrained(folder)`. Weights: model.safetensors, sharded safetensors or
 * pytorch_model.bin; a missing head is initialised as Transformers does, with a warning.
 */
export async function loadModel(folder: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const path = join(folder, "config.json");
  if (!existsSync(folder)) throw new Error(`${folder}: no such folder`);
  if (!existsSync(path)) throw new Error(`${folder}: no config.json (is this a Hugging Face model folder?)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  raw = withTask(raw, options.task, path);
  const config = readEncoderConfig(raw, path, warn);
  const source = matchCheckpoint(config, await readWeightFiles(folder), folder, warn);
  const init = hfInitializer(config, new Rng(options.seed ?? 0).fork("weights"));
  const model = buildEncoder(config, (spec) => source.get(spec.name) ?? init(spec), options);
  const wantTokenizer = options.tokenizer ?? VOCAB_FILES.some((f) => existsSync(join(folder, f)));
  try {
    const tokenizer = wantTokenizer ? await loadTokenizer(folder) : null;
    return { model, tokenizer, config, rawConfig: raw };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** config.json with the task's `num_labels` / `problem_type` (Transformers' kwargs override the file). */
function withTask(raw: Record<string, unknown>, task: ModelTask | undefined, source: string): Record<string, unknown> {
  if (!task) return raw;
  const out = { ...raw };
  if (task.numLabels !== undefined) {
    if (!(Number.isInteger(task.numLabels) && task.numLabels >= 1)) {
      throw new Error(`${source}: task.numLabels: expected a positive integer, got ${task.numLabels}`);
    }
    const id2label = raw["id2label"];
    if (id2label && typeof id2label === "object" && Object.keys(id2label).length !== task.numLabels) {
      delete out["id2label"];
      delete out["label2id"];
    }
    out["num_labels"] = task.numLabels;
  }
  if (task.problemType !== undefined) out["problem_type"] = task.problemType;
  return out;
}
