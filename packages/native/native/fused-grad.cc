// Fused backward kernels (@aflora/core's FusedKernels): GELU's and LayerNorm's input gradients in
// one threaded pass over the wasm heap instead of 8–10 elementwise ops and their temporaries.
// Each element (GELU) or row (LayerNorm) is computed the same whatever the thread split.

// GCC keeps this file's selects as branches (no vectorization) unless it may assume FP exceptions
// are not observed; no value changes. Clang if-converts them anyway.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "parallel.h"

// An AVX2 copy of the hot loops beside the baseline one, picked at load time (ifunc). AVX2 without
// FMA runs the same float operations in the same order, so both give bit-identical results.
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define AFLORA_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef AFLORA_CLONES
#define AFLORA_CLONES
#endif

namespace aflora {

namespace {

// exp(x) for x ≤ 88: Cephes' expf polynomial (≈1 ulp) scaled by 2^n through the exponent bits;
// 0 below −87.3 (where expf is subnormal). No calls or branches, so loops over it vectorize.
inline float ExpApprox(float x) {
  const bool tiny = x < -87.3f;
  float c = tiny ? -87.3f : x;
  c = c > 88.0f ? 88.0f : c;
  const float n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(c/ln 2) via 1.5·2^23
  const float r = (c - n * 0.693359375f) + n * 2.12194440e-4f;           // c − n·ln 2, Cody–Waite
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  const int32_t bits = tiny ? 0 : (static_cast<int32_t>(n) + 127) << 23;  // scale 0 when tiny
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

// GELU′(x) = Φ(x) + x·φ(x), with Φ(−|x|) = erfc(z)/2, z = |x|/√2, from erf's Taylor series for
// z < 0.5 (8 terms, truncation < 1e-9) and Numerical Recipes' erfc = t·exp(−z² + P(t)),
// t = 1/(1 + z/2), relative error < 1.2e-7, beyond. Max error over x ∈ [−20, 20] against float64:
// 1.4e-7 (glibc's erff/expf composed as the ops fallback does: 1.3e-7), ~5× faster than erff.
inline float GeluDerivative(float x) {
  const float e = ExpApprox(-0.5f * x * x);  // √(2π)·φ(x) = exp(−z²)
  const float z = std::fabs(x) * 0.70710678118654752440f;
  const float z2 = z * z;
  float s = -1.492565035840625e-05f;
  s = s * z2 + 1.2055332981789664e-04f;
  s = s * z2 - 8.548327023450852e-04f;
  s = s * z2 + 5.223977625442188e-03f;
  s = s * z2 - 2.6866170645131252e-02f;
  s = s * z2 + 1.1283791670955126e-01f;
  s = s * z2 - 3.7612638903183754e-01f;
  s = s * z2 + 1.1283791670955126f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float fromSeries = 0.5f - 0.5f * (s * z);
  const float fromErfc = 0.5f * t * e * ExpApprox(p);
  const float lower = z < 0.5f ? fromSeries : fromErfc;  // Φ(−|x|)
  const float upper = 1.0f - lower;
  const float cdf = x < 0.0f ? lower : upper;
  return cdf + x * (e * 0.39894228040143267794f);
}

AFLORA_CLONES void GeluGradRange(const float* dy, const float* x, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) out[i] = dy[i] * GeluDerivative(x[i]);
}

bool CheckFloat32(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) return true;
  Napi::TypeError::New(env, std::string(what) + " must be a Float32Array").ThrowAsJavaScriptException();
  return false;
}

// geluGrad(dy, x, out): out = dy ⊙ (Φ(x) + x·φ(x)), exact (erf) GELU.
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckFloat32(env, info[0], "geluGrad: dy") || !CheckFloat32(env, info[1], "geluGrad: x") ||
      !CheckFloat32(env, info[2], "geluGrad: out"))
    return env.Undefined();
  auto dy = info[0].As<Napi::Float32Array>();
  auto x = info[1].As<Napi::Float32Array>();
  auto out = info[2].As<Napi::Float32Array>();
  const int64_t n = static_cast<int64_t>(out.ElementLength());
  if (static_cast<int64_t>(dy.ElementLength()) != n || static_cast<int64_t>(x.ElementLength()) != n) {
    Napi::RangeError::New(env, "geluGrad: dy, x and out lengths differ").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* g = dy.Data();
  const float* s = x.Data();
  float* d = out.Data();
  ParallelFor(n, [g, s, d](int64_t lo, int64_t hi) { GeluGradRange(g, s, d, lo, hi); });
  return env.Undefined();
}

// layerNormGrad(dy, xhat, rstd, weight, rows, h, out): per row, with g = dy ⊙ weight,
// out = rstd ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)).
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckFloat32(env, info[0], "layerNormGrad: dy") || !CheckFloat32(env, info[1], "layerNormGrad: xhat") ||
      !CheckFloat32(env, info[2], "layerNormGrad: rstd") || !CheckFloat32(env, info[3], "layerNormGrad: weight") ||
      !CheckFloat32(env, info[6], "layerNormGrad: out"))
    return env.Undefined();
  auto dy = info[0].As<Napi::Float32Array>();
  auto xhat = info[1].As<Napi::Float32Array>();
  auto rstd = info[2].As<Napi::Float32Array>();
  auto weight = info[3].As<Napi::Float32Array>();
  const int64_t rows = info[4].As<Napi::Number>().Int64Value();
  const int64_t h = info[5].As<Napi::Number>().Int64Value();
  auto out = info[6].As<Napi::Float32Array>();
  const int64_t n = rows * h;
  if (rows < 0 || h < 1 || static_cast<int64_t>(dy.ElementLength()) != n ||
      static_cast<int64_t>(xhat.ElementLength()) != n || static_cast<int64_t>(out.ElementLength()) != n ||
      static_cast<int64_t>(rstd.ElementLength()) != rows || static_cast<int64_t>(weight.ElementLength()) != h) {
    Napi::RangeError::New(env, "layerNormGrad: expected dy, xhat, out [rows, h], rstd [rows], weight [h]")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* pdy = dy.Data();
  const float* px = xhat.Data();
  const float* pr = rstd.Data();
  const float* pw = weight.Data();
  float* pd = out.Data();
  ParallelFor(
      rows,
      [=](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; r++) {
          const float* gy = pdy + r * h;
          const float* xr = px + r * h;
          float* dr = pd + r * h;
          // Row sums in double: a float32 running sum over H loses ~log2(H) bits, landing on every dx.
          double sumG = 0, sumGx = 0;
          for (int64_t j = 0; j < h; j++) {
            const float g = gy[j] * pw[j];
            sumG += g;
            sumGx += static_cast<double>(g) * xr[j];
          }
          const float meanG = static_cast<float>(sumG / h);
          const float meanGx = static_cast<float>(sumGx / h);
          const float s = pr[r];
          for (int64_t j = 0; j < h; j++) dr[j] = s * (gy[j] * pw[j] - meanG - xr[j] * meanGx);
        }
      },
      h);
  return env.Undefined();
}

}  // namespace

void RegisterFusedGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
}

}  // namespace aflora
