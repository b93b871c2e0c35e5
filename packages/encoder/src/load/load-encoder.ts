import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "@aflora/core";
import { basePrefix, type EncoderConfig } from "../config/encoder-config.js";
import { readEncoderConfig } from "../config/read-config.js";
import { buildEncoder, hfInitializer, type BuildOptions } from "../models/build-encoder.js";
import type { EncoderForSequenceClassification } from "../models/sequence-classifier.js";
import { stateDictSpecs, type ParameterSpec } from "../models/state-dict-spec.js";
import { readWeightFiles, type LoadedTensors } from "./weight-files.js";

export interface LoadEncoderOptions extends BuildOptions {
  /** Notes Transformers would log: unknown keys ignored, head weights newly initialised, config oddities. Default: console.warn. */
  warn?: (message: string) => void;
  /** Seed of the weights a checkpoint lacks (e.g. a fresh classifier) and of dropout. */
  seed?: number | string;
}

/** Non-persistent buffers that older checkpoints store; Transformers drops them silently. */
const IGNORED_BUFFERS = /\.embeddings\.(position_ids|token_type_ids)$/;

/**
 * Loads a Hugging Face model folder (config.json + model.safetensors, sharded safetensors,
 * or pytorch_model.bin) as a `*ForSequenceClassification` model. Missing base weights and
 * shape mismatches are one error listing every tensor; weights Transformers would initialise
 * (classifier, pooler) are initialised the same way, with a warning; unknown keys are ignored
 * with a warning.
 */
export async function loadEncoder(
  folder: string,
  options: LoadEncoderOptions = {},
): Promise<EncoderForSequenceClassification> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const config = await readConfigFile(folder, warn);
  const loaded = await readWeightFiles(folder);
  const source = matchCheckpoint(config, loaded, folder, warn);
  const init = hfInitializer(config, new Rng(options.seed ?? 0).fork("weights"));
  return buildEncoder(config, (spec) => source.get(spec.name) ?? init(spec), options);
}

export async function readConfigFile(
  folder: string,
  warn: (message: string) => void = () => undefined,
): Promise<EncoderConfig> {
  const path = join(folder, "config.json");
  if (!existsSync(path)) throw new Error(`${folder}: no config.json (is this a Hugging Face model folder?)`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return readEncoderConfig(json, path, warn);
}

/**
 * Maps checkpoint tensors onto the model's parameter specs, renaming as Transformers does
 * (LayerNorm `gamma`/`beta` → `weight`/`bias`; a bare base-model checkpoint gets the base
 * prefix). Returns the values by parameter name.
 */
export function matchCheckpoint(
  config: EncoderConfig,
  loaded: LoadedTensors,
  folder: string,
  warn: (message: string) => void,
): Map<string, Float32Array> {
  const prefix = basePrefix(config);
  const specs = stateDictSpecs(config);
  const byName = new Map<string, { shape: number[]; data: Float32Array; file: string; original: string }>();
  const bare = ![...loaded.tensors.keys()].some((k) => k.startsWith(`${prefix}.`));
  for (const [original, t] of loaded.tensors) {
    let name = original.replace(/LayerNorm\.gamma$/, "LayerNorm.weight").replace(/LayerNorm\.beta$/, "LayerNorm.bias");
    if (bare && (name.startsWith("embeddings.") || name.startsWith("encoder.") || name.startsWith("pooler.")))
      name = `${prefix}.${name}`;
    byName.set(name, { ...t, original });
  }
  const out = new Map<string, Float32Array>();
  const missing: ParameterSpec[] = [];
  const mismatched: string[] = [];
  const initialised: string[] = [];
  const known = new Set<string>();
  for (const spec of specs) {
    known.add(spec.name);
    const t = byName.get(spec.name);
    if (!t) {
      if (spec.required) missing.push(spec);
      else initialised.push(spec.name);
      continue;
    }
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      mismatched.push(
        `${t.original} in ${t.file}: checkpoint [${t.shape.join(", ")}], model [${spec.shape.join(", ")}]`,
      );
      continue;
    }
    out.set(spec.name, t.data);
  }
  if (missing.length > 0 || mismatched.length > 0) {
    const lines = [
      ...missing.map((s) => `  missing: ${s.name} [${s.shape.join(", ")}]`),
      ...mismatched.map((m) => `  shape mismatch: ${m}`),
    ];
    throw new Error(
      `${folder}: the checkpoint does not fit config.json (${config.modelType}): ${missing.length} missing, ${mismatched.length} with another shape\n${lines.join("\n")}`,
    );
  }
  const unknown = [...byName.entries()]
    .filter(([n]) => !known.has(n) && !IGNORED_BUFFERS.test(n))
    .map(([, t]) => t.original);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).join(", ");
    warn(
      `${folder}: ignored ${unknown.length} checkpoint tensors the model does not use: ${shown}${unknown.length > 10 ? ", ..." : ""}`,
    );
  }
  if (initialised.length > 0) {
    warn(`${folder}: newly initialised (not in the checkpoint): ${initialised.join(", ")}; train them before use`);
  }
  return out;
}
