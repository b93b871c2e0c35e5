#include "kernels.h"

#include <algorithm>
#include <cstddef>

namespace aflora {

namespace {

constexpr int kTile = 32;

// transpose(x, batch, rows, cols, out): out[p][j][i] = x[p][i][j], in cache-sized tiles.
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = info[0].As<Napi::Float32Array>();
  const int64_t batch = info[1].As<Napi::Number>().Int64Value();
  const int64_t rows = info[2].As<Napi::Number>().Int64Value();
  const int64_t cols = info[3].As<Napi::Number>().Int64Value();
  auto out = info[4].As<Napi::Float32Array>();
  const size_t need = static_cast<size_t>(batch * rows * cols);
  if (x.ElementLength() < need || out.ElementLength() < need) {
    Napi::RangeError::New(env, "transpose: arrays shorter than batch·rows·cols").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* src = x.Data();
  float* dst = out.Data();
  for (int64_t p = 0; p < batch; p++) {
    const float* s = src + p * rows * cols;
    float* d = dst + p * rows * cols;
    for (int64_t i0 = 0; i0 < rows; i0 += kTile) {
      const int64_t i1 = std::min(i0 + kTile, rows);
      for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
        const int64_t j1 = std::min(j0 + kTile, cols);
        for (int64_t j = j0; j < j1; j++) {
          for (int64_t i = i0; i < i1; i++) d[j * rows + i] = s[i * cols + j];
        }
      }
    }
  }
  return env.Undefined();
}

// sumRows(x, rows, n, out): out[j] = Σ_i x[i][j] (float32 accumulation in row order, like the wasm kernel).
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = info[0].As<Napi::Float32Array>();
  const int64_t rows = info[1].As<Napi::Number>().Int64Value();
  const int64_t n = info[2].As<Napi::Number>().Int64Value();
  auto out = info[3].As<Napi::Float32Array>();
  if (x.ElementLength() < static_cast<size_t>(rows * n) || out.ElementLength() < static_cast<size_t>(n)) {
    Napi::RangeError::New(env, "sumRows: arrays shorter than rows·n").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* s = x.Data();
  float* d = out.Data();
  std::fill(d, d + n, 0.0f);
  for (int64_t i = 0; i < rows; i++) {
    const float* r = s + i * n;
    for (int64_t j = 0; j < n; j++) d[j] += r[j];
  }
  return env.Undefined();
}

}  // namespace

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("sumRows", Napi::Function::New(env, SumRows));
}

}  // namespace aflora
