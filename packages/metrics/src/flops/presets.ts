import type { AdapterShape, EncoderShape, LinearRole } from "./shapes.js";

/** The benchmark shapes (`../shared/peer-bench/configs.json`): DeBERTa-v3-base-sized and a small one. */
export const BENCH_SHAPES = {
  base: { layers: 12, hidden: 768, heads: 12, ffn: 3072, seq: 128, batch: 8, labels: 2 },
  small: { layers: 4, hidden: 256, heads: 4, ffn: 1024, seq: 128, batch: 16, labels: 2 },
} as const satisfies Record<string, EncoderShape>;

export const BENCH_METHODS = ["full", "lora", "elora", "aflora-start", "aflora-frozen"] as const;
export type BenchMethod = (typeof BENCH_METHODS)[number];

const FFN: readonly LinearRole[] = ["int", "out"];

/**
 * The benchmark's methods as adapter shapes: full fine-tuning; LoRA r=8; ELoRA r=1024
 * (A, B frozen); AFLoRA r=4 at the start (FFN A/B trainable, attention A/B frozen, as the
 * authors' code) and after every FFN matrix froze.
 */
export function benchAdapter(method: BenchMethod): AdapterShape {
  switch (method) {
    case "full":
      return { kind: "full" };
    case "lora":
      return { kind: "lora", r: 8 };
    case "elora":
      return { kind: "vector", r: 1024 };
    case "aflora-start":
      return { kind: "vector", r: 4, matrixTrainable: (_l, role) => FFN.includes(role) };
    case "aflora-frozen":
      return { kind: "vector", r: 4 };
  }
}
