// The "./repro" subpath: numerical parity of every encoder with Hugging Face Transformers (fixtures/hf-parity).
export {
  formatParityResult,
  listParityFixtures,
  loadParityBatches,
  PARITY_TOLERANCE,
  printParityResults,
  runEncoderParity,
  type FixtureParityResult,
  type ParityCheck,
  type ParityOptions,
} from "./parity.js";
