import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What `load` reports: the library that answered, or why none did. */
export interface AddonLoadResult {
  path?: string;
  vendor?: string;
  config?: string;
  threads?: number;
  failures?: string[];
}

/** The compiled addon's functions (native/*.cc). */
export interface NativeAddon {
  load(candidates: string[]): AddonLoadResult;
  setThreads(n: number): number;
  getThreads(): number;
  /** C_p = alpha·op(A_p)·op(B_p) + beta·C_p for p < batch, row-major; X_p starts at p·strideX (0: shared). */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    strideA: number,
    b: Float32Array,
    ldb: number,
    strideB: number,
    beta: number,
    c: Float32Array,
    ldc: number,
    strideC: number,
    batch: number,
  ): void;
  /** out[p][j][i] = x[p][i][j]. */
  transpose(x: Float32Array, batch: number, rows: number, cols: number, out: Float32Array): void;
  /** out = op(x), op 0 exp, 1 erf (float32, threaded for large arrays). */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** out = a op b, op 0 add, 1 sub, 2 mul, 3 div; a and b are full length or a repeated trailing block. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out = transpose(x, perm). */
  permute(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void;
  /** out = dy ⊙ (Φ(x) + x·φ(x)), the exact (erf) GELU's gradient; all three the same length. */
  geluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void;
  /**
   * LayerNorm's input gradient per row: out = rstd ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)), g = dy ⊙ weight;
   * dy, xhat, out [rows, h], rstd [rows], weight [h].
   */
  layerNormGrad(
    dy: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
    weight: Float32Array,
    rows: number,
    h: number,
    out: Float32Array,
  ): void;
  /**
   * One AdamW update (adamw_hf when `hf`, else adamw_torch), op for op as @aflora/core's AdamW; all
   * seven arrays the same length. scalars: [β1, 1−β1, β2, 1−β2, ε, decayFactor, √(1−β2ᵗ), stepSize,
   * decay (0 or 1)], each read as float32.
   */
  adamwStep(
    hf: boolean,
    param: Float32Array,
    grad: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    paramOut: Float32Array,
    expAvgOut: Float32Array,
    expAvgSqOut: Float32Array,
    scalars: number[],
  ): void;
  /** out[j] = Σ_i x[i][j], float32, in row order. */
  sumRows(x: Float32Array, rows: number, n: number, out: Float32Array): void;
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where node-gyp puts the addon (scripts/install.mjs builds it at `npm ci`). */
export const ADDON_PATH = join(packageRoot, "build", "Release", "aflora_native.node");

let cached: NativeAddon | null = null;

/** Loads the compiled addon; throws one line saying why it is unavailable. */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(
      `@aflora/native: the addon is not built (${ADDON_PATH} is missing; needs g++/make/python3 at install, ` +
        "then `npm rebuild @aflora/native`)",
    );
  }
  cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  return cached;
}
