import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readWeightFiles } from "@aflora/encoder";
import { LazySafetensors } from "./lazy-safetensors.js";

/** The tensors of a checkpoint by state-dict name, read one at a time. */
export interface Checkpoint {
  /** The weight files (for messages). */
  readonly files: readonly string[];
  names(): string[];
  shape(name: string): number[] | undefined;
  /** Values as float32; each call reads from disk (lazy formats) or copies nothing (eager). */
  read(name: string): Float32Array;
  /** Which file holds `name`. */
  fileOf(name: string): string | undefined;
  close(): void;
}

/**
 * Opens the weights of an HF model folder: `model.safetensors` or the shards listed in
 * `model.safetensors.index.json` are read lazily (header now, each tensor when asked for);
 * `pytorch_model.bin` (single or sharded) goes through @aflora/encoder's safe pickle reader,
 * which holds the whole file in memory (the zip format gives no cheap random access to it).
 */
export async function openCheckpoint(folder: string): Promise<Checkpoint> {
  const single = join(folder, "model.safetensors");
  const index = join(folder, "model.safetensors.index.json");
  if (existsSync(single)) return lazy([LazySafetensors.open(single)]);
  if (existsSync(index)) return lazy(openShards(index, folder));
  if (existsSync(join(folder, "pytorch_model.bin")) || existsSync(join(folder, "pytorch_model.bin.index.json"))) {
    const loaded = await readWeightFiles(folder);
    return {
      files: loaded.files,
      names: () => [...loaded.tensors.keys()],
      shape: (n) => loaded.tensors.get(n)?.shape,
      read: (n) => {
        const t = loaded.tensors.get(n);
        if (!t) throw new Error(`${folder}: no tensor "${n}"`);
        return t.data;
      },
      fileOf: (n) => loaded.tensors.get(n)?.file,
      close: () => loaded.tensors.clear(),
    };
  }
  throw new Error(
    `${folder}: no weights found (looked for model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json)`,
  );
}

function openShards(indexFile: string, folder: string): LazySafetensors[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(indexFile, "utf8"));
  } catch (e) {
    throw new Error(`${indexFile}: cannot read the shard index (${(e as Error).message})`);
  }
  const map = (parsed as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== "object" || Array.isArray(map)) throw new Error(`${indexFile}: no "weight_map" object`);
  const shardOf = new Map<string, string>();
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (typeof v !== "string" || v.includes("/") || v.includes("\\") || v.startsWith(".")) {
      throw new Error(`${indexFile}: weight_map["${k}"] = ${JSON.stringify(v)} is not a file name in the same folder`);
    }
    shardOf.set(k, v);
  }
  const files = [...new Set(shardOf.values())].sort();
  for (const f of files)
    if (!existsSync(join(folder, f))) throw new Error(`${indexFile}: shard ${join(folder, f)} is missing`);
  const shards = files.map((f) => LazySafetensors.open(join(folder, f)));
  const byFile = new Map(files.map((f, i) => [f, shards[i]!]));
  for (const [name, f] of shardOf) {
    if (!byFile.get(f)!.shape(name)) {
      shards.forEach((s) => s.close());
      throw new Error(`${indexFile}: weight_map lists "${name}" in ${f}, but that file has no such tensor`);
    }
  }
  return shards;
}

function lazy(files: LazySafetensors[]): Checkpoint {
  const owner = new Map<string, LazySafetensors>();
  for (const f of files) {
    for (const n of f.names()) {
      const prev = owner.get(n);
      if (prev) {
        files.forEach((x) => x.close());
        throw new Error(`${f.path}: tensor "${n}" also appears in ${prev.path}`);
      }
      owner.set(n, f);
    }
  }
  const get = (n: string): LazySafetensors => {
    const f = owner.get(n);
    if (!f) throw new Error(`checkpoint: no tensor "${n}"`);
    return f;
  };
  return {
    files: files.map((f) => f.path),
    names: () => [...owner.keys()],
    shape: (n) => owner.get(n)?.shape(n),
    read: (n) => get(n).readFloat32(n),
    fileOf: (n) => owner.get(n)?.path,
    close: () => files.forEach((f) => f.close()),
  };
}
