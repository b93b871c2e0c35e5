// Fused backward kernels (@aflora/core's FusedKernels): GELU's and LayerNorm's input gradients in
// one threaded pass over the wasm heap instead of 8–10 elementwise ops and their temporaries.
// Each element (GELU) or row (LayerNorm) is computed the same whatever the thread split.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "parallel.h"

namespace aflora {

namespace {

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
  ParallelFor(n, [g, s, d](int64_t lo, int64_t hi) {
    constexpr float kSqrtHalf = 0.70710678118654752440f;
    constexpr float kInvSqrt2Pi = 0.39894228040143267794f;
    for (int64_t i = lo; i < hi; i++) {
      const float v = s[i];
      const float cdf = 0.5f * (1.0f + std::erf(v * kSqrtHalf));
      const float pdf = std::exp(-0.5f * v * v) * kInvSqrt2Pi;
      d[i] = g[i] * (cdf + v * pdf);
    }
  });
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
