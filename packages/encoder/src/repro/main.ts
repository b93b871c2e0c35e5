/**
 * `npm run repro` / `nx run @aflora/encoder:repro`: checks every fixture folder under the
 * given directory on the wasm and cpu backends, one PASS/FAIL line each; exit code 1 on failure.
 * Usage: node dist/repro/main.js <fixturesDir> [--backend wasm|cpu]...
 */
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { printParityResults, runEncoderParity } from "./parity.js";

async function main(argv: string[]): Promise<number> {
  const dir = argv.find((a, i) => !a.startsWith("--") && argv[i - 1] !== "--backend");
  const backends = argv.flatMap((a, i) => (argv[i - 1] === "--backend" ? [a] : []));
  if (!dir) {
    console.error("usage: node dist/repro/main.js <fixturesDir> [--backend wasm|cpu]...");
    return 2;
  }
  let ok = true;
  for (const backend of backends.length > 0 ? backends : ["wasm", "cpu"]) {
    ok = printParityResults(await runEncoderParity(dir, { backend })) && ok;
  }
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
