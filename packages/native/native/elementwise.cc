// Elementwise kernels the training step spends time in (softmax's exp, GELU's erf, the binary
// ops of LayerNorm, GELU's gradient and AdamW): plain float32 loops over the wasm heap, split
// across threads for large tensors. Each element's result is the same whatever the split.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <string>

#include "parallel.h"

namespace aflora {

int& ElementwiseThreads() {
  static int threads = 1;
  return threads;
}

namespace {

// unary(op, x, out): op 0 exp, 1 erf.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto x = info[1].As<Napi::Float32Array>();
  auto out = info[2].As<Napi::Float32Array>();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  if (out.ElementLength() != x.ElementLength()) {
    Napi::RangeError::New(env, "unary: input and output lengths differ").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* s = x.Data();
  float* d = out.Data();
  if (op == 0) {
    ParallelFor(n, [s, d](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = std::exp(s[i]);
    });
  } else if (op == 1) {
    ParallelFor(n, [s, d](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = std::erf(s[i]);
    });
  } else {
    Napi::RangeError::New(env, "unary: unknown op").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

template <typename Op>
void Broadcast(const float* a, int64_t na, const float* b, int64_t nb, float* d, int64_t n, Op op) {
  // Each operand is full length, a scalar, or a trailing block repeated over rows. The loops are
  // branch-free and contiguous so the compiler vectorizes them.
  if (na == n && nb == n) {
    ParallelFor(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = op(a[i], b[i]);
    });
  } else if (nb == 1) {
    const float v = b[0];
    ParallelFor(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = op(a[i], v);
    });
  } else if (na == 1) {
    const float v = a[0];
    ParallelFor(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = op(v, b[i]);
    });
  } else if (na == n) {
    ParallelFor(n / nb, [=](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) {
        const float* ar = a + r * nb;
        float* dr = d + r * nb;
        for (int64_t j = 0; j < nb; j++) dr[j] = op(ar[j], b[j]);
      }
    }, nb);
  } else {
    ParallelFor(n / na, [=](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) {
        const float* br = b + r * na;
        float* dr = d + r * na;
        for (int64_t j = 0; j < na; j++) dr[j] = op(a[j], br[j]);
      }
    }, na);
  }
}

// binary(op, a, b, out): op 0 add, 1 sub, 2 mul, 3 div; a and b have out's length or divide it
// (trailing-dims broadcast, checked by the caller).
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto a = info[1].As<Napi::Float32Array>();
  auto b = info[2].As<Napi::Float32Array>();
  auto out = info[3].As<Napi::Float32Array>();
  const int64_t n = static_cast<int64_t>(out.ElementLength());
  const int64_t na = static_cast<int64_t>(a.ElementLength());
  const int64_t nb = static_cast<int64_t>(b.ElementLength());
  if (na == 0 || nb == 0 || n % na != 0 || n % nb != 0) {
    Napi::RangeError::New(env, "binary: operand lengths must divide the output's").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* pa = a.Data();
  const float* pb = b.Data();
  float* d = out.Data();
  switch (op) {
    case 0: Broadcast(pa, na, pb, nb, d, n, [](float x, float y) { return x + y; }); break;
    case 1: Broadcast(pa, na, pb, nb, d, n, [](float x, float y) { return x - y; }); break;
    case 2: Broadcast(pa, na, pb, nb, d, n, [](float x, float y) { return x * y; }); break;
    case 3: Broadcast(pa, na, pb, nb, d, n, [](float x, float y) { return x / y; }); break;
    default: Napi::RangeError::New(env, "binary: unknown op").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// permute(x, shape: number[], perm: number[], out): out = transpose(x, perm), any rank ≤ 8.
// Copies whole rows when the innermost axis stays; element by element otherwise.
Napi::Value Permute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = info[0].As<Napi::Float32Array>();
  auto shapeArr = info[1].As<Napi::Array>();
  auto permArr = info[2].As<Napi::Array>();
  auto out = info[3].As<Napi::Float32Array>();
  const int r = static_cast<int>(shapeArr.Length());
  if (r < 1 || r > 8 || static_cast<int>(permArr.Length()) != r) {
    Napi::RangeError::New(env, "permute: rank must be 1..8 and match perm").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int64_t shape[8], perm[8], inStride[8], outShape[8], stride[8], idx[8] = {0};
  for (int i = 0; i < r; i++) {
    shape[i] = shapeArr.Get(i).As<Napi::Number>().Int64Value();
    perm[i] = permArr.Get(i).As<Napi::Number>().Int64Value();
  }
  inStride[r - 1] = 1;
  for (int i = r - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * shape[i + 1];
  int64_t total = 1;
  for (int i = 0; i < r; i++) {
    outShape[i] = shape[perm[i]];
    stride[i] = inStride[perm[i]];
    total *= shape[i];
  }
  if (static_cast<int64_t>(x.ElementLength()) < total || static_cast<int64_t>(out.ElementLength()) < total) {
    Napi::RangeError::New(env, "permute: arrays shorter than the shape").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* s = x.Data();
  float* d = out.Data();
  const bool rows = perm[r - 1] == r - 1;
  const int64_t inner = rows ? outShape[r - 1] : 1;
  const int outer = rows ? r - 1 : r;
  int64_t offset = 0;
  for (int64_t o = 0; o < total; o += inner) {
    if (rows) std::memcpy(d + o, s + offset, inner * sizeof(float));
    else d[o] = s[offset];
    for (int a = outer - 1; a >= 0; a--) {
      offset += stride[a];
      if (++idx[a] < outShape[a]) break;
      offset -= stride[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return env.Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("permute", Napi::Function::New(env, Permute));
}

}  // namespace aflora
