// The "./repro" subpath: the paper's trainable-parameter counts (Table 1) checked on DeBERTaV3-base shapes.
export {
  DEBERTA_V3_BASE_CONFIG,
  PAPER_PARAM_COUNTS,
  PARAMS_REPRO_CONFIG_FILE,
  runParamsRepro,
  type ParamCountCheck,
  type ParamsReproResult,
} from "./params-suite.js";
