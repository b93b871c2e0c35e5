import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { BACKEND_NAMES, type BackendName } from "../backend-name.js";
import type { Json } from "../trainer-plugin.js";
import { writeFileAtomic } from "./atomic.js";
import { readSafetensors, writeSafetensors, toFloat32, type SafetensorsInput } from "./safetensors.js";

export const CHECKPOINT_FORMAT = "aflora-checkpoint";
export const CHECKPOINT_VERSION = 1;
export const TENSORS_FILE = "tensors.safetensors";
export const STATE_FILE = "state.json";
export const LATEST_FILE = "latest";

/**
 * Tensor names in a checkpoint's safetensors file: parameters under their registry name
 * (Hugging Face layout), optimizer moments under `optimizer/exp_avg/<name>` and
 * `optimizer/exp_avg_sq/<name>` (variable layout), best-so-far weights under `best/<name>`
 * (variable layout), plugin tensors under `state/<stateKey>/<tensor>`.
 */
export const CheckpointKeys = {
  expAvg: (name: string) => `optimizer/exp_avg/${name}`,
  expAvgSq: (name: string) => `optimizer/exp_avg_sq/${name}`,
  best: (name: string) => `best/${name}`,
  state: (key: string, tensor: string) => `state/${key}/${tensor}`,
} as const;

/** The JSON half of a checkpoint. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  runId: string;
  seed: number;
  backend: BackendName;
  /** Optimizer steps completed. */
  step: number;
  /** Epoch to continue in, and micro-batches of it already consumed. */
  epoch: number;
  batchPosition: number;
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Names of the parameters stored (the rest never changed during the run). */
  parameters: string[];
  optimizer: { steps: Record<string, number> };
  registry: Record<string, { trainable: boolean; frozenAt?: { step: number; reason: string } }>;
  /** JSON state of every Stateful (plugins, RNG streams) by stateKey. */
  stateful: Record<string, Json>;
  best: { metric: string; value: number; step: number } | null;
  bestParameters: string[];
  accounting: { trainableWithoutHeadSum: number; stepsCounted: number; lastLoss: number | null };
  /** Trainer counters that change what a resumed run does (absent in older checkpoints: zeros). */
  trainer?: { patienceCounter: number; skippedSteps: number };
  /** Settings a resume must not change silently (lr, optim, schedule, …); absent in older checkpoints. */
  hyperparameters?: Record<string, number | string | null>;
  savedAt: string;
}

export interface LoadedCheckpoint {
  dir: string;
  state: CheckpointState;
  /** Every tensor as float32 with its shape. */
  tensors: Map<string, { data: Float32Array; shape: number[] }>;
}

/** Folder name of the checkpoint after `step` optimizer steps. */
export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/**
 * Writes `root/<name>/{tensors.safetensors,state.json}` so a crash at any moment leaves the
 * previous checkpoint intact: the folder is written under a temporary name, renamed into
 * place, and only then is `root/latest` (the name of the newest folder) replaced atomically.
 */
export async function writeCheckpoint(
  root: string,
  name: string,
  tensors: Record<string, SafetensorsInput>,
  state: CheckpointState,
  /** More files for the folder, by name (e.g. trainer_state.json); written before the folder is renamed into place. */
  extraFiles: Record<string, string> = {},
): Promise<string> {
  await mkdir(root, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(root, `.${name}.tmp-${tag}`);
  const final = join(root, name);
  await mkdir(tmp);
  try {
    await writeFileAtomic(join(tmp, TENSORS_FILE), writeSafetensors(tensors, { format: CHECKPOINT_FORMAT }));
    await writeFileAtomic(join(tmp, STATE_FILE), JSON.stringify(state, null, 1) + "\n");
    for (const [file, text] of Object.entries(extraFiles)) {
      if (!/^[\w.-]+$/.test(file) || file.startsWith(".") || file === STATE_FILE || file === TENSORS_FILE)
        throw new Error(`writeCheckpoint: bad extra file name ${JSON.stringify(file)}`);
      await writeFileAtomic(join(tmp, file), text);
    }
    let old: string | null = null;
    if (existsSync(final)) {
      old = join(root, `.${name}.old-${tag}`);
      await rename(final, old);
    }
    await rename(tmp, final);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await writeFileAtomic(join(root, LATEST_FILE), name + "\n");
  return final;
}

/**
 * Finds the checkpoint a path names: a checkpoint folder (has state.json) or a checkpoint
 * root (has a `latest` file naming the newest folder). A root whose `latest` was deleted
 * falls back to its newest valid `checkpoint-<step>` folder.
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  if (existsSync(join(path, STATE_FILE))) return path;
  const latest = join(path, LATEST_FILE);
  if (existsSync(latest)) {
    const name = (await readFile(latest, "utf8")).trim();
    if (!/^[\w.-]+$/.test(name) || name.startsWith("."))
      throw new Error(`${latest}: expected a checkpoint folder name, got ${JSON.stringify(name)}`);
    const dir = join(path, name);
    if (!existsSync(join(dir, STATE_FILE)))
      throw new Error(`${latest} names "${name}", but ${join(dir, STATE_FILE)} does not exist`);
    return dir;
  }
  const found = existsSync(path) && (await stat(path)).isDirectory() ? await newestValidCheckpoint(path) : null;
  if (found?.dir) return found.dir;
  if (found && found.rejected.length > 0) {
    throw new Error(
      `Checkpoint ${path}: no "latest" file and no valid checkpoint folder (${found.rejected.join("; ")})`,
    );
  }
  const what = existsSync(path)
    ? (await stat(path)).isDirectory()
      ? "a folder with neither state.json nor latest"
      : "not a folder"
    : "missing";
  throw new Error(
    `Checkpoint ${path}: ${what}; expected a checkpoint folder or a checkpoint root with a "latest" file`,
  );
}

/** `checkpoint-<step>` folder names in `root`, newest first. */
export async function checkpointFolders(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  return (await readdir(root))
    .map((n) => ({ n, m: /^checkpoint-(\d+)$/.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((x) => x.n);
}

/**
 * The newest `checkpoint-<step>` folder whose state.json parses and whose tensors file exists,
 * with the reason each newer one was passed over.
 */
export async function newestValidCheckpoint(root: string): Promise<{ dir: string | null; rejected: string[] }> {
  const rejected: string[] = [];
  for (const n of await checkpointFolders(root)) {
    const dir = join(root, n);
    const statePath = join(dir, STATE_FILE);
    try {
      if (!existsSync(statePath)) throw new Error(`${statePath} does not exist`);
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(statePath, "utf8"));
      } catch (e) {
        throw new Error(`${statePath}: not valid JSON (${(e as Error).message})`);
      }
      parseCheckpointState(raw, statePath);
      if (!existsSync(join(dir, TENSORS_FILE))) throw new Error(`${join(dir, TENSORS_FILE)} does not exist`);
      return { dir, rejected };
    } catch (e) {
      rejected.push(`${n}: ${(e as Error).message}`);
    }
  }
  return { dir: null, rejected };
}

/** The checkpoint a root would resume from (`latest`, else the newest valid folder), or null when it has none. */
export async function latestCheckpoint(root: string): Promise<string | null> {
  if (!existsSync(root)) return null;
  if (existsSync(join(root, LATEST_FILE)) || existsSync(join(root, STATE_FILE))) return resolveCheckpointDir(root);
  return (await newestValidCheckpoint(root)).dir;
}

/**
 * Cleans up after writes that a killed process left half done: removes orphaned
 * `.checkpoint-N.tmp-<pid>-…` folders (of processes no longer alive) and puts back a
 * `.checkpoint-N.old-…` folder whose replacement never arrived. Returns what it removed or restored.
 */
export async function recoverCheckpointRoot(root: string): Promise<{ removed: string[]; restored: string[] }> {
  const removed: string[] = [];
  const restored: string[] = [];
  if (!existsSync(root)) return { removed, restored };
  for (const n of await readdir(root)) {
    const m = /^\.(checkpoint-\d+)\.(tmp|old)-(\d+)-[0-9a-f]+$/.exec(n);
    if (!m || pidAlive(Number(m[3]))) continue;
    const [, name, kind] = m;
    if (kind === "old" && !existsSync(join(root, name!))) {
      await rename(join(root, n), join(root, name!));
      restored.push(name!);
    } else {
      await rm(join(root, n), { recursive: true, force: true });
      removed.push(n);
    }
  }
  return { removed, restored };
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false; // this process writes one checkpoint at a time and is not writing now
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const dir = await resolveCheckpointDir(path);
  const statePath = join(dir, STATE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(statePath, "utf8"));
  } catch (e) {
    throw new Error(`${statePath}: ${(e as Error).message}`);
  }
  const state = parseCheckpointState(raw, statePath);
  const tensorsPath = join(dir, TENSORS_FILE);
  const file = readSafetensors(new Uint8Array(await readFile(tensorsPath)), tensorsPath);
  const tensors = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [n, t] of file.tensors) tensors.set(n, { data: toFloat32(t), shape: t.shape });
  const expected = [
    ...state.parameters,
    ...Object.keys(state.optimizer.steps).flatMap((n) => [CheckpointKeys.expAvg(n), CheckpointKeys.expAvgSq(n)]),
    ...state.bestParameters.map(CheckpointKeys.best),
  ];
  for (const n of expected)
    if (!tensors.has(n)) throw new Error(`${tensorsPath}: tensor "${n}" is missing (named by ${statePath})`);
  return { dir, state, tensors };
}

/** Checks every field of state.json; an error names the file and the field. */
export function parseCheckpointState(raw: unknown, source: string): CheckpointState {
  const fail = (field: string, want: string, got: unknown): never => {
    throw new Error(`${source}: field "${field}": expected ${want}, got ${JSON.stringify(got)}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("(root)", "an object", raw);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed checkpoint file, checked field by field below
  const o = raw as Record<string, any>;
  if (o.format !== CHECKPOINT_FORMAT) fail("format", JSON.stringify(CHECKPOINT_FORMAT), o.format);
  if (o.version !== CHECKPOINT_VERSION) fail("version", String(CHECKPOINT_VERSION), o.version);
  const int = (f: string) => (Number.isInteger(o[f]) && o[f] >= 0 ? o[f] : fail(f, "a non-negative integer", o[f]));
  for (const f of ["step", "epoch", "batchPosition", "epochs", "stepsPerEpoch", "totalSteps"]) int(f);
  if (typeof o.runId !== "string") fail("runId", "a string", o.runId);
  if (typeof o.seed !== "number") fail("seed", "a number", o.seed);
  if (!(BACKEND_NAMES as readonly string[]).includes(o.backend))
    fail("backend", `one of ${BACKEND_NAMES.join(", ")}`, o.backend);
  const strings = (f: string, v: unknown) =>
    Array.isArray(v) && v.every((s) => typeof s === "string") ? v : fail(f, "an array of strings", v);
  strings("parameters", o.parameters);
  strings("bestParameters", o.bestParameters);
  const obj = (f: string, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? v : fail(f, "an object", v);
  obj("optimizer", o.optimizer);
  obj("optimizer.steps", o.optimizer.steps);
  for (const [n, s] of Object.entries(o.optimizer.steps))
    if (!Number.isInteger(s) || (s as number) < 1) fail(`optimizer.steps.${n}`, "a positive integer", s);
  obj("registry", o.registry);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed checkpoint file, checked field by field below
  for (const [n, f] of Object.entries(o.registry as Record<string, any>)) {
    if (typeof f?.trainable !== "boolean") fail(`registry.${n}.trainable`, "a boolean", f?.trainable);
    if (f.frozenAt !== undefined && !(Number.isInteger(f.frozenAt.step) && typeof f.frozenAt.reason === "string"))
      fail(`registry.${n}.frozenAt`, "{ step, reason }", f.frozenAt);
  }
  obj("stateful", o.stateful);
  if (o.best !== null) {
    obj("best", o.best);
    if (typeof o.best.metric !== "string" || typeof o.best.value !== "number" || !Number.isInteger(o.best.step))
      fail("best", "null or { metric, value, step }", o.best);
  }
  obj("accounting", o.accounting);
  if (typeof o.accounting.trainableWithoutHeadSum !== "number")
    fail("accounting.trainableWithoutHeadSum", "a number", o.accounting.trainableWithoutHeadSum);
  if (!Number.isInteger(o.accounting.stepsCounted))
    fail("accounting.stepsCounted", "an integer", o.accounting.stepsCounted);
  if (o.accounting.lastLoss !== null && typeof o.accounting.lastLoss !== "number")
    fail("accounting.lastLoss", "null or a number", o.accounting.lastLoss);
  if (o.trainer !== undefined) {
    obj("trainer", o.trainer);
    for (const f of ["patienceCounter", "skippedSteps"]) {
      if (!(Number.isInteger(o.trainer[f]) && o.trainer[f] >= 0))
        fail(`trainer.${f}`, "a non-negative integer", o.trainer[f]);
    }
  }
  if (o.hyperparameters !== undefined) {
    obj("hyperparameters", o.hyperparameters);
    for (const [k, v] of Object.entries(o.hyperparameters)) {
      if (!(v === null || typeof v === "string" || typeof v === "number"))
        fail(`hyperparameters.${k}`, "a number, a string or null", v);
    }
  }
  if (o.batchPosition > 0 && o.epoch >= o.epochs) fail("batchPosition", "0 when the run is complete", o.batchPosition);
  return o as CheckpointState;
}

/**
 * Deletes the oldest `checkpoint-<step>` folders beyond the newest `limit`, never one named in
 * `keep` (the best checkpoint) nor the one `latest` names. Returns the deleted names.
 */
export async function pruneCheckpoints(root: string, limit: number, keep: readonly string[] = []): Promise<string[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`checkpointLimit: expected a positive integer, got ${limit}`);
  const latestPath = join(root, LATEST_FILE);
  const latest = existsSync(latestPath) ? (await readFile(latestPath, "utf8")).trim() : null;
  const byStep = await checkpointFolders(root);
  const doomed = byStep.slice(limit).filter((n) => n !== latest && !keep.includes(n));
  for (const n of doomed) await rm(join(root, n), { recursive: true, force: true });
  return doomed;
}
