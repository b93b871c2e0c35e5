import { join } from "node:path";
import { formatParityResult, runEncoderParity } from "@aflora/encoder/repro";
import { selectBackend } from "@aflora/core";
import type { SuiteResult } from "./suite.js";

/** Hugging Face parity of every encoder in fixtures/hf-parity (logits, loss, hidden states, gradients). */
export async function encoderSuite(fixtures: string): Promise<SuiteResult> {
  const backend = await selectBackend("auto");
  const results = await runEncoderParity(join(fixtures, "hf-parity"), { backend });
  const failed = results.filter((r) => !r.pass).length;
  const lines = results.map(formatParityResult);
  lines.push(failed === 0 ? `all ${results.length} fixtures pass` : `${failed} of ${results.length} fixtures FAIL`);
  return { ok: failed === 0 && results.length > 0, text: lines.join("\n") };
}
