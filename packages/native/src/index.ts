export { ADDON_PATH, loadAddon, type AddonLoadResult, type NativeAddon } from "./addon.js";
export { BLAS_ENV, NO_BLAS_HINT, blasCandidates, loadBlas, setBlasThreads, type BlasInfo } from "./blas.js";
export {
  NATIVE_BACKEND,
  nativeBackendRegistered,
  registerNativeBackend,
  type NativeBackendInfo,
  type RegisterNativeOptions,
} from "./native-backend.js";
