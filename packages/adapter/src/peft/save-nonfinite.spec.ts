import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import { saveAdapter } from "./save.js";
import { useCpuBackend } from "../../test/backend.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aflora-save-nan-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("saveAdapter refuses non-finite values", () => {
  it("names the tensor and writes nothing", async () => {
    const model = tinyModel({ style: "deberta-v2" });
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(2) });
    const name = adapter.parameterNames.find((n) => n.endsWith("lora_db"))!;
    const v = adapter.variable(name);
    v.assign(tf.fill(v.shape, Infinity));
    const out = join(dir, "bad");
    await expect(saveAdapter(adapter, out)).rejects.toThrow(
      `"base_model.model.${name}" holds NaN or infinite values (the run diverged); nothing was written`,
    );
    expect(existsSync(out)).toBe(false);
    adapter.remove();
  });
});
