// The "./repro" subpath: LLaMA parity with Hugging Face Transformers (fixtures/hf-parity-decoder).
export { checkDecoderFixture, DECODER_TOLERANCE, listDecoderFixtures, type DecoderFixtureResult } from "./parity.js";
export type { DecoderParityCheck } from "./parity-checks.js";
export { DECODER_FIXTURES_FOLDER, formatDecoderResults, runDecoderRepro, type DecoderReproOptions } from "./suite.js";
