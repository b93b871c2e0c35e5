// Layout and elementwise kernels that the training step spends time in outside matmuls.
#pragma once
#include <napi.h>

namespace aflora {
void RegisterKernels(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterFusedGrad(Napi::Env env, Napi::Object exports);
void RegisterAdamW(Napi::Env env, Napi::Object exports);
int& ElementwiseThreads();
}  // namespace aflora
