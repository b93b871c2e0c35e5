// Runtime-loaded CBLAS: dlopen()ed, never linked, so a missing library cannot break the build.
#pragma once
#include <string>
#include <vector>

namespace aflora {

enum { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };

using SgemmFn = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                         const float* b, int ldb, float beta, float* c, int ldc);

struct Blas {
  std::string path;    // what dlopen() was given
  std::string vendor;  // openblas | blis | mkl | accelerate | cblas
  SgemmFn sgemm = nullptr;
  void (*setIntThreads)(int) = nullptr;       // OpenBLAS, MKL
  void (*setLongThreads)(long) = nullptr;     // BLIS (dim_t)
  int (*getIntThreads)() = nullptr;
  long (*getLongThreads)() = nullptr;
  std::string config;  // openblas_get_config(), when present
};

// Tries each candidate in order; on success fills `out` and returns true, else appends one line per failure.
bool LoadBlas(const std::vector<std::string>& candidates, Blas* out, std::vector<std::string>* failures);
void SetThreads(const Blas& blas, int n);
int GetThreads(const Blas& blas);

}  // namespace aflora
