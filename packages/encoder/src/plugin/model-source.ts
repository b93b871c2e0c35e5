import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng, type LoadedModel, type ModelLoadContext, type ModelSource, type TaskInfo } from "@aflora/core";
import { readEncoderConfig } from "../config/read-config.js";
import { resolveModelSource } from "../hub/resolve-model-source.js";
import { matchCheckpoint } from "../load/load-encoder.js";
import { readWeightFiles } from "../load/weight-files.js";
import { buildEncoder, createEncoderFromConfig, hfInitializer } from "../models/build-encoder.js";
import { DEFAULT_TOKENIZER_MODE, loadTokenizer, type TokenizerMode } from "../tokenizer/index.js";
import { saveModelFolder } from "./save-model-folder.js";

/** packages/encoder/assets/demo-encoder: the demo's config and tokenizer (no weights). */
export const DEMO_ENCODER_DIR = fileURLToPath(new URL("../../assets/demo-encoder/", import.meta.url));

export interface EncoderSourceOptions {
  /** "demo", a Hugging Face model folder, or a hub id. */
  path: string;
  /** Tokenizer folder or tokenizer.json when it is not in the model folder. */
  tokenizer?: string | undefined;
  /** Hub revision (branch, tag or commit) of a hub id. */
  revision?: string | undefined;
  /** "hf-fast" (what HF's AutoTokenizer gives) or "sentencepiece" (the sentencepiece library exactly). */
  tokenizerMode?: TokenizerMode | undefined;
  /** Per-layer recomputation of the backward: true, false or "auto" (default; see EncoderModelOptions). */
  recompute?: boolean | "auto" | undefined;
}

/** Sets the head's labels from the task, as Transformers' `from_pretrained(num_labels=…, id2label=…)`. */
export function withTaskLabels(raw: Record<string, unknown>, task: TaskInfo): Record<string, unknown> {
  const names = task.labels ?? ["LABEL_0"];
  const id2label = Object.fromEntries(names.map((n, i) => [String(i), n]));
  const label2id = Object.fromEntries(names.map((n, i) => [n, i]));
  return { ...raw, num_labels: task.numLabels, id2label, label2id, problem_type: task.problemType };
}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** True for strings a user means as a path (`./x`, `../x`, `/x`, `~/x`, `C:\x`), not as a hub id. */
export function looksLikePath(s: string): boolean {
  return (
    s.startsWith(".") || s.startsWith("~") || isAbsolute(s) || /^[A-Za-z]:[\\/]/.test(s) || s.split("/").length > 2
  );
}

/**
 * A checkpoint fine-tuned for another task has a classifier of another width; like Transformers'
 * `ignore_mismatched_sizes=True`, it is dropped (and initialised afresh) instead of failing.
 */
export function dropMismatchedHead(
  tensors: Map<string, { shape: number[] }>,
  numLabels: number,
  warn: (m: string) => void,
): void {
  for (const [name, t] of [...tensors]) {
    if (/(^|\.)classifier\.(weight|bias)$/.test(name) && t.shape[0] !== numLabels) {
      tensors.delete(name);
      warn(
        `${name}: the checkpoint's head has ${t.shape[0]} outputs, the task needs ${numLabels}; it is initialised afresh`,
      );
    }
  }
}

/** Tokenizer files Transformers' `save_pretrained` writes, copied next to a saved model so the folder loads alone. */
const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "spm.model",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "added_tokens.json",
];

/** Copies the tokenizer files Transformers reads from `tokenizerPath` (a folder or a tokenizer.json) into `dir`. */
export function copyTokenizerFiles(tokenizerPath: string, dir: string): void {
  const from = existsSync(tokenizerPath) && statSync(tokenizerPath).isFile() ? dirname(tokenizerPath) : tokenizerPath;
  for (const f of TOKENIZER_FILES) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(dir, f));
}

function saveWithTokenizer(
  params: Parameters<typeof saveModelFolder>[0],
  raw: Record<string, unknown>,
  tokenizerPath: string,
  dir: string,
): void {
  saveModelFolder(params, raw, dir);
  copyTokenizerFiles(tokenizerPath, dir);
}

/** The folder the model's tokenizer is read from. */
export async function tokenizerLocation(o: EncoderSourceOptions): Promise<string> {
  if (o.tokenizer) return resolve(o.tokenizer);
  if (o.path === "demo") return DEMO_ENCODER_DIR;
  return (await resolveModelSource(o.path, o.revision ? { revision: o.revision } : {})).folder;
}

/**
 * BERT, RoBERTa and DeBERTa-v2/v3 sequence classifiers: `path: "demo"` builds the shipped tiny
 * encoder with random weights; a folder loads a Hugging Face model (config.json + safetensors or
 * pytorch_model.bin); a hub id is fetched into the cache.
 */
export class EncoderSource implements ModelSource {
  readonly nameOrPath: string | null;

  constructor(private readonly o: EncoderSourceOptions) {
    this.nameOrPath = o.path === "demo" ? null : o.path;
  }

  async load(ctx: ModelLoadContext): Promise<LoadedModel> {
    const { task, seed } = ctx;
    const warn = (message: string) => ctx.warn(message);
    const tokenizerDir = (dir: string) => resolve(this.o.tokenizer ?? dir);
    if (this.o.path === "demo") {
      const raw = withTaskLabels(readJson(resolve(DEMO_ENCODER_DIR, "config.json")), task);
      const model = createEncoderFromConfig(readEncoderConfig(raw, "demo-encoder/config.json", warn), {
        seed,
        recompute: this.o.recompute ?? "auto",
      });
      const tokenizer = await loadTokenizer(tokenizerDir(DEMO_ENCODER_DIR), {
        mode: this.o.tokenizerMode ?? DEFAULT_TOKENIZER_MODE,
      });
      const origin = "the built-in demo encoder (tiny DeBERTa-v3-style config, randomly initialised)";
      return {
        model,
        tokenizer,
        modelConfig: raw,
        origin,
        randomInit: true,
        nameOrPath: null,
        taskType: "SEQ_CLS",
        tokenizerPath: tokenizerDir(DEMO_ENCODER_DIR),
        save: (dir) => saveWithTokenizer(model.params, raw, tokenizerDir(DEMO_ENCODER_DIR), dir),
      };
    }
    if (looksLikePath(this.o.path) && !(existsSync(this.o.path) && statSync(this.o.path).isDirectory())) {
      throw new Error(`model.path: no such folder: ${resolve(this.o.path)}`);
    }
    let hub;
    try {
      hub = await resolveModelSource(this.o.path, { ...(this.o.revision ? { revision: this.o.revision } : {}), warn });
    } catch (e) {
      throw new Error(`model.path: ${(e as Error).message}`);
    }
    const folder = hub.folder;
    const raw = withTaskLabels(readJson(resolve(folder, "config.json")), task);
    const encoderConfig = readEncoderConfig(raw, resolve(folder, "config.json"), warn);
    const weights = await readWeightFiles(folder);
    dropMismatchedHead(weights.tensors, task.numLabels, warn);
    const source = matchCheckpoint(encoderConfig, weights, folder, warn);
    const init = hfInitializer(encoderConfig, new Rng(seed).fork("weights"));
    const model = buildEncoder(encoderConfig, (spec) => source.get(spec.name) ?? init(spec), {
      seed,
      recompute: this.o.recompute ?? "auto",
    });
    const tokenizer = await loadTokenizer(tokenizerDir(folder), {
      mode: this.o.tokenizerMode ?? DEFAULT_TOKENIZER_MODE,
    });
    const origin =
      hub.origin === "local" ? folder : `${hub.id} (${hub.origin === "cache" ? "cached" : "downloaded"} in ${folder})`;
    return {
      model,
      tokenizer,
      modelConfig: raw,
      origin,
      randomInit: false,
      nameOrPath: this.o.path,
      taskType: "SEQ_CLS",
      tokenizerPath: tokenizerDir(folder),
      save: (dir) => saveWithTokenizer(model.params, raw, tokenizerDir(folder), dir),
    };
  }
}
