import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginRegistry } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import type { TaskData } from "../task-data.js";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { registerTasks } from "./register-tasks.js";

const ROOT = fileURLToPath(new URL("../../../../fixtures/glue-tiny/", import.meta.url));
const registry = registerTasks(new PluginRegistry());
const tokenizer = new WhitespaceTokenizer();

describe("registerTasks", () => {
  it("registers glue/<task> for the nine tasks, csv, jsonl and spam-assassin", () => {
    expect(registry.names("task")).toEqual([
      "csv",
      "glue/cola",
      "glue/mnli",
      "glue/mrpc",
      "glue/qnli",
      "glue/qqp",
      "glue/rte",
      "glue/sst2",
      "glue/stsb",
      "glue/wnli",
      "hans",
      "jsonl",
      "spam-assassin",
    ]);
  });

  it("creates a GLUE task from a config section; task-level batching defaults apply", async () => {
    const task = registry.create<TaskData>(
      "task",
      { name: "glue/cola", dataDir: join(ROOT, "tsv"), maxSeqLength: 6, padToMaxLength: true },
      container,
    );
    expect(task.info).toMatchObject({
      name: "cola",
      labels: ["unacceptable", "acceptable"],
      metrics: { selectionMetric: "matthews_correlation" },
    });
    const loaded = await task.load({ tokenizer, batchSize: 4, seed: 0 });
    expect([...loaded.train.epoch(0)].map((b) => b.seqLength)).toEqual([6, 6]);
  });

  it("rejects bad options naming the field", () => {
    expect(() => registry.create("task", { name: "glue/rte", dataDir: 3 }, container)).toThrow(
      'task (task "glue/rte"): dataDir: Invalid input: expected string, received number',
    );
    expect(() => registry.create("task", { name: "glue/rte", datadir: "x" }, container)).toThrow(
      "datadir: unknown option",
    );
    expect(() => registry.create("task", { name: "spam-assassin", devFraction: 2 }, container)).toThrow(
      "devFraction: Too big: expected number to be <1, got 2",
    );
    expect(() =>
      registry.create(
        "task",
        { name: "csv", train: "a.csv", validation: "b.csv", textFields: ["t"], labelField: "y" },
        container,
      ),
    ).toThrow(`task (task "csv"): labels: expected a list of at least two class names`);
    expect(() => registry.create("task", { name: "glue/squad" }, container)).toThrow('Unknown task "glue/squad"');
  });

  it("creates csv and jsonl custom tasks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glue-reg-"));
    writeFileSync(join(dir, "train.csv"), "text,y\ngood film,pos\nbad film,neg\nfine,pos\n");
    writeFileSync(join(dir, "dev.jsonl"), '{"text":"great","y":"pos"}\n{"text":"awful","y":0}\n');
    writeFileSync(join(dir, "train.jsonl"), '{"text":"great","y":"pos"}\n');
    const csv = registry.create<TaskData>(
      "task",
      {
        name: "csv",
        taskName: "reviews",
        train: join(dir, "train.csv"),
        validation: join(dir, "train.csv"),
        textFields: ["text"],
        labelField: "y",
        labels: ["neg", "pos"],
      },
      container,
    );
    expect(csv.info).toMatchObject({ name: "reviews", numLabels: 2, metrics: { metrics: ["accuracy", "f1"] } });
    expect((await csv.load({ tokenizer, batchSize: 2, seed: 0 })).train.data.size).toBe(3);
    const jsonl = registry.create<TaskData>(
      "task",
      {
        name: "jsonl",
        train: join(dir, "train.jsonl"),
        validation: join(dir, "dev.jsonl"),
        textFields: ["text"],
        labelField: "y",
        labels: ["neg", "pos"],
      },
      container,
    );
    const loaded = await jsonl.load({ tokenizer, batchSize: 2, seed: 0 });
    expect(Array.from(loaded.evaluator.splits[0]!.data.labels)).toEqual([1, 0]);
  });
});
