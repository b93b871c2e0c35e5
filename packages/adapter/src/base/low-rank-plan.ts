import type { Rng } from "@aflora/core";
import { moduleKind } from "./module-kind.js";
import type { ModuleSpec } from "./module-spec.js";
import { SHARED_A, SHARED_B, tensorName, type ModulePlan, type TensorPlan } from "./plan.js";
import { constant, kaimingUniform } from "./init.js";

export interface MatrixInit {
  /** Initial values of A in state layout [r, in]. */
  a: (r: number, inFeatures: number, rng: Rng) => Float32Array;
  /** Initial values of B in state layout [out, r]. */
  b: (outFeatures: number, r: number, rng: Rng) => Float32Array;
}

/** PyTorch `kaiming_uniform_` defaults on both (fan_in = in for A, r for B): the ELoRA/AFLoRA code's init. */
export const KAIMING_BOTH: MatrixInit = {
  a: (r, n, rng) => kaimingUniform(r * n, n, rng),
  b: (out, r, rng) => kaimingUniform(out * r, r, rng),
};

export interface ModuleTensorsOptions {
  r: number;
  init: MatrixInit;
  matricesTrainable: boolean;
  /** λd, λb initial constants; undefined = plain LoRA (no vectors). */
  vectors?: { d: number; b: number };
  scaling: number;
  dropout: number;
  /** Use these A/B names (a shared projection) instead of creating per-module matrices. */
  shared?: { a: string; b: string };
}

/** The tensors and wiring of one module's low-rank path. */
export function moduleTensors(m: ModuleSpec, o: ModuleTensorsOptions): { tensors: TensorPlan[]; plan: ModulePlan } {
  const tensors: TensorPlan[] = [];
  const { r } = o;
  let a: string;
  let b: string;
  if (o.shared) {
    ({ a, b } = o.shared);
  } else {
    a = tensorName(m.name, "lora_A");
    b = tensorName(m.name, "lora_B");
    tensors.push(
      {
        name: a,
        role: "lora_A",
        module: m.name,
        stateShape: [r, m.inFeatures],
        group: "adapter-matrix",
        trainable: o.matricesTrainable,
        init: (rng) => o.init.a(r, m.inFeatures, rng),
      },
      {
        name: b,
        role: "lora_B",
        module: m.name,
        stateShape: [m.outFeatures, r],
        group: "adapter-matrix",
        trainable: o.matricesTrainable,
        init: (rng) => o.init.b(m.outFeatures, r, rng),
      },
    );
  }
  let d: string | null = null;
  let db: string | null = null;
  if (o.vectors) {
    const { d: dInit, b: bInit } = o.vectors;
    d = tensorName(m.name, "lora_d");
    db = tensorName(m.name, "lora_db");
    tensors.push(
      {
        name: d,
        role: "lora_d",
        module: m.name,
        stateShape: [r],
        group: "adapter-vector",
        trainable: true,
        init: () => constant(r, dInit),
      },
      {
        name: db,
        role: "lora_db",
        module: m.name,
        stateShape: [m.outFeatures],
        group: "adapter-vector",
        trainable: true,
        init: () => constant(m.outFeatures, bInit),
      },
    );
  }
  return {
    tensors,
    plan: { module: m, kind: moduleKind(m.name), r, scaling: o.scaling, dropout: o.dropout, a, b, d, db },
  };
}

/** One frozen A/B pair sized for the widest module, sliced per module (PEFT VeRA's layout). */
export function sharedProjection(modules: readonly ModuleSpec[], r: number, init: MatrixInit): TensorPlan[] {
  const maxIn = Math.max(...modules.map((m) => m.inFeatures));
  const maxOut = Math.max(...modules.map((m) => m.outFeatures));
  return [
    {
      name: SHARED_A,
      role: "lora_A",
      module: null,
      stateShape: [r, maxIn],
      group: "adapter-matrix",
      trainable: false,
      init: (rng) => init.a(r, maxIn, rng),
    },
    {
      name: SHARED_B,
      role: "lora_B",
      module: null,
      stateShape: [maxOut, r],
      group: "adapter-matrix",
      trainable: false,
      init: (rng) => init.b(maxOut, r, rng),
    },
  ];
}
