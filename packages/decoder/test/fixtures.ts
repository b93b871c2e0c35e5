import { fileURLToPath } from "node:url";

/** The repository's fixtures root (fixtures/hf-parity-decoder/ lies under it). */
export const FIXTURES_ROOT = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
export const DECODER_FIXTURES = fileURLToPath(new URL("../../../fixtures/hf-parity-decoder/", import.meta.url));
export const FIXTURE_NAMES = ["llama-tiny-gqa", "llama-tiny-mha", "llama-tiny-tied"] as const;

export function fixture(name: (typeof FIXTURE_NAMES)[number]): string {
  return `${DECODER_FIXTURES}${name}`;
}
