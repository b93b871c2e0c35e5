// The "./testing" subpath: a deterministic BERT-shaped tokenizer for tests and benchmarks (not any model's).
export { WhitespaceTokenizer } from "./whitespace-tokenizer.js";
