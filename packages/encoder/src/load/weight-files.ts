import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensorsFile, toFloat32 } from "@aflora/core";
import { readPytorchBinFile } from "../pytorch-bin/index.js";

/** Float32 tensors of a checkpoint by state-dict name, with the file each came from. */
export interface LoadedTensors {
  tensors: Map<string, { shape: number[]; data: Float32Array; file: string }>;
  /** The weight files that were read. */
  files: string[];
}

/**
 * Reads the weights of a Hugging Face model folder: `model.safetensors`, else the sharded
 * `model.safetensors.index.json`, else `pytorch_model.bin` (or its sharded index). F16/BF16
 * (and any other numeric dtype) become float32.
 */
export async function readWeightFiles(folder: string): Promise<LoadedTensors> {
  const single = join(folder, "model.safetensors");
  const index = join(folder, "model.safetensors.index.json");
  const bin = join(folder, "pytorch_model.bin");
  const binIndex = join(folder, "pytorch_model.bin.index.json");
  if (existsSync(single)) return collect([single], readSafetensorsFile);
  if (existsSync(index)) return collect(await shardFiles(index, folder), readSafetensorsFile, index);
  if (existsSync(bin)) return collect([bin], readPytorchBinFile);
  if (existsSync(binIndex)) return collect(await shardFiles(binIndex, folder), readPytorchBinFile, binIndex);
  throw new Error(
    `${folder}: no weights found (looked for model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json)`,
  );
}

type Reader = (path: string) => Promise<{ tensors: Map<string, { dtype: string; shape: number[]; data: unknown }> }>;

async function collect(files: string[], read: Reader, indexFile?: string): Promise<LoadedTensors> {
  const tensors: LoadedTensors["tensors"] = new Map();
  const wanted = indexFile ? await weightMap(indexFile) : null;
  for (const file of files) {
    const { tensors: t } = await read(file);
    for (const [name, v] of t) {
      if (tensors.has(name)) throw new Error(`${file}: tensor "${name}" also appears in ${tensors.get(name)!.file}`);
      const data = toFloat32(v as Parameters<typeof toFloat32>[0]);
      const bad = firstNonFinite(data);
      if (bad >= 0) {
        throw new Error(
          `${file}: tensor "${name}" holds a non-finite value (${data[bad]} at flat index ${bad}); refusing to load a model with NaN or Inf weights`,
        );
      }
      tensors.set(name, { shape: v.shape, data, file });
    }
  }
  if (wanted) {
    for (const [name, shard] of wanted) {
      const got = tensors.get(name);
      if (!got)
        throw new Error(`${indexFile}: weight_map lists "${name}" in ${shard}, but that file has no such tensor`);
    }
  }
  return { tensors, files };
}

function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    // x - x is 0 for every finite x and NaN for ±Inf and NaN.
    if (data[i]! - data[i]! !== 0) return i;
  }
  return -1;
}

async function weightMap(indexFile: string): Promise<Map<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(indexFile, "utf8"));
  } catch (e) {
    throw new Error(`${indexFile}: cannot read the shard index (${(e as Error).message})`);
  }
  const map = (parsed as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== "object" || Array.isArray(map)) throw new Error(`${indexFile}: no "weight_map" object`);
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (typeof v !== "string" || v.includes("/") || v.includes("\\") || v.startsWith(".")) {
      throw new Error(`${indexFile}: weight_map["${k}"] = ${JSON.stringify(v)} is not a file name in the same folder`);
    }
    out.set(k, v);
  }
  return out;
}

async function shardFiles(indexFile: string, folder: string): Promise<string[]> {
  const map = await weightMap(indexFile);
  const files = [...new Set(map.values())].sort().map((f) => join(folder, f));
  for (const f of files) if (!existsSync(f)) throw new Error(`${indexFile}: shard ${f} is missing`);
  return files;
}
