import type { Rng } from "./rng.js";

/**
 * PyTorch's `kaiming_uniform_` with default arguments (a = 0, fan_in, leaky_relu):
 * U(-√(6/fan_in), +√(6/fan_in)). The paper's A and B initialisation.
 */
export function kaimingUniform(size: number, fanIn: number, rng: Rng): Float32Array {
  const bound = Math.sqrt(6 / fanIn);
  return rng.uniformArray(size, -bound, bound);
}
