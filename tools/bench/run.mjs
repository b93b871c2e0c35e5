#!/usr/bin/env node
// node tools/bench/run.mjs [options]   (same as `npm run bench` / `aflora bench`; --help lists options)
import { benchMain } from "./src/run-bench.mjs";

process.exitCode = await benchMain(process.argv.slice(2));
