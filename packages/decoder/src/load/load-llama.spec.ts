import { closeSync, cpSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { toFloat32, writeSafetensors, type SafetensorsInput } from "@aflora/core";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { halfToFloat32, LazySafetensors } from "./lazy-safetensors.js";
import { LLAMA_7B_CONFIG } from "../params/llama-params.js";
import { llamaWeightBytes, loadLlama, readLlamaConfigFile } from "./load-llama.js";

const tmp = mkdtempSync(join(tmpdir(), "llama-load-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tensorsOf(folder: string): Record<string, SafetensorsInput> {
  const f = LazySafetensors.open(join(folder, "model.safetensors"));
  try {
    return Object.fromEntries(f.names().map((n) => [n, { dtype: "F32", shape: f.shape(n)!, data: f.readFloat32(n) }]));
  } finally {
    f.close();
  }
}

/** A copy of a fixture folder whose weights are replaced by `write(dir, tensors)`. */
function variant(
  name: string,
  from: string,
  write: (dir: string, tensors: Record<string, SafetensorsInput>) => void,
): string {
  const dir = join(tmp, name);
  cpSync(from, dir, { recursive: true, filter: (src) => !src.endsWith("model.safetensors") });
  write(dir, tensorsOf(from));
  return dir;
}

async function logitsOf(folder: string): Promise<Float32Array> {
  const model = await loadLlama(folder, { warn: () => undefined });
  try {
    const batch = {
      batchSize: 1,
      seqLength: 4,
      inputIds: Int32Array.from([1, 50, 60, 70]),
      attentionMask: Int32Array.from([1, 1, 1, 1]),
    };
    const logits = model.predict(batch);
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    return data;
  } finally {
    model.dispose();
  }
}

describe("loadLlama", () => {
  useBackend("wasm");
  const gqa = fixture("llama-tiny-gqa");

  it("loads sharded safetensors (model.safetensors.index.json) to the same model as one file", async () => {
    const dir = variant("sharded", gqa, (d, t) => {
      const names = Object.keys(t).sort();
      const half = Math.floor(names.length / 2);
      const shards = [names.slice(0, half), names.slice(half)];
      const weightMap: Record<string, string> = {};
      shards.forEach((ns, i) => {
        const file = `model-0000${i + 1}-of-00002.safetensors`;
        writeFileSync(join(d, file), writeSafetensors(Object.fromEntries(ns.map((n) => [n, t[n]!]))));
        for (const n of ns) weightMap[n] = file;
      });
      writeFileSync(join(d, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    });
    expect(Array.from(await logitsOf(dir))).toEqual(Array.from(await logitsOf(gqa)));
  });

  it("reads F16 and BF16 weights as float32 (the half values exactly)", async () => {
    const dir = variant("f16", gqa, (d, t) => {
      const half = Object.fromEntries(
        Object.entries(t).map(([n, v], i) => [n, { ...v, dtype: i % 2 ? "F16" : "BF16" } as SafetensorsInput]),
      );
      writeFileSync(join(d, "model.safetensors"), writeSafetensors(half));
    });
    const f = LazySafetensors.open(join(dir, "model.safetensors"));
    const w = f.readFloat32("model.norm.weight");
    f.close();
    const exact = tensorsOf(gqa)["model.norm.weight"]!.data as Float32Array;
    // Half precision keeps ~3 significant digits of these ~1 ± 0.2 norm weights.
    expect(Math.max(...w.map((x, i) => Math.abs(x - exact[i]!)))).toBeLessThan(1e-2);
    expect((await logitsOf(dir)).every(Number.isFinite)).toBe(true);
  });

  it("widens every F16 bit pattern as core's halfToFloat does (the lookup table used for big F16 checkpoints)", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const fast = halfToFloat32(all);
    const slow = toFloat32({ dtype: "F16", data: all });
    expect(fast.every((x, i) => Object.is(x, slow[i]) || (Number.isNaN(x) && Number.isNaN(slow[i]!)))).toBe(true);
  });

  it("reads one tensor of a 3 GiB file without reading the file (a whole-file read would exceed Node's 2 GiB buffer limit)", () => {
    const path = join(tmp, "huge.safetensors");
    const size = 3 * 1024 ** 3;
    const dataBytes = size - 8 - 256;
    const header = JSON.stringify({
      big: { dtype: "F32", shape: [dataBytes / 4 - 4], data_offsets: [0, dataBytes - 16] },
      tail: { dtype: "F32", shape: [4], data_offsets: [dataBytes - 16, dataBytes] },
    });
    const padded = header.padEnd(256, " ");
    expect(padded.length).toBe(256);
    const fd = openSync(path, "w");
    try {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(256n);
      writeSync(fd, len, 0, 8, 0);
      writeSync(fd, Buffer.from(padded), 0, 256, 8);
      ftruncateSync(fd, size); // sparse: no disk space used
      writeSync(fd, Buffer.from(new Float32Array([1.5, -2, 3, 4]).buffer), 0, 16, size - 16);
    } finally {
      closeSync(fd);
    }
    const f = LazySafetensors.open(path);
    try {
      expect(f.shape("big")).toEqual([dataBytes / 4 - 4]);
      expect(Array.from(f.readFloat32("tail"))).toEqual([1.5, -2, 3, 4]);
    } finally {
      f.close();
      rmSync(path);
    }
  });

  it("lists every missing tensor and shape mismatch in one error naming the folder", async () => {
    const dir = variant("broken", gqa, (d, t) => {
      delete t["model.layers.1.mlp.up_proj.weight"];
      delete t["lm_head.weight"];
      t["model.norm.weight"] = { dtype: "F32", shape: [3], data: new Float32Array(3) };
      writeFileSync(join(d, "model.safetensors"), writeSafetensors(t));
    });
    const err = await loadLlama(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(dir);
    expect(msg).toMatch(/missing: model\.layers\.1\.mlp\.up_proj\.weight \[128, 64\]/);
    expect(msg).toMatch(/missing: lm_head\.weight/);
    expect(msg).toMatch(/shape mismatch: model\.norm\.weight .*checkpoint \[3\], model \[64\]/);
  });

  it("ignores rotary_emb.inv_freq silently, warns about other unknown keys, and ties lm_head to the embedding", async () => {
    const tied = fixture("llama-tiny-tied");
    const dir = variant("extra", tied, (d, t) => {
      t["model.layers.0.self_attn.rotary_emb.inv_freq"] = { dtype: "F32", shape: [6], data: new Float32Array(6) };
      t["model.extra.weight"] = { dtype: "F32", shape: [2], data: new Float32Array(2) };
      writeFileSync(join(d, "model.safetensors"), writeSafetensors(t));
    });
    const warnings: string[] = [];
    const model = await loadLlama(dir, { warn: (m) => warnings.push(m) });
    try {
      expect(warnings).toEqual([
        expect.stringMatching(/ignored 1 checkpoint tensors the model does not use: model\.extra\.weight$/),
      ]);
      expect(model.params.has("lm_head.weight")).toBe(false);
    } finally {
      model.dispose();
    }
  });

  it("keeps frozen base weights out of the trainable set, and full fine-tuning on request", async () => {
    const before = tf.memory().numTensors;
    const frozen = await loadLlama(gqa);
    expect(frozen.params.trainableVariables().size).toBe(0);
    expect(frozen.params.names({ group: "base" })).toHaveLength(2 + 2 * 9 + 1);
    frozen.dispose();
    const full = await loadLlama(gqa, { trainable: true });
    expect(full.params.trainableVariables().size).toBe(21);
    full.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses LLaMA-7B on the wasm backend with one error naming the size and the backends that hold it", async () => {
    const dir = join(tmp, "llama-7b-config-only");
    cpSync(gqa, dir, { recursive: true, filter: (src) => !src.endsWith("model.safetensors") });
    writeFileSync(join(dir, "config.json"), JSON.stringify(LLAMA_7B_CONFIG));
    expect(llamaWeightBytes(readLlamaConfigFile(dir))).toBe(4 * 6_738_415_616);
    await expect(loadLlama(dir)).rejects.toThrow(
      /llama-7b-config-only: the weights need 25\.1 GiB in float32, more than the wasm backend's 4 GiB WebAssembly heap; use the "tensorflow" backend/,
    );
  });

  it("names a truncated safetensors file", () => {
    const path = join(tmp, "cut.safetensors");
    const bytes = writeSafetensors({ a: { dtype: "F32", shape: [4], data: new Float32Array(4) } });
    writeFileSync(path, bytes.subarray(0, bytes.length - 4));
    expect(() => LazySafetensors.open(path)).toThrow(
      /cut\.safetensors: tensor "a": data_offsets \[0, 16\] run past the end of the file/,
    );
  });
});
