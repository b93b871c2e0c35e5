import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensorsFile, Rng, type SafetensorsFile } from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import { exportPeftLora } from "./export-lora.js";
import { loadAdapter } from "./load.js";
import { useCpuBackend } from "../../test/backend.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aflora-export-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** W0 + (lora_alpha / r)·B·A in PyTorch layout [out, in], computed in float64 from the exported file alone. */
function peftMergedWeight(
  file: SafetensorsFile,
  config: { r: number; lora_alpha: number },
  module: string,
  w0: number[][],
): number[][] {
  const A = file.tensors.get(`base_model.model.${module}.lora_A.weight`)!;
  const B = file.tensors.get(`base_model.model.${module}.lora_B.weight`)!;
  const [r, inF] = A.shape as [number, number];
  const outF = B.shape[0]!;
  const a = A.data as Float32Array;
  const b = B.data as Float32Array;
  const s = config.lora_alpha / config.r;
  return Array.from({ length: outF }, (_, o) =>
    Array.from({ length: inF }, (_, i) => {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += b[o * r + k]! * a[k * inF + i]!;
      return w0[o]![i]! + s * acc;
    }),
  );
}

const cases = [
  { method: "lora", r: 3, alpha: 12 },
  { method: "elora", r: 16, sharedProjection: true },
  { method: "elora", r: 8 },
  { method: "aflora", scaling: 0.5 },
];

describe("exportPeftLora: a plain PEFT LoRA that reproduces the merged weights", () => {
  for (const config of cases) {
    it(`${JSON.stringify(config)}`, async () => {
      const model = tinyModel({ style: "deberta-v2" });
      const adapter = applyAdapter(model, config, { rng: new Rng(2) });
      const rng = new Rng(6);
      for (const n of adapter.parameterNames) {
        const v = adapter.variable(n);
        if (n.endsWith("lora_B.weight") || n.endsWith("lora_d") || n.endsWith("lora_db"))
          v.assign(tf.tensor(rng.uniformArray(v.size, -1, 1), v.shape));
      }
      const out = join(dir, `${config.method}-${config.r ?? 4}`);
      await exportPeftLora(adapter, out, { baseModelNameOrPath: "microsoft/deberta-v3-base" });
      const peft = JSON.parse(await readFile(join(out, "adapter_config.json"), "utf8"));
      const file = await readSafetensorsFile(join(out, "adapter_model.safetensors"));
      const r = config.r ?? 4;
      expect(peft).toMatchObject({
        peft_type: "LORA",
        task_type: "SEQ_CLS",
        r,
        bias: "none",
        use_dora: false,
        use_rslora: false,
        modules_to_save: ["classifier"],
      });
      expect(peft.lora_alpha).toBe(config.method === "lora" ? 12 : config.method === "aflora" ? 0.5 * r : r);
      expect(peft.target_modules).toEqual([...adapter.modules.keys()]);
      const expectedKeys = [...adapter.modules.values()].flatMap((m) => [
        [`base_model.model.${m.plan.module.name}.lora_A.weight`, [r, m.plan.module.inFeatures]],
        [`base_model.model.${m.plan.module.name}.lora_B.weight`, [m.plan.module.outFeatures, r]],
      ]);
      expectedKeys.push(["base_model.model.classifier.weight", [3, 6]], ["base_model.model.classifier.bias", [3]]);
      expect(Object.fromEntries([...file.tensors].map(([k, t]) => [k, t.shape]))).toEqual(
        Object.fromEntries(expectedKeys),
      );

      const w0 = new Map(
        [...adapter.modules.keys()].map((n) => [n, model.params.stateValue(`${n}.weight`).arraySync() as number[][]]),
      );
      adapter.merge();
      for (const [name, w] of w0) {
        const merged = model.params.stateValue(`${name}.weight`);
        const want = peftMergedWeight(file, peft, name, w);
        const got = merged.arraySync() as number[][];
        merged.dispose();
        const err = Math.max(...got.flatMap((row, o) => row.map((v, i) => Math.abs(v - want[o]![i]!))));
        expect(err).toBeLessThan(1e-5);
      }
      adapter.unmerge();

      // aflora itself reads the export back as a LoRA with the same merged weights.
      const fresh = tinyModel({ style: "deberta-v2" });
      const lora = await loadAdapter(fresh, out);
      expect(lora.config).toMatchObject({ method: "lora", r, alpha: peft.lora_alpha });
      const x = tf.tensor2d(new Rng(9).uniformArray(4 * 6, -1, 1), [4, 6]);
      const y0 = model.forward(x);
      const y1 = fresh.forward(x);
      const diff = Math.max(...Array.from(tf.sub(y0, y1).dataSync()).map(Math.abs));
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([x, y0, y1]);
      for (const m of [model, fresh]) m.dispose();
    });
  }
});
