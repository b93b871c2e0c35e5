// The benchmark's methods, as ../peer/configs.json defines them (same names), mapped to
// @aflora/adapter configs. Adapters sit on all six linears of every layer.
export const METHODS = {
  full: { baseTrainable: true, adapter: null },
  lora: { baseTrainable: false, adapter: { method: "lora", r: 8, alpha: 16 } },
  elora: { baseTrainable: false, adapter: { method: "elora", r: 1024 } },
  // AFLoRA as the authors' GLUE code runs it: FFN A/B trainable, attention A/B frozen from the start.
  "aflora-start": { baseTrainable: false, adapter: { method: "aflora", r: 4, trainablePm: "ffn" } },
  // ... and after the freezing schedule froze every FFN A/B (the last ~70 % of training).
  "aflora-frozen": {
    baseTrainable: false,
    adapter: { method: "aflora", r: 4, trainablePm: "ffn" },
    freezeMatrices: true,
  },
};

export const METHOD_NAMES = Object.keys(METHODS);

export const SIZES = {
  base: { layers: 12, hidden: 768, heads: 12, ffn: 3072, seq: 128, batch: 8, vocab: 30522, labels: 2 },
  small: { layers: 4, hidden: 256, heads: 4, ffn: 1024, seq: 128, batch: 16, vocab: 30522, labels: 2 },
};
