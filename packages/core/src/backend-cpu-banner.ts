import * as tf from "@tensorflow/tfjs-core";

/**
 * tfjs-backend-cpu prints a banner on its first tensor write in Node.js ("Hi, looks like you are
 * running TensorFlow.js in Node.js…", advertising tfjs-node). aflora chooses backends itself and says
 * how to get a faster one (`BackendSelection.hint`), so the banner is noise on the user's stderr.
 * The banner is guarded by the backend instance's `firstUse` flag; clearing it right after the
 * instance is created silences that one message and leaves every other tfjs warning
 * (`tf.enableProdMode()` would hide them all).
 */
export function silenceCpuBanner(): void {
  const cpu = tf.engine().registry["cpu"] as { firstUse?: boolean } | undefined;
  if (cpu && typeof cpu.firstUse === "boolean") cpu.firstUse = false;
}
