import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { Rng, type TextBatch } from "@aflora/core";
import { loadEncoder } from "@aflora/encoder";
import { applyAdapter, exportPeftLora, formatParameterCounts, loadAdapter, saveAdapter } from "@aflora/adapter";

await tf.setBackend("wasm");
// A tiny DeBERTa-v3 from the repository's fixtures; any Hugging Face model folder loads the same way.
const folder = fileURLToPath(new URL("../../../fixtures/hf-parity/deberta-v3-tiny-cls3", import.meta.url));
const model = await loadEncoder(folder, { warn: () => undefined });

// AFLoRA as in the paper: r = 4, λd = 0.1, λb = 0, FFN projection matrices trainable, attention ones frozen.
const adapter = applyAdapter(model, { method: "aflora", r: 4 }, { rng: new Rng(42) });
console.log(formatParameterCounts(adapter.counts()));

// The freezing plugins freeze projection matrices by registry name during training:
const [first] = adapter.matrixNames.filter((n) => model.params.get(n).trainable);
model.params.freeze([first!], "example");

const out = await mkdtemp(join(tmpdir(), "aflora-example-"));
await saveAdapter(adapter, join(out, "aflora")); // exact round trip in aflora
await exportPeftLora(adapter, join(out, "peft-lora")); // PeftModel.from_pretrained(base, "<out>/peft-lora") in Python

const batch: TextBatch = {
  batchSize: 1,
  seqLength: 4,
  inputIds: Int32Array.from([1, 5, 9, 2]),
  attentionMask: Int32Array.from([1, 1, 1, 1]),
};
adapter.merge(); // merged inference costs what the base model costs
const logits = model.predict(batch);
console.log("logits", Array.from(logits.dataSync()));
logits.dispose();

adapter.remove(); // unmerges, unregisters A/B/λ, restores the trainable flags
const restored = await loadAdapter(model, join(out, "aflora"));
console.log("restored", restored.modules.size, "adapted modules; frozen:", model.params.get(first!).frozenAt?.reason);
restored.remove();
model.dispose();
