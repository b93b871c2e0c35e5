import type { Rng } from "./random/rng.js";
import type { Stateful } from "./trainer-plugin.js";

export function isStateful(x: unknown): x is Stateful {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Stateful).stateKey === "string" &&
    typeof (x as Stateful).saveState === "function" &&
    typeof (x as Stateful).loadState === "function"
  );
}

/** Exposes an Rng's state to checkpoints (e.g. a model's dropout stream) under `stateKey`. */
export function statefulRng(stateKey: string, rng: Rng): Stateful {
  return {
    stateKey,
    saveState: () => ({ json: rng.getState().map((v) => (Number.isNaN(v) ? null : v)) }),
    loadState: ({ json }) => {
      if (!Array.isArray(json) || json.length !== 5) throw new Error(`${stateKey}: expected an RNG state of 5 numbers`);
      rng.setState(json.map((v) => (v === null ? Number.NaN : Number(v))));
    },
  };
}
