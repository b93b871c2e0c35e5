import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginRegistry, pathOptionKind } from "@aflora/core";
import type { z } from "zod";
import { loadLlamaTokenizer } from "@aflora/decoder";
import { container } from "tsyringe";
import { afterAll, describe, expect, it } from "vitest";
import { CharTokenizer } from "../../test/char-tokenizer.js";
import { userPrompt } from "../prompt/prompt-template.js";
import { register } from "../register.js";
import type { InstructTaskData } from "./instruct-task.js";

const FIXTURE = fileURLToPath(new URL("../../../../fixtures/hf-parity-decoder/llama-tiny-mha/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "aflora-instruct-task-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registry = register(new PluginRegistry());
const create = (section: { name: string } & Record<string, unknown>) =>
  registry.create<InstructTaskData>("task", section, container.createChildContainer(), "data");

// A small sample in math_10k.json's format.
const SAMPLE = Array.from({ length: 10 }, (_, i) => ({
  instruction: `Sam has ${i} apples and buys ${i + 2} more. How many apples does Sam have?`,
  input: i % 3 === 0 ? "Count carefully." : "",
  output: `${i} + ${i + 2} = ${2 * i + 2}\nThe answer is ${2 * i + 2}`,
  answer: String(2 * i + 2),
}));

describe("task plugin instruct-json", () => {
  it("holds out valSetSize records, tokenizes as finetune.py and yields Int32 [batch, seq] batches padded to 8, on the left", async () => {
    const file = join(dir, "math_sample.json");
    writeFileSync(file, JSON.stringify(SAMPLE));
    const task = create({ name: "instruct-json", train: file, valSetSize: 3, cutoffLen: 512 });
    expect(task.info).toEqual({ name: "instruct-json", labels: null, numLabels: 0, problemType: "causal_lm" });
    const tokenizer = loadLlamaTokenizer(FIXTURE);
    const loaded = await task.load({ tokenizer, batchSize: 4, seed: 7 });
    expect(loaded.readStats).toEqual([{ file, rows: 10 }]);
    expect(loaded.fullyMasked).toBe(0);
    expect([loaded.train.batchesPerEpoch, loaded.validationRecords.length]).toEqual([2, 3]);
    const batches = [...loaded.train.epoch(0)];
    expect(batches.map((b) => b.batchSize)).toEqual([4, 3]);
    for (const b of batches) {
      expect(b.inputIds).toBeInstanceOf(Int32Array);
      expect(b.labels).toBeInstanceOf(Int32Array);
      expect(b.seqLength % 8).toBe(0);
      for (let r = 0; r < b.batchSize; r++) {
        const mask = [...b.attentionMask.subarray(r * b.seqLength, (r + 1) * b.seqLength)];
        expect(mask.join("")).toMatch(/^0*1+$/); // left padding: pads first, then the real tokens
      }
      expect(b.inputIds.length).toBe(b.batchSize * b.seqLength);
    }
    expect(batches.some((b) => b.attentionMask.includes(0))).toBe(true);
    expect([...loaded.train.epoch(0)].map((b) => [...b.inputIds])).toEqual(batches.map((b) => [...b.inputIds]));
    expect(loaded.train.epochIndices(1)).not.toEqual(loaded.train.epochIndices(0));
    expect(loaded.evaluator?.selectionMetric).toBe("neg_loss");
    const held = new Set(loaded.validationRecords.map((r) => r.instruction));
    expect(loaded.train.examples.length + held.size).toBe(10);
  });

  it("takes a separate validation file, and trains on inputs when asked", async () => {
    const train = join(dir, "t.jsonl");
    const val = join(dir, "v.json");
    writeFileSync(
      train,
      SAMPLE.slice(0, 4)
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    writeFileSync(val, JSON.stringify(SAMPLE.slice(4, 6)));
    const loaded = await create({
      name: "instruct-json",
      train,
      validation: val,
      trainOnInputs: true,
      padToMultipleOf: 1,
    }).load({ tokenizer: new CharTokenizer(), batchSize: 2, seed: 0 });
    expect(loaded.validationRecords).toEqual(SAMPLE.slice(4, 6));
    const b = [...loaded.train.epoch(0)][0]!;
    const real = [...b.labels].filter((l) => l !== -100).length;
    expect(real).toBe([...b.attentionMask].filter((m) => m === 1).length); // every real token is a label
  });

  it("marks train and validation as paths, so a config file's relative paths resolve against its folder", () => {
    const shape = (registry.get("task", "instruct-json").options as z.ZodObject).shape;
    expect(pathOptionKind(shape.train as z.ZodType)).toBe("existing");
    expect(pathOptionKind(shape.validation as z.ZodType)).toBe("existing");
  });

  it("names the offending option, and refuses a tokenizer without </s>", async () => {
    expect(() => create({ name: "instruct-json" })).toThrow(/^data \(task "instruct-json"\): train: /);
    expect(() => create({ name: "instruct-json", train: "x.json", paddingSide: "middle" })).toThrow(/paddingSide: /);
    expect(() => create({ name: "instruct-json", train: "x.json", cutoff_len: 256 })).toThrow(
      /cutoff_len: unknown option/,
    );
    const file = join(dir, "math_sample.json");
    await expect(
      create({ name: "instruct-json", train: file, valSetSize: 0 }).load({
        tokenizer: new CharTokenizer(null),
        batchSize: 1,
        seed: 0,
      }),
    ).rejects.toThrow(/no eosTokenId/);
  });
});

describe("a cutoff shorter than the prompts", () => {
  it("counts the examples it leaves without a labelled token, and refuses when that is all of them", async () => {
    const tokenizer = loadLlamaTokenizer(FIXTURE);
    const file = join(dir, "math_sample.json");
    // this tokenizer spends ~200 tokens on the template: 128 cuts every response away
    await expect(
      create({ name: "instruct-json", train: file, valSetSize: 0, cutoffLen: 128 }).load({
        tokenizer,
        batchSize: 2,
        seed: 0,
      }),
    ).rejects.toThrow(/^cutoffLen: 128 tokens leave no response token in any of the 10 training examples/);
    // char-level: the prompt is 1 + its characters; a record keeps no label when that reaches the cutoff
    const promptLengths = SAMPLE.map((r) => 1 + [...userPrompt(r)].length);
    const cutoff = Math.min(...promptLengths.filter((n) => n > Math.min(...promptLengths)));
    const loaded = await create({ name: "instruct-json", train: file, valSetSize: 0, cutoffLen: cutoff }).load({
      tokenizer: new CharTokenizer(),
      batchSize: 2,
      seed: 0,
    });
    expect(loaded.fullyMasked).toBe(promptLengths.filter((n) => n >= cutoff).length);
    expect(loaded.fullyMasked).toBeGreaterThan(0);
    expect(loaded.fullyMasked).toBeLessThan(10);
  });
});

describe("task plugin arithmetic-demo", () => {
  it("trains on the generated set and validates on the held-out problems", async () => {
    const loaded = await create({ name: "arithmetic-demo", trainExamples: 32, heldOutExamples: 8 }).load({
      tokenizer: new CharTokenizer(),
      batchSize: 8,
      seed: 0,
    });
    expect([loaded.train.batchesPerEpoch, loaded.validationRecords.length]).toEqual([4, 8]);
    expect(loaded.evaluator).toBeDefined();
  });
});
