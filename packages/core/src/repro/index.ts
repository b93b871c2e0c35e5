// The "./repro" subpath: the shared command-line entry every package's repro main uses.
export { reproEntry, runReproMain, type ReproMainOptions, type ReproResult } from "./repro-main.js";
