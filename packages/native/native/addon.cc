// @aflora/native: CBLAS sgemm (loaded at runtime) and a few layout kernels on Float32Arrays.
// The arrays may be views on TensorFlow.js's wasm heap: nothing is copied.
#include <napi.h>

#include <string>
#include <vector>

#include "blas.h"
#include "kernels.h"

namespace {

aflora::Blas g_blas;
bool g_loaded = false;

struct View {
  float* data;
  size_t length;
};

bool GetView(const Napi::Env& env, const Napi::Value& v, const char* name, View* out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(env, std::string(name) + " must be a Float32Array").ThrowAsJavaScriptException();
    return false;
  }
  auto arr = v.As<Napi::Float32Array>();
  out->data = arr.Data();
  out->length = arr.ElementLength();
  return true;
}

Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    Napi::TypeError::New(env, "load(candidates: string[])").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto list = info[0].As<Napi::Array>();
  std::vector<std::string> candidates;
  for (uint32_t i = 0; i < list.Length(); i++) candidates.push_back(list.Get(i).ToString().Utf8Value());
  std::vector<std::string> failures;
  aflora::Blas blas;
  auto result = Napi::Object::New(env);
  if (!aflora::LoadBlas(candidates, &blas, &failures)) {
    auto f = Napi::Array::New(env, failures.size());
    for (size_t i = 0; i < failures.size(); i++) f.Set(i, failures[i]);
    result.Set("failures", f);
    return result;
  }
  g_blas = blas;
  g_loaded = true;
  result.Set("path", blas.path);
  result.Set("vendor", blas.vendor);
  result.Set("config", blas.config);
  result.Set("threads", aflora::GetThreads(blas));
  return result;
}

bool RequireBlas(const Napi::Env& env) {
  if (g_loaded) return true;
  Napi::Error::New(env, "@aflora/native: no BLAS loaded (call load() first)").ThrowAsJavaScriptException();
  return false;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (!RequireBlas(info.Env())) return info.Env().Undefined();
  const int n = info[0].As<Napi::Number>().Int32Value();
  aflora::SetThreads(g_blas, n);
  aflora::ElementwiseThreads() = n < 1 ? 1 : n;
  return Napi::Number::New(info.Env(), aflora::GetThreads(g_blas));
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  if (!RequireBlas(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), aflora::GetThreads(g_blas));
}

// Extent (in elements) of a row-major matrix of `rows` rows with leading dimension `ld` and `cols` used columns.
size_t Extent(int rows, int cols, int ld) { return rows == 0 ? 0 : static_cast<size_t>(rows - 1) * ld + cols; }

// sgemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
// C_p = alpha · op(A_p) · op(B_p) + beta · C_p for p < batch, row-major; X_p starts at p · strideX (0: shared).
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireBlas(env)) return env.Undefined();
  if (info.Length() != 17) {
    Napi::TypeError::New(env, "sgemm expects 17 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool ta = info[0].ToBoolean();
  const bool tb = info[1].ToBoolean();
  const int m = info[2].As<Napi::Number>().Int32Value();
  const int n = info[3].As<Napi::Number>().Int32Value();
  const int k = info[4].As<Napi::Number>().Int32Value();
  const float alpha = info[5].As<Napi::Number>().FloatValue();
  View a, b, c;
  if (!GetView(env, info[6], "a", &a)) return env.Undefined();
  const int lda = info[7].As<Napi::Number>().Int32Value();
  const int64_t sa = info[8].As<Napi::Number>().Int64Value();
  if (!GetView(env, info[9], "b", &b)) return env.Undefined();
  const int ldb = info[10].As<Napi::Number>().Int32Value();
  const int64_t sb = info[11].As<Napi::Number>().Int64Value();
  const float beta = info[12].As<Napi::Number>().FloatValue();
  if (!GetView(env, info[13], "c", &c)) return env.Undefined();
  const int ldc = info[14].As<Napi::Number>().Int32Value();
  const int64_t sc = info[15].As<Napi::Number>().Int64Value();
  const int batch = info[16].As<Napi::Number>().Int32Value();
  if (m < 0 || n < 0 || k < 0 || batch < 0 || sa < 0 || sb < 0 || sc < 0 || (ta ? lda < m : lda < k) ||
      (tb ? ldb < k : ldb < n) || ldc < n) {
    Napi::RangeError::New(env, "sgemm: bad sizes or leading dimensions").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (batch == 0 || m == 0 || n == 0) return env.Undefined();
  const size_t last = static_cast<size_t>(batch - 1);
  const size_t needA = last * sa + Extent(ta ? k : m, ta ? m : k, lda);
  const size_t needB = last * sb + Extent(tb ? n : k, tb ? k : n, ldb);
  const size_t needC = last * sc + Extent(m, n, ldc);
  if (needA > a.length || needB > b.length || needC > c.length) {
    Napi::RangeError::New(env, "sgemm: an operand is shorter than its sizes and strides need")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int opA = ta ? aflora::kTrans : aflora::kNoTrans;
  const int opB = tb ? aflora::kTrans : aflora::kNoTrans;
  for (int p = 0; p < batch; p++) {
    g_blas.sgemm(aflora::kRowMajor, opA, opB, m, n, k, alpha, a.data + p * sa, lda, b.data + p * sb, ldb, beta,
                 c.data + p * sc, ldc);
  }
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("load", Napi::Function::New(env, Load));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("sgemm", Napi::Function::New(env, Sgemm));
  aflora::RegisterKernels(env, exports);
  aflora::RegisterElementwise(env, exports);
  aflora::RegisterFusedGrad(env, exports);
  aflora::RegisterAdamW(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(aflora_native, Init)
