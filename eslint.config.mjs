// Lint for the whole workspace: type-aware typescript-eslint on TypeScript, the JS recommended set on
// plain JavaScript, and eslint-config-prettier last so that formatting is Prettier's alone.
// The dependency rule between packages is checked by dependency-cruiser (.dependency-cruiser.cjs).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/coverage/**",
      ".nx/**",
      "fixtures/**",
      "**/fixtures/**",
      "**/vendor/**",
      "**/results/**",
      "tools/bench/peer/**",
      "runs/**",
      "aflora-runs/**",
      "repro-reports/**",
      "**/test-artifacts/**",
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.cts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Each package's tsconfig.spec.json (src + tests, "@aflora/source" resolution: no build needed) and
      // tsconfig.tools.json for the rest. Not projectService: it needs a tsconfig.json beside the code, and a root
      // tsconfig.json would also change how vitest (oxc) compiles every spec (useDefineForClassFields).
      parserOptions: {
        project: ["./packages/*/tsconfig.spec.json", "./tsconfig.tools.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // tf.js and JSON/zod boundaries hand out `any` (tensor dataSync, parsed files, checkpoints); each one
      // is narrowed where it is used, and typing every pass-through would be churn without safety.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      // Template literals with numbers/unknowns are how error messages name the offending value.
      "@typescript-eslint/restrict-template-expressions": "off",
      // `${x}` on objects with a custom toString (paths, URLs, errors) is deliberate.
      "@typescript-eslint/no-base-to-string": "off",
      // Plugin interfaces are async by contract; a sync implementation of `async` hooks is fine.
      "@typescript-eslint/require-await": "off",
      // Unused values are errors, except names that start with "_" (documenting a skipped argument).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // The code indexes arrays with `a[i]!` as if noUncheckedIndexedAccess were on (the intent is kept for the
      // day it is); the rule calls those `!` unnecessary under the current tsconfig.
      "@typescript-eslint/no-unnecessary-type-assertion": "off",
      // Promises handed to event emitters / rxjs subscribers are awaited elsewhere (run loop, shutdown).
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
    },
  },
  {
    files: ["**/*.spec.ts", "**/*.test.ts", "e2e/**/*.ts", "**/test/**/*.ts"],
    rules: {
      // `expect(obj.method).toHaveBeenCalled()` and vi.fn() mocks pass methods around unbound on purpose.
      "@typescript-eslint/unbound-method": "off",
      // Tests build hostile inputs with `as any` / non-null assertions.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["packages/dashboard/public/**/*.js"],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier,
);
