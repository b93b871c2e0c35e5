import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomic, writeSafetensors, type SafetensorsInput } from "@aflora/core";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import { tensorName } from "../base/plan.js";
import { alsoSavedParameters, loraConfigJson, type PeftConfigOptions } from "./adapter-config.js";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, fileKey } from "./names.js";
import { stateEntry } from "./tensors.js";

/**
 * Writes a plain PEFT LoRA folder that `PeftModel.from_pretrained` loads. LoRA is written as
 * it is. ELoRA/AFLoRA are folded into an equivalent LoRA of the same rank:
 * ΔW = s·diag(λb)·B·diag(λd)·A = (alpha/r)·B'·A' with A' = diag(λd)·A, B' = diag(λb)·B and
 * lora_alpha = s·r (a shared projection is sliced per module first).
 */
export async function exportPeftLora(
  adapter: AppliedAdapter,
  dir: string,
  options: PeftConfigOptions = {},
): Promise<void> {
  const c = adapter.config;
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, m] of adapter.modules) {
    const { a, b } = foldedFactors(
      adapter,
      m.plan.a,
      m.plan.b,
      m.plan.d,
      m.plan.db,
      m.plan.module.inFeatures,
      m.plan.module.outFeatures,
    );
    tensors[fileKey(tensorName(name, "lora_A"))] = a;
    tensors[fileKey(tensorName(name, "lora_B"))] = b;
  }
  for (const name of [...adapter.savedParameters, ...alsoSavedParameters(adapter, options)])
    tensors[fileKey(name)] = stateEntry(adapter.params, name);
  const scaling = c.method === "lora" ? c.alpha / c.r : c.method === "aflora" ? c.scaling : 1;
  const config = loraConfigJson(
    adapter,
    { r: c.r, loraAlpha: c.method === "lora" ? c.alpha : scaling * c.r, dropout: c.dropout },
    options,
  );
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, ADAPTER_WEIGHTS_FILE), writeSafetensors(tensors, { format: "pt" }));
  await writeFileAtomic(join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}

/** A' [r, in] = diag(λd)·A and B' [out, r] = diag(λb)·B in PEFT layout, from the kernels. */
function foldedFactors(
  adapter: AppliedAdapter,
  aName: string,
  bName: string,
  dName: string | null,
  dbName: string | null,
  inFeatures: number,
  outFeatures: number,
): { a: SafetensorsInput; b: SafetensorsInput } {
  const [a, b] = tf.tidy(() => {
    let ka = adapter.variable(aName) as tf.Tensor2D; // [in(max), r]
    let kb = adapter.variable(bName) as tf.Tensor2D; // [r, out(max)]
    if (ka.shape[0] !== inFeatures) ka = tf.slice(ka, [0, 0], [inFeatures, ka.shape[1]]);
    if (kb.shape[1] !== outFeatures) kb = tf.slice(kb, [0, 0], [kb.shape[0], outFeatures]);
    if (dName) ka = tf.mul(ka, adapter.variable(dName));
    if (dbName) kb = tf.mul(kb, adapter.variable(dbName));
    return [tf.transpose(ka), tf.transpose(kb)];
  });
  const out = {
    a: { dtype: "F32" as const, shape: [...a.shape], data: a.dataSync() as Float32Array },
    b: { dtype: "F32" as const, shape: [...b.shape], data: b.dataSync() as Float32Array },
  };
  tf.dispose([a, b]);
  return out;
}
