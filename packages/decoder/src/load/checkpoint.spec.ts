import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "./checkpoint.js";

// A torch-written pytorch_model.bin with its safetensors twin (from the encoder parity fixtures).
const bert = fileURLToPath(new URL("../../../../fixtures/hf-parity/bert-tiny-cls3", import.meta.url));

describe("openCheckpoint", () => {
  const tmp = mkdtempSync(join(tmpdir(), "llama-ckpt-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("reads pytorch_model.bin through @aflora/encoder's safe pickle reader, to the same tensors as safetensors", async () => {
    const binOnly = join(tmp, "bin");
    const safeOnly = join(tmp, "safe");
    for (const d of [binOnly, safeOnly]) mkdirSync(d);
    copyFileSync(join(bert, "pytorch_model.bin"), join(binOnly, "pytorch_model.bin"));
    copyFileSync(join(bert, "model.safetensors"), join(safeOnly, "model.safetensors"));
    const bin = await openCheckpoint(binOnly);
    const safe = await openCheckpoint(safeOnly);
    try {
      expect(bin.files).toEqual([join(binOnly, "pytorch_model.bin")]);
      const names = safe.names().sort();
      expect(names.length).toBeGreaterThan(10);
      for (const n of names) {
        expect(bin.shape(n), n).toEqual(safe.shape(n));
        expect(Array.from(bin.read(n)), n).toEqual(Array.from(safe.read(n)));
      }
    } finally {
      bin.close();
      safe.close();
    }
  });

  it("names the folder when it holds no weights, and a shard the index lists but the folder lacks", async () => {
    await expect(openCheckpoint(tmp)).rejects.toThrow(/no weights found \(looked for model\.safetensors/);
    const sharded = join(tmp, "sharded");
    mkdirSync(sharded);
    const index = { weight_map: { a: "model-00001-of-00002.safetensors" } };
    writeFileSync(join(sharded, "model.safetensors.index.json"), JSON.stringify(index));
    await expect(openCheckpoint(sharded)).rejects.toThrow(
      /index\.json: shard .*model-00001-of-00002\.safetensors is missing/,
    );
  });
});
