import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { runDecoderRepro } from "./suite.js";

describe("runDecoderRepro (aflora repro decoder)", () => {
  useBackend("wasm");
  const root = mkdtempSync(join(tmpdir(), "decoder-repro-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("fails, naming the quantity, when a fixture's expected loss is off by more than the tolerance", async () => {
    const dir = join(root, "bad", "hf-parity-decoder", "llama-tiny-tied");
    cpSync(fixture("llama-tiny-tied"), dir, { recursive: true });
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
    expected.batches[0].outputs.loss += 1e-3;
    writeFileSync(join(dir, "expected.json"), JSON.stringify(expected));
    const r = await runDecoderRepro(join(root, "bad"), { backends: ["wasm"] });
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/llama-tiny-tied \(wasm\): right_padded\.loss: error/);
  });

  it("fails when a folder cannot be loaded, and throws when there is no fixture folder at all", async () => {
    const dir = join(root, "broken", "hf-parity-decoder", "llama-tiny-tied");
    cpSync(fixture("llama-tiny-tied"), dir, { recursive: true });
    rmSync(join(dir, "model.safetensors"));
    const r = await runDecoderRepro(join(root, "broken"), { backends: ["wasm"] });
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/no weights found/);
    await expect(runDecoderRepro(join(root, "nothing"))).rejects.toThrow(/no such folder/);
  });
});
