// Hugging Face config.json: reading it and sizing the model it describes.
export type {
  BertConfig,
  CommonEncoderConfig,
  DebertaV2Config,
  EncoderConfig,
  ModelType,
  PosAttType,
  ProblemType,
} from "./config/encoder-config.js";
export { readEncoderConfig, type ModelSize } from "./config/read-config.js";

// Models: the sequence classifier (BERT, RoBERTa, DeBERTa-v2/v3) and how it is built and loaded.
export {
  EncoderForSequenceClassification,
  type EncoderModelOptions,
  type EncoderOutput,
  type ForwardOptions,
} from "./models/sequence-classifier.js";
export {
  buildEncoder,
  createEncoderFromConfig,
  type BuildOptions,
  type CreateOptions,
} from "./models/build-encoder.js";
export { linearModuleSpecs, stateDictSpecs, type ParameterSpec } from "./models/state-dict-spec.js";
export { resolveLossKind, sequenceClassificationLoss, type LossKind } from "./losses.js";
export { defaultGroupOf, type WeightSource } from "./models/module-factory.js";
export { loadEncoder, type LoadEncoderOptions } from "./load/load-encoder.js";
export { readWeightFiles, type LoadedTensors } from "./load/weight-files.js";
export { loadModel, type LoadModelOptions, type LoadedModel, type ModelTask } from "./load/load-model.js";

// Layers with behaviour worth checking on their own (activations, DeBERTa relative positions).
export { getActivation, activationNames, type Activation } from "./layers/activations.js";
export { buildRelativePosition, logBucketPosition, relEmbeddingIndex } from "./layers/relative-position.js";

// Tokenizers: tokenizer.json through @huggingface/tokenizers, SentencePiece (spm.model) in TypeScript.
export {
  checkTokenizerMode,
  DEFAULT_TOKENIZER_MODE,
  HfTokenizer,
  loadTokenizer,
  parseSentencePieceModel,
  PieceType,
  HfPrecompiledNormalizer,
  parsePrecompiledCharsmap,
  SentencePieceNormalizer,
  SentencePieceProcessor,
  SentencePieceTokenizer,
  TOKENIZER_MODES,
  type DebertaV2ConvertOptions,
  type HfTokenizerSettings,
  type LoadTokenizerOptions,
  type NormalizerSpec,
  type PrecompiledCharsmap,
  type SentencePiece,
  type SentencePieceModel,
  type SentencePieceNormalizerOptions,
  type SentencePieceToken,
  type TokenizerJson,
  type TokenizerMode,
} from "./tokenizer/index.js";

// Weight files and the Hugging Face Hub: PyTorch .bin, downloads into the Hub cache, offline mode.
export { readPytorchBin, readPytorchBinFile } from "./pytorch-bin/index.js";
export {
  downloadRepoFiles,
  HubNameError,
  HubNetworkError,
  HubRequestError,
  HubTimeoutError,
  NotInCacheError,
  PoisonedCacheError,
  resolveModelSource,
  type DownloadedRepo,
  type DownloadRepoFilesOptions,
  type HubFile,
  type HubRepo,
  type HubTimeouts,
  type ModelSource,
  type RepoFileInfo,
  type RepoSnapshot,
  type ResolveModelSourceOptions,
} from "./hub/index.js";

// The model plugin for core's registry.
export { register, encoderModel } from "./plugin/register.js";
export {
  DEMO_ENCODER_DIR,
  EncoderSource,
  withTaskLabels,
  dropMismatchedHead,
  looksLikePath,
  tokenizerLocation,
  copyTokenizerFiles,
  type EncoderSourceOptions,
} from "./plugin/model-source.js";
export { saveModelFolder } from "./plugin/save-model-folder.js";
