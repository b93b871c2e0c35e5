import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/harness.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  pruneCheckpoints,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointState,
} from "./checkpoint.js";

function state(step: number, over: Partial<CheckpointState> = {}): CheckpointState {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    runId: "r",
    seed: 1,
    backend: "cpu",
    step,
    epoch: 0,
    batchPosition: step,
    epochs: 1,
    stepsPerEpoch: 10,
    totalSteps: 10,
    parameters: ["w"],
    optimizer: { steps: { w: step } },
    registry: { w: { trainable: true } },
    stateful: { logger: { sum: 1.5, count: 2 } },
    best: null,
    bestParameters: [],
    accounting: { trainableWithoutHeadSum: 6, stepsCounted: step, lastLoss: 0.5 },
    savedAt: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

const tensors = (v: number) => ({
  w: { dtype: "F32" as const, shape: [2], data: new Float32Array([v, -v]) },
  "optimizer/exp_avg/w": { dtype: "F32" as const, shape: [2], data: new Float32Array([0.1, 0.2]) },
  "optimizer/exp_avg_sq/w": { dtype: "F32" as const, shape: [2], data: new Float32Array([0.01, 0.02]) },
});

describe("checkpoints", () => {
  it("writes a folder per checkpoint and a latest pointer; reads either", async () => {
    const root = tempDir("ck");
    await writeCheckpoint(root, "checkpoint-3", tensors(3), state(3));
    await writeCheckpoint(root, "checkpoint-5", tensors(5), state(5));
    expect(readFileSync(join(root, "latest"), "utf8")).toBe("checkpoint-5\n");
    const latest = await readCheckpoint(root);
    expect(latest.state.step).toBe(5);
    expect(Array.from(latest.tensors.get("w")!.data)).toEqual([5, -5]);
    expect((await readCheckpoint(join(root, "checkpoint-3"))).state.stateful).toEqual({
      logger: { sum: 1.5, count: 2 },
    });
    // Rewriting a step replaces the folder.
    await writeCheckpoint(root, "checkpoint-5", tensors(7), state(5));
    expect(Array.from((await readCheckpoint(root)).tensors.get("w")!.data)).toEqual([7, -7]);
    expect(readdirSync(root).sort()).toEqual(["checkpoint-3", "checkpoint-5", "latest"]);
  });

  it("a write that fails midway leaves the latest checkpoint intact and no partial folder", async () => {
    const root = tempDir("ck-crash");
    await writeCheckpoint(root, "checkpoint-2", tensors(2), state(2));
    const bad = { ...tensors(4), broken: { dtype: "F32" as const, shape: [3], data: new Float32Array(2) } };
    await expect(writeCheckpoint(root, "checkpoint-4", bad, state(4))).rejects.toThrow(
      /tensor "broken" has shape \[3\]/,
    );
    // A crash that left a temp folder behind (the process died before the rename) is ignored too.
    mkdirSync(join(root, ".checkpoint-6.tmp-123-abcd"));
    writeFileSync(join(root, ".checkpoint-6.tmp-123-abcd", "state.json"), "{ truncated");
    expect(existsSync(join(root, "checkpoint-4"))).toBe(false);
    expect((await readCheckpoint(root)).state.step).toBe(2);
  });

  it("rejects a bad state.json, a dangling latest and a missing tensor, naming the file and field", async () => {
    const root = tempDir("ck-bad");
    await writeCheckpoint(
      root,
      "checkpoint-1",
      tensors(1),
      state(1, { registry: { w: { trainable: "yes" as never } } }),
    );
    await expect(readCheckpoint(root)).rejects.toThrow(
      /checkpoint-1\/state\.json: field "registry\.w\.trainable": expected a boolean, got "yes"/,
    );
    await writeCheckpoint(root, "checkpoint-2", tensors(2), state(2, { version: 9 as never }));
    await expect(readCheckpoint(root)).rejects.toThrow(/state\.json: field "version": expected 1, got 9/);
    await writeCheckpoint(root, "checkpoint-3", tensors(3), state(3, { parameters: ["w", "v"] }));
    await expect(readCheckpoint(root)).rejects.toThrow(
      /tensors\.safetensors: tensor "v" is missing \(named by .*state\.json\)/,
    );
    writeFileSync(join(root, "latest"), "checkpoint-99\n");
    await expect(readCheckpoint(root)).rejects.toThrow(
      /latest names "checkpoint-99", but .*checkpoint-99\/state\.json does not exist/,
    );
    await expect(readCheckpoint(join(root, "nowhere"))).rejects.toThrow(/Checkpoint .*nowhere: missing/);
    await writeCheckpoint(root, "checkpoint-8", tensors(8), state(8));
    const file = join(root, "checkpoint-8", "tensors.safetensors");
    writeFileSync(file, readFileSync(file).subarray(0, 40));
    await expect(readCheckpoint(root)).rejects.toThrow(/checkpoint-8\/tensors\.safetensors/);
  });

  it("prunes all but the newest N checkpoints, keeping the best and the latest", async () => {
    const root = tempDir("ck-prune");
    for (const step of [2, 4, 6, 8, 10]) await writeCheckpoint(root, `checkpoint-${step}`, tensors(step), state(step));
    expect(await pruneCheckpoints(root, 2, ["checkpoint-4"])).toEqual(["checkpoint-6", "checkpoint-2"]);
    expect(readdirSync(root).sort()).toEqual(["checkpoint-10", "checkpoint-4", "checkpoint-8", "latest"]);
    await expect(pruneCheckpoints(root, 0)).rejects.toThrow(/checkpointLimit/);
  });
});
