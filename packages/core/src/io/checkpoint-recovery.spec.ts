import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/harness.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  latestCheckpoint,
  readCheckpoint,
  recoverCheckpointRoot,
  writeCheckpoint,
  type CheckpointState,
} from "./checkpoint.js";

function state(step: number): CheckpointState {
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
    optimizer: { steps: {} },
    registry: { w: { trainable: true } },
    stateful: {},
    best: null,
    bestParameters: [],
    accounting: { trainableWithoutHeadSum: 0, stepsCounted: step, lastLoss: null },
    trainer: { patienceCounter: 1, skippedSteps: 0 },
    savedAt: "2026-01-01T00:00:00.000Z",
  };
}
const tensors = (v: number) => ({ w: { dtype: "F32" as const, shape: [1], data: new Float32Array([v]) } });

/** A pid no process has: beyond Linux's pid_max. */
const DEAD = 4194305;

describe("checkpoint roots after a crash", () => {
  it("removes orphaned .checkpoint-N.tmp-* folders of dead processes and restores an .old-* whose replacement never arrived", async () => {
    const root = tempDir("ck-orphans");
    await writeCheckpoint(root, "checkpoint-2", tensors(2), state(2));
    mkdirSync(join(root, `.checkpoint-4.tmp-${DEAD}-abcd1234`));
    writeFileSync(join(root, `.checkpoint-4.tmp-${DEAD}-abcd1234`, "state.json"), "{ trunc");
    // Killed between moving checkpoint-3 aside and moving its rewrite in.
    mkdirSync(join(root, `.checkpoint-3.old-${DEAD}-00ff00ff`));
    writeFileSync(join(root, `.checkpoint-3.old-${DEAD}-00ff00ff`, "state.json"), JSON.stringify(state(3)));
    writeFileSync(join(root, `.checkpoint-3.old-${DEAD}-00ff00ff`, "tensors.safetensors"), "");
    // A live writer's temp folder (this test process's parent) is left alone.
    const live = `.checkpoint-6.tmp-${process.ppid}-deadbeef`;
    mkdirSync(join(root, live));
    expect(await recoverCheckpointRoot(root)).toEqual({
      removed: [`.checkpoint-4.tmp-${DEAD}-abcd1234`],
      restored: ["checkpoint-3"],
    });
    expect(readdirSync(root).sort()).toEqual([live, "checkpoint-2", "checkpoint-3", "latest"]);
  });

  it("latest deleted: resumes from the newest valid checkpoint, skipping broken ones; none valid is an error naming the folder", async () => {
    const root = tempDir("ck-nolatest");
    await writeCheckpoint(root, "checkpoint-2", tensors(2), state(2));
    await writeCheckpoint(root, "checkpoint-5", tensors(5), state(5));
    await writeCheckpoint(root, "checkpoint-7", tensors(7), state(7));
    rmSync(join(root, "latest"));
    writeFileSync(join(root, "checkpoint-7", "state.json"), "{ torn");
    const ck = await readCheckpoint(root);
    expect(ck.state.step).toBe(5);
    expect(ck.state.trainer).toEqual({ patienceCounter: 1, skippedSteps: 0 });
    expect(await latestCheckpoint(root)).toBe(join(root, "checkpoint-5"));
    rmSync(join(root, "checkpoint-5", "tensors.safetensors"));
    rmSync(join(root, "checkpoint-2", "state.json"));
    await expect(readCheckpoint(root)).rejects.toThrow(
      new RegExp(
        `Checkpoint ${root}: no "latest" file and no valid checkpoint folder \\(checkpoint-7: .*checkpoint-7/state\\.json: not valid JSON.*; checkpoint-5: .*tensors\\.safetensors does not exist; checkpoint-2: .*checkpoint-2/state\\.json does not exist`,
      ),
    );
    expect(await latestCheckpoint(join(root, "none"))).toBeNull();
    const empty = tempDir("ck-empty");
    expect(await latestCheckpoint(empty)).toBeNull();
    expect(existsSync(join(root, "latest"))).toBe(false);
  });

  it("rejects a bad trainer field naming it", async () => {
    const root = tempDir("ck-trainer-field");
    await writeCheckpoint(root, "checkpoint-1", tensors(1), {
      ...state(1),
      trainer: { patienceCounter: -1, skippedSteps: 0 },
    });
    await expect(readCheckpoint(root)).rejects.toThrow(
      /field "trainer\.patienceCounter": expected a non-negative integer, got -1/,
    );
  });
});
