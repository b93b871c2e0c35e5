// The dependency rule between workspace packages (docs/architecture.md, "Packages and the direction of
// dependencies"), checked by `npm run lint` through dependency-cruiser. Package imports are resolved through
// the "@aflora/source" export condition, so `@aflora/x` lands in packages/x/src like a relative path would.
// Tests may use the other package as a devDependency (an integration test of the controller with real scorers);
// shipped code, repro suites included, may not.
const TESTS = "\\.spec\\.ts$|^packages/[^/]+/test/";

/** @type {import('dependency-cruiser').IConfiguration} */
const config = {
  forbidden: [
    {
      name: "core-imports-no-plugin",
      comment: "Every arrow points at @aflora/core: core imports no other workspace package.",
      severity: "error",
      from: { path: "^packages/core/" },
      to: { path: "^packages/(?!core/)[^/]+/" },
    },
    {
      name: "scorer-not-scheduler",
      comment: "The scorer and the scheduler never import each other (the controller takes scorers through core).",
      severity: "error",
      from: { path: "^packages/scorer/", pathNot: TESTS },
      to: { path: "^packages/scheduler/" },
    },
    {
      name: "scheduler-not-scorer",
      comment: "The scorer and the scheduler never import each other (the controller takes scorers through core).",
      severity: "error",
      // Entry scripts of the repro target compose packages as the CLI does; types alone are no dependency.
      from: {
        path: "^packages/scheduler/",
        pathNot: `${TESTS}|^packages/scheduler/src/repro/(main|decoder-main)\\.ts$`,
      },
      to: { path: "^packages/scorer/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "nothing-imports-cli",
      comment: "The cli composes everything; no package depends on it.",
      severity: "error",
      from: { path: "^packages/(?!cli/)[^/]+/" },
      to: { path: "^packages/cli/" },
    },
    {
      name: "no-reaching-into-another-package",
      comment: "Import another package by its name (and its exports), never by a relative path into its files.",
      severity: "error",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/", pathNot: "^packages/$1/", dependencyTypes: ["local"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|fixtures|vendor|coverage)/" },
    tsPreCompilationDeps: "specify",
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@aflora/source", "import", "require", "node", "default"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types"],
    },
  },
};

module.exports = config;
