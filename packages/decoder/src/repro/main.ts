#!/usr/bin/env node
/**
 * `npm run repro` / `nx run @aflora/decoder:repro`: checks every folder of
 * <fixtures>/hf-parity-decoder/ on the wasm and cpu backends; exit code 1 on any mismatch.
 * Usage: node dist/repro/main.js [fixturesRoot] [--out <dir>]
 */
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { reproEntry } from "@aflora/core/repro";
import { runDecoderRepro } from "./suite.js";

reproEntry({
  packageName: "@aflora/decoder",
  reportName: "decoder",
  title: "LLaMA parity with Hugging Face Transformers",
  defaultFixtures: fileURLToPath(new URL("../../../../fixtures/", import.meta.url)),
  defaultOut: fileURLToPath(new URL("../../../../repro-reports/", import.meta.url)),
  run: (fixtures) => runDecoderRepro(fixtures ?? fileURLToPath(new URL("../../../../fixtures/", import.meta.url))),
});
