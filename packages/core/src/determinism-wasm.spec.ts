import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.js";
import { Trainer } from "./trainer.js";
import { tinySetup, trainLosses } from "../test/harness.js";

describe("determinism on the wasm backend", () => {
  beforeAll(async () => {
    // Select the backend before building models, as the CLI does.
    await selectBackend("wasm");
  });

  it("one seed drives initializers, dropout and shuffles: same seed → identical losses, backend in run:start", async () => {
    const opts = { dropout: 0.3, warmupRatio: 0.25, backend: "wasm" as const };
    const a = tinySetup({ ...opts, seed: 21 });
    const la = await trainLosses(a);
    expect(tf.getBackend()).toBe("wasm");
    const b = tinySetup({ ...opts, seed: 21 });
    const lb = await trainLosses(b);
    const c = tinySetup({ ...opts, seed: 22 });
    const lc = await trainLosses(c);
    expect(la).toHaveLength(8);
    expect(lb).toEqual(la);
    expect(lc).not.toEqual(la);
    for (const s of [a, b, c]) s.model.dispose();
    const d = tinySetup({ ...opts, epochs: 1 });
    const trainer = new Trainer(d.options);
    const backends: string[] = [];
    trainer.events.subscribe((e) => e.type === "run:start" && backends.push(e.backend));
    expect((await trainer.run()).backend).toBe("wasm");
    expect(backends).toEqual(["wasm"]);
    d.model.dispose();
  });
});
