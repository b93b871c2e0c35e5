import type { Observable } from "rxjs";
import type { TrainerEvent } from "./events.js";
import type { ParameterRegistry } from "./parameter-registry.js";
import type { RunInfo } from "./run-info.js";

/** What plugins may ask of the trainer; they never reach into it. */
export interface TrainerControl {
  /** Stops after the current step (evaluates and checkpoints as at an epoch end). */
  requestStop(reason: string): void;
  /** Saves a checkpoint after the current step. */
  requestCheckpoint(): void;
  readonly stopRequested: string | null;
}

export interface PluginContext {
  events: Observable<TrainerEvent>;
  params: ParameterRegistry;
  control: TrainerControl;
  run: RunInfo;
}

/** A JSON-serialisable value (plugin state in checkpoints). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Anything that must survive a resume exposes its state under a unique `stateKey`.
 * Large numeric state goes into `tensors` (stored in the checkpoint's safetensors file,
 * prefixed by the key); the rest into `json`.
 */
export interface Stateful {
  readonly stateKey: string;
  saveState(): { json: Json; tensors?: Record<string, Float32Array | { data: Float32Array; shape: number[] }> };
  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void;
}

/** A plugin attached to a run. `attach` subscribes to events; the returned teardown runs at run end. */
export interface TrainerPlugin extends Partial<Stateful> {
  readonly name: string;
  attach(ctx: PluginContext): void | (() => void);
}
