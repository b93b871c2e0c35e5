export {
  reproAll,
  reproSuites,
  type ReproSuite,
  type ReproAllOptions,
  type ReproAllResult,
  type ReproSuiteResult,
} from "./repro-all.js";
