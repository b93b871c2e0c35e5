import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { describe, expect, it } from "vitest";
import { ParameterRegistry } from "./parameter-registry.js";

describe("ParameterRegistry", () => {
  it("counts per group, with and without the head, and freezes from the next step on", async () => {
    await tf.setBackend("cpu");
    const reg = new ParameterRegistry();
    reg.register("w", tf.variable(tf.zeros([4, 3])), { group: "base", trainable: false });
    reg.register("a", tf.variable(tf.zeros([2, 3])), { group: "adapter-matrix", trainable: true });
    reg.register("d", tf.variable(tf.zeros([2])), { group: "adapter-vector", trainable: true });
    reg.register("classifier.weight", tf.variable(tf.zeros([3, 2])), { group: "head", trainable: true });
    const seen: string[][] = [];
    reg.freezes.subscribe((n) => seen.push(n.names));
    expect(reg.counts()).toMatchObject({ total: 26, trainable: 14, trainableWithoutHead: 8 });
    reg.currentStep = 7;
    expect(reg.freeze(["a", "w"], "test")).toEqual(["a"]);
    expect(reg.get("a").frozenAt).toEqual({ step: 7, reason: "test" });
    expect(seen).toEqual([["a"]]);
    expect([...reg.trainableVariables().keys()]).toEqual(["d", "classifier.weight"]);
    expect(reg.counts().byGroup["adapter-matrix"]).toEqual({ total: 6, trainable: 0 });
    expect(() => reg.freeze(["nope"], "x")).toThrow(/no parameter named "nope"/);
    reg.dispose();
  });
});
