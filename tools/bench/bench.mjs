#!/usr/bin/env node
// Entry of `aflora bench` and `npm run bench` (packages/cli runs this file); same as run.mjs.
import { benchMain } from "./src/run-bench.mjs";

process.exitCode = await benchMain(process.argv.slice(2));
