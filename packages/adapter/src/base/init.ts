import type { Rng } from "@aflora/core";

/**
 * PyTorch's `kaiming_uniform_(w, a)` with fan_in mode and leaky_relu gain:
 * U(−b, b), b = √(6 / ((1 + a²) · fan_in)). a = 0 is the default the AFLoRA code uses
 * (b = √(6/fan_in)); a = √5 is what PEFT's LoRA uses for lora_A (b = 1/√fan_in).
 */
export function kaimingUniform(size: number, fanIn: number, rng: Rng, a = 0): Float32Array {
  const bound = Math.sqrt(6 / ((1 + a * a) * fanIn));
  return rng.uniformArray(size, -bound, bound);
}

export function constant(size: number, value: number): Float32Array {
  return new Float32Array(size).fill(value);
}
