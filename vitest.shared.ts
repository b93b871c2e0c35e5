import { fileURLToPath } from "node:url";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Shared by every package: tests run against src/ (no build needed) through the
// "@aflora/source" export condition, and decorators are compiled the legacy way
// because tsyringe needs experimentalDecorators.
export const sharedConfig = defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } } as never,
  resolve: { conditions: ["@aflora/source"] },
  ssr: { resolve: { conditions: ["@aflora/source", ...defaultServerConditions] } },
  test: {
    environment: "node",
    globalSetup: [fileURLToPath(new URL("./tools/vitest/temp-root.ts", import.meta.url))],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
  },
});
