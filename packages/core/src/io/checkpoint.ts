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
export async function writeCheckpoint(root: string, name: string, tensors: Record<string, SafetensorsInput>, state: CheckpointState): Promise<string> {
  await mkdir(root, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(root, `.${name}.tmp-${tag}`);
  const final = join(root, name);
  await mkdir(tmp);
  try {
    await writeFileAtomic(join(tmp, TENSORS_FILE), writeSafetensors(tensors, { format: CHECKPOINT_FORMAT }));
    await writeFileAtomic(join(tmp, STATE_FILE), JSON.stringify(state, null, 1) + "\n");
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
 * root (has a `latest` file naming the newest folder).
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  if (existsSync(join(path, STATE_FILE))) return path;
  const latest = join(path, LATEST_FILE);
  if (existsSync(latest)) {
    const name = (await readFile(latest, "utf8")).trim();
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) throw new Error(`${latest}: expected a checkpoint folder name, got ${JSON.stringify(name)}`);
    const dir = join(path, name);
    if (!existsSync(join(dir, STATE_FILE))) throw new Error(`${latest} names "${name}", but ${join(dir, STATE_FILE)} does not exist`);
    return dir;
  }
  const what = existsSync(path) ? ((await stat(path)).isDirectory() ? "a folder with neither state.json nor latest" : "not a folder") : "missing";
  throw new Error(`Checkpoint ${path}: ${what}; expected a checkpoint folder or a checkpoint root with a "latest" file`);
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
  for (const n of expected) if (!tensors.has(n)) throw new Error(`${tensorsPath}: tensor "${n}" is missing (named by ${statePath})`);
  return { dir, state, tensors };
}

/** Checks every field of state.json; an error names the file and the field. */
export function parseCheckpointState(raw: unknown, source: string): CheckpointState {
  const fail = (field: string, want: string, got: unknown): never => {
    throw new Error(`${source}: field "${field}": expected ${want}, got ${JSON.stringify(got)}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("(root)", "an object", raw);
  const o = raw as Record<string, any>;
  if (o.format !== CHECKPOINT_FORMAT) fail("format", JSON.stringify(CHECKPOINT_FORMAT), o.format);
  if (o.version !== CHECKPOINT_VERSION) fail("version", String(CHECKPOINT_VERSION), o.version);
  const int = (f: string) => (Number.isInteger(o[f]) && o[f] >= 0 ? o[f] : fail(f, "a non-negative integer", o[f]));
  for (const f of ["step", "epoch", "batchPosition", "epochs", "stepsPerEpoch", "totalSteps"]) int(f);
  if (typeof o.runId !== "string") fail("runId", "a string", o.runId);
  if (typeof o.seed !== "number") fail("seed", "a number", o.seed);
  if (!(BACKEND_NAMES as readonly string[]).includes(o.backend)) fail("backend", `one of ${BACKEND_NAMES.join(", ")}`, o.backend);
  const strings = (f: string, v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === "string") ? v : fail(f, "an array of strings", v));
  strings("parameters", o.parameters);
  strings("bestParameters", o.bestParameters);
  const obj = (f: string, v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? v : fail(f, "an object", v));
  obj("optimizer", o.optimizer);
  obj("optimizer.steps", o.optimizer.steps);
  for (const [n, s] of Object.entries(o.optimizer.steps)) if (!Number.isInteger(s) || (s as number) < 1) fail(`optimizer.steps.${n}`, "a positive integer", s);
  obj("registry", o.registry);
  for (const [n, f] of Object.entries(o.registry as Record<string, any>)) {
    if (typeof f?.trainable !== "boolean") fail(`registry.${n}.trainable`, "a boolean", f?.trainable);
    if (f.frozenAt !== undefined && !(Number.isInteger(f.frozenAt.step) && typeof f.frozenAt.reason === "string")) fail(`registry.${n}.frozenAt`, "{ step, reason }", f.frozenAt);
  }
  obj("stateful", o.stateful);
  if (o.best !== null) {
    obj("best", o.best);
    if (typeof o.best.metric !== "string" || typeof o.best.value !== "number" || !Number.isInteger(o.best.step)) fail("best", "null or { metric, value, step }", o.best);
  }
  obj("accounting", o.accounting);
  if (typeof o.accounting.trainableWithoutHeadSum !== "number") fail("accounting.trainableWithoutHeadSum", "a number", o.accounting.trainableWithoutHeadSum);
  if (!Number.isInteger(o.accounting.stepsCounted)) fail("accounting.stepsCounted", "an integer", o.accounting.stepsCounted);
  if (o.accounting.lastLoss !== null && typeof o.accounting.lastLoss !== "number") fail("accounting.lastLoss", "null or a number", o.accounting.lastLoss);
  if (o.batchPosition > 0 && o.epoch >= o.epochs) fail("batchPosition", "0 when the run is complete", o.batchPosition);
  return o as CheckpointState;
}

/**
 * Deletes the oldest `checkpoint-<step>` folders beyond the newest `limit`, never one named in
 * `keep` (the best checkpoint) nor the one `latest` names. Returns the deleted names.
 */
export async function pruneCheckpoints(root: string, limit: number, keep: readonly string[] = []): Promise<string[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`checkpointLimit: expected a positive integer, got ${limit}`);
  const latestPath = join(root, LATEST_FILE);
  const latest = existsSync(latestPath) ? (await readFile(latestPath, "utf8")).trim() : null;
  const byStep = (await readdir(root))
    .map((n) => ({ n, m: /^checkpoint-(\d+)$/.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((x) => x.n);
  const doomed = byStep.slice(limit).filter((n) => n !== latest && !keep.includes(n));
  for (const n of doomed) await rm(join(root, n), { recursive: true, force: true });
  return doomed;
}
