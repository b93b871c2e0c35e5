#!/usr/bin/env node
// The sweep commands (run, status, report, worker) from the compiled package in dist/.
const { sweepMain } = await import("../dist/program.js");
process.exitCode = await sweepMain(process.argv);
