export * from "./config/encoder-config.js";
export * from "./config/read-config.js";
export * from "./models/state-dict-spec.js";
export * from "./models/sequence-classifier.js";
export * from "./models/build-encoder.js";
export { defaultGroupOf, type WeightSource } from "./models/module-factory.js";
export * from "./load/load-encoder.js";
export * from "./load/weight-files.js";
export { loadModel, type LoadModelOptions, type LoadedModel, type ModelTask } from "./load/load-model.js";
export * from "./losses.js";
export { getActivation, activationNames, type Activation } from "./layers/activations.js";
export { buildRelativePosition, logBucketPosition, relEmbeddingIndex } from "./layers/relative-position.js";
export * from "./repro/parity.js";
export * from "./tokenizer/index.js";
export * from "./extras.js";
export { register, encoderModel } from "./plugin/register.js";
export {
  DEMO_ENCODER_DIR,
  EncoderSource,
  withTaskLabels,
  dropMismatchedHead,
  looksLikePath,
  tokenizerLocation,
  type EncoderSourceOptions,
} from "./plugin/model-source.js";
export { saveModelFolder } from "./plugin/save-model-folder.js";
