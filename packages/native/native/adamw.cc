// @aflora/core's AdamW update of one parameter in one pass ("AfloraAdamWStep") instead of ~12
// tfjs kernels and their temporaries. It must give the same bits as those kernels: every step is
// one float32 operation, in the ops' order, on the same float32 scalars; no FMA contraction (a
// fused multiply-add rounds once where the ops round twice), no reassociation, IEEE sqrtf.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "parallel.h"

namespace aflora {

namespace {

// The scalars AdamW.step passes to the ops, already rounded to float32 (tfjs makes a float32
// scalar tensor of each JS number).
struct AdamWScalars {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps;
  // adamw_torch: 1 − lr·wd, √(1 − β2ᵗ), lr / (1 − β1ᵗ). adamw_hf: lr·√(1 − β2ᵗ) / (1 − β1ᵗ), lr·wd.
  float decayFactor, bc2Sqrt, stepSize;
  bool decay;
};

// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g².
inline void Moments(const AdamWScalars& s, float g, float m0, float v0, float* m, float* v) {
  const float mScaled = m0 * s.beta1;
  const float gScaled = g * s.oneMinusBeta1;
  *m = mScaled + gScaled;
  const float vScaled = v0 * s.beta2;
  const float g2 = g * g;
  const float g2Scaled = g2 * s.oneMinusBeta2;
  *v = vScaled + g2Scaled;
}

// adamw_torch: p ← (decay ? p·(1 − lr·wd) : p) − (m / (√v / √(1−β2ᵗ) + ε)) · (lr / (1−β1ᵗ)).
void TorchRange(const AdamWScalars s, const float* p, const float* g, const float* m0, const float* v0, float* pOut,
                float* mOut, float* vOut, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) {
    float m, v;
    Moments(s, g[i], m0[i], v0[i], &m, &v);
    const float decayed = s.decay ? p[i] * s.decayFactor : p[i];
    const float root = std::sqrt(v);
    const float scaledRoot = root / s.bc2Sqrt;
    const float denom = scaledRoot + s.eps;
    const float ratio = m / denom;
    const float update = ratio * s.stepSize;
    pOut[i] = decayed - update;
    mOut[i] = m;
    vOut[i] = v;
  }
}

// adamw_hf: u = p − (m / (√v + ε)) · (lr·√(1−β2ᵗ) / (1−β1ᵗ)); p ← decay ? u − u·(lr·wd) : u.
void HfRange(const AdamWScalars s, const float* p, const float* g, const float* m0, const float* v0, float* pOut,
             float* mOut, float* vOut, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) {
    float m, v;
    Moments(s, g[i], m0[i], v0[i], &m, &v);
    const float root = std::sqrt(v);
    const float denom = root + s.eps;
    const float ratio = m / denom;
    const float update = ratio * s.stepSize;
    const float updated = p[i] - update;
    if (s.decay) {
      const float decrement = updated * s.decayFactor;
      pOut[i] = updated - decrement;
    } else {
      pOut[i] = updated;
    }
    mOut[i] = m;
    vOut[i] = v;
  }
}

bool GetFloat32(const Napi::Env& env, const Napi::Value& v, const char* what, Napi::Float32Array* out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(env, std::string("adamwStep: ") + what + " must be a Float32Array")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Float32Array>();
  return true;
}

// adamwStep(hf, param, grad, expAvg, expAvgSq, paramOut, expAvgOut, expAvgSqOut, scalars):
// scalars = [β1, 1−β1, β2, 1−β2, ε, decayFactor, √(1−β2ᵗ), stepSize, decay (0/1)], float32 values.
Napi::Value AdamWStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9 || !info[8].IsArray()) {
    Napi::TypeError::New(env, "adamwStep expects 9 arguments, the last an array of 9 numbers")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool hf = info[0].ToBoolean();
  static const char* const kNames[] = {"param", "grad", "expAvg", "expAvgSq", "paramOut", "expAvgOut", "expAvgSqOut"};
  Napi::Float32Array a[7];
  for (int k = 0; k < 7; k++)
    if (!GetFloat32(env, info[k + 1], kNames[k], &a[k])) return env.Undefined();
  const size_t n = a[0].ElementLength();
  for (int k = 1; k < 7; k++) {
    if (a[k].ElementLength() != n) {
      Napi::RangeError::New(env, "adamwStep: param, grad, moments and outputs differ in length")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  auto list = info[8].As<Napi::Array>();
  if (list.Length() != 9) {
    Napi::TypeError::New(env, "adamwStep: scalars must hold 9 numbers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  float f[9];
  for (uint32_t k = 0; k < 9; k++) f[k] = list.Get(k).As<Napi::Number>().FloatValue();
  const AdamWScalars s{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] != 0.0f};
  const float* p = a[0].Data();
  const float* g = a[1].Data();
  const float* m0 = a[2].Data();
  const float* v0 = a[3].Data();
  float* pOut = a[4].Data();
  float* mOut = a[5].Data();
  float* vOut = a[6].Data();
  // ~8 reads and writes and a sqrt and two divisions per element.
  ParallelFor(
      static_cast<int64_t>(n),
      [=](int64_t lo, int64_t hi) {
        if (hf)
          HfRange(s, p, g, m0, v0, pOut, mOut, vOut, lo, hi);
        else
          TorchRange(s, p, g, m0, v0, pOut, mOut, vOut, lo, hi);
      },
      4);
  return env.Undefined();
}

}  // namespace

void RegisterAdamW(Napi::Env env, Napi::Object exports) { exports.Set("adamwStep", Napi::Function::New(env, AdamWStep)); }

}  // namespace aflora
