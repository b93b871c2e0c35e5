// Step-averaged trainable parameters of AFLoRA over a full cubic freezing schedule, the
// way the paper's "#Params" column is averaged (PAPER.md §5.7), for DeBERTa-v3-base r=4.
//
// The schedule is the authors' (PAPER.md §3.2): no freezing for `initialWarmup` epochs,
// then a cubic threshold, masking every ΔT steps; everything freezes after
// T − finalWarmup·W. At each mask step the authors' rule freezes every trainable matrix
// whose mean score is below the k-th smallest element score of all trainable matrices,
// k = ⌊N_t·(1 − threshold)⌋. Scores here are synthetic (a seeded random mean score s per
// matrix, its elements spread evenly over [s/2, 3s/2]), so which matrices freeze first is
// arbitrary, but how many freeze when follows the rule — including its quantile re-based
// on the shrinking pool, which makes freezing happen early in the cubic window.
import { Rng } from "@aflora/core";

/** DeBERTa-v3-base with AFLoRA r=4 on all six linears (PAPER.md §1.4), head excluded. */
export function afloraBaseMatrices({ layers = 12, hidden = 768, ffn = 3072, r = 4 } = {}) {
  const matrices = [];
  for (let l = 0; l < layers; l++) {
    matrices.push({ name: `${l}.int.A`, size: hidden * r }, { name: `${l}.int.B`, size: r * ffn });
    matrices.push({ name: `${l}.out.A`, size: ffn * r }, { name: `${l}.out.B`, size: r * hidden });
  }
  // λd (r) and λb (out) of all six modules: always trainable.
  const vectors = layers * (4 * (r + hidden) + (r + ffn) + (r + hidden));
  return { matrices, vectors };
}

/**
 * @param {{epochs:number, stepsPerEpoch:number, initialWarmup?:number, finalWarmup?:number, deltaT?:number, seed?:number}} run
 * @returns {{averageTrainable:number, start:number, end:number, totalSteps:number, lastFreezeStep:number, matrixSteps:Record<string,number>}}
 */
export function afloraAverageTrainable(run, model = afloraBaseMatrices()) {
  const { epochs, stepsPerEpoch: W, initialWarmup = 1, finalWarmup = 14, deltaT = 10, seed = 0 } = run;
  const T = epochs * W;
  const rng = new Rng(seed);
  const live = model.matrices.map((m) => ({ ...m, score: 0.05 + rng.uniform() }));
  const matrixSteps = {};
  let sum = 0;
  let lastFreezeStep = -1;
  for (let t = 0; t < T; t++) {
    const trainable = live.filter((m) => !(m.name in matrixSteps));
    sum += model.vectors + trainable.reduce((a, m) => a + m.size, 0);
    let threshold = 1;
    let mask = false;
    if (t <= initialWarmup * W) continue;
    if (t > T - finalWarmup * W) {
      threshold = 0;
      mask = true;
    } else {
      const mul = 1 - (t - initialWarmup * W) / (T - (initialWarmup + finalWarmup) * W);
      threshold = mul ** 3;
      mask = t % deltaT === 0;
    }
    if (!mask || trainable.length === 0) continue;
    const n = trainable.reduce((a, m) => a + m.size, 0);
    const k = Math.floor(n * (1 - threshold));
    if (k < 1) continue;
    const cut = kthSmallest(trainable, k);
    // Frozen after this step's backward: the matrix trained t + 1 steps.
    for (const m of trainable) if (m.score < cut) matrixSteps[m.name] = t + 1;
    if (Object.keys(matrixSteps).length > 0) lastFreezeStep = Math.max(lastFreezeStep, ...Object.values(matrixSteps));
  }
  const start = model.vectors + model.matrices.reduce((a, m) => a + m.size, 0);
  return { averageTrainable: sum / T, start, end: model.vectors, totalSteps: T, lastFreezeStep, matrixSteps };
}

/** LoRA r=8 on the same six linears of DeBERTa-v3-base: constant (PAPER.md §1.4: 1,327,104). */
export function loraTrainable({ layers = 12, hidden = 768, ffn = 3072, r = 8 } = {}) {
  return layers * (4 * r * (hidden + hidden) + r * (hidden + ffn) + r * (ffn + hidden));
}

/** k-th smallest element score over the matrices (elements of m: s·(0.5 + (i + 0.5)/n), i < n). */
function kthSmallest(matrices, k) {
  const count = (v) =>
    matrices.reduce((a, m) => a + Math.min(m.size, Math.max(0, Math.floor((v / m.score - 0.5) * m.size - 0.5) + 1)), 0);
  let lo = 0;
  let hi = 1.5 * Math.max(...matrices.map((m) => m.score));
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (count(mid) >= k) hi = mid;
    else lo = mid;
  }
  return hi;
}
