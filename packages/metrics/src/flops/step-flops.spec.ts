import { describe, expect, it } from "vitest";
import { BENCH_METHODS, BENCH_SHAPES, benchAdapter } from "./presets.js";
import { runFlops } from "./run-flops.js";
import { stepFlops } from "./step-flops.js";
import type { EncoderShape } from "./shapes.js";

// 1 layer, hidden 4, 2 heads (dh 2), FFN 8, batch 2 × 3 tokens (T = 6), 2 labels.
const TINY: EncoderShape = { layers: 1, hidden: 4, heads: 2, ffn: 8, seq: 3, batch: 2, labels: 2 };

describe("stepFlops", () => {
  it("counts a head-only step by hand: the frozen encoder runs forward only", () => {
    // Linears: q,k,v,o 2·6·4·4 = 192 each, int and out 2·6·4·8 = 384 each → 1536.
    // Attention: QKᵀ and PV 2·(2·2)·3·3·2 = 144 each → 288. Pooler 2·2·4·4 = 64, classifier 2·2·4·2 = 32.
    // Backward: dW pooler + classifier (96), d(pooler output) through the classifier (32); nothing in the encoder.
    expect(stepFlops(TINY, { kind: "none" })).toEqual({
      forward: 1536 + 288 + 96,
      backwardInput: 32,
      backwardWeight: 96,
      total: 1920 + 32 + 96,
      adapter: 0,
      attention: 288,
      recompute: 1536 + 288,
    });
  });

  it("counts a LoRA r=1 step by hand: no input gradient below layer 0's q/k/v, A and B gradients everywhere", () => {
    // Adapter forward (x·A, h·B): q,k,v,o 48 + 48; int 48 + 96; out 96 + 48 → 672.
    // Layer-0 q/k/v: input untracked → dh (48), dB (48), dA (48) each, no dx.
    // Attention backward: dQ, dK, dP, dV = 4 × 144 = 576.
    // o: dX 192, adapter dh 48 + dB 48 + dA 48 + dx 48. int: dX 384, adapter dh 96 + dB 96 + dA 48 + dx 48.
    // out: dX 384, adapter dh 48 + dB 48 + dA 96 + dx 96. Head: dW 96, dX 32 + 64.
    const f = stepFlops(TINY, { kind: "lora", r: 1 });
    const backwardInput = 576 + (192 + 384 + 384) + (3 * 48 + (48 + 48) + (96 + 48) + (48 + 96)) + (32 + 64);
    const backwardWeight = 3 * 96 + 96 + (96 + 48) + (48 + 96) + 96;
    expect(f).toEqual({
      forward: 1920 + 672,
      backwardInput,
      backwardWeight,
      total: 2592 + backwardInput + backwardWeight,
      adapter: 672 + (3 * 144 + 192 + 288 + 288),
      attention: 288 + 576,
      recompute: 1824 + 672,
    });
    expect(backwardInput).toBe(2160);
    expect(backwardWeight).toBe(768);
  });

  it("full fine-tuning adds every W0 weight gradient; freezing a matrix removes exactly its gradient matmul", () => {
    const none = stepFlops(TINY, { kind: "none" });
    const full = stepFlops(TINY, { kind: "full" });
    // dW of all six linears (1536) plus input gradients: attention 576, o/int/out dX 960, encoder output 64.
    expect(full.backwardWeight - none.backwardWeight).toBe(1536);
    expect(full.backwardInput - none.backwardInput).toBe(576 + 960 + 64);
    const start = stepFlops(TINY, { kind: "vector", r: 1, matrixTrainable: (_l, role) => role === "int" });
    const noIntA = stepFlops(TINY, {
      kind: "vector",
      r: 1,
      matrixTrainable: (_l, role, m) => role === "int" && m === "B",
    });
    expect(start.total - noIntA.total).toBe(48); // dA of int: 2·6·4·1
  });

  it("adds DeBERTa's c2p/p2c matmuls and relative-position projections when asked", () => {
    const rel = stepFlops({ ...TINY, relativePositions: { span: 2 } }, { kind: "none" });
    // c2p and p2c: 2·(2·2)·3·4·2 = 192 each; K_r and Q_r: 2·4·4·4 = 128 each.
    expect(rel.forward - stepFlops(TINY, { kind: "none" }).forward).toBe(2 * 192 + 2 * 128);
  });

  it("matches the peer benchmark's independent count (peer-bench/flops.py) for every benchmark configuration", () => {
    // Totals and forward FLOPs printed by flops.py (Python) for the same shapes and methods.
    const peer = {
      base: {
        full: [532738547712, 178787475456],
        lora: [366908350464, 181505384448],
        elora: [1049745235968, 526679826432],
        "aflora-start": [362246381568, 180146429952],
        "aflora-frozen": [361491406848, 180146429952],
      },
      small: {
        full: [41076965376, 13960757248],
        lora: [29978836992, 14564737024],
        elora: [179589660672, 91270168576],
        "aflora-start": [28951232512, 14262747136],
        "aflora-frozen": [28783460352, 14262747136],
      },
    } as const;
    for (const size of ["base", "small"] as const) {
      for (const m of BENCH_METHODS) {
        const f = stepFlops(BENCH_SHAPES[size], benchAdapter(m));
        expect([f.total, f.forward], `${size} ${m}`).toEqual(peer[size][m]);
      }
    }
    const ratio =
      stepFlops(BENCH_SHAPES.base, benchAdapter("elora")).total /
      stepFlops(BENCH_SHAPES.base, benchAdapter("aflora-start")).total;
    expect(ratio).toBeCloseTo(2.898, 3); // the paper reports 2.96×
  });

  it("rejects a bad shape with the field named", () => {
    expect(() => stepFlops({ ...TINY, heads: 3 }, { kind: "none" })).toThrow(
      /shape.hidden \(4\) is not divisible by shape.heads \(3\)/,
    );
    expect(() => stepFlops({ ...TINY, seq: 0 }, { kind: "none" })).toThrow(/shape.seq must be a positive integer/);
    expect(() => stepFlops(TINY, { kind: "lora" })).toThrow(/adapter.r must be a positive integer/);
  });
});

describe("runFlops", () => {
  it("drops a frozen matrix's gradient work from the steps after it froze", () => {
    const adapter = { kind: "vector" as const, r: 1, matrixTrainable: (_l: number, role: string) => role === "int" };
    const start = stepFlops(TINY, adapter).total;
    const run = runFlops({ shape: TINY, adapter, totalSteps: 10, matrixSteps: { "0.int.A": 4, "0.int.B": 7 } });
    // int.A's dA (48) is gone from step 4 on, int.B's dB (2·6·1·8 = 96) from step 7 on.
    expect(run.total).toBe(10 * start - 6 * 48 - 3 * 96);
    expect(run.firstStep).toBe(start);
    expect(run.lastStep).toBe(start - 48 - 96);
    expect(run.averagePerStep).toBe(run.total / 10);
    expect(() => runFlops({ shape: TINY, adapter, totalSteps: 10, matrixSteps: { "1.int.A": 3 } })).toThrow(
      /matrixSteps key "1.int.A"/,
    );
  });
});
