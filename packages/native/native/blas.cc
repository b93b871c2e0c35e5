#include "blas.h"

#include <dlfcn.h>

namespace aflora {

namespace {
template <typename T>
T Sym(void* handle, const char* name) {
  return reinterpret_cast<T>(dlsym(handle, name));
}
}  // namespace

bool LoadBlas(const std::vector<std::string>& candidates, Blas* out, std::vector<std::string>* failures) {
  for (const std::string& path : candidates) {
    // RTLD_LOCAL: the library's symbols stay out of the process's namespace (no clash with other BLAS users).
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* err = dlerror();
      failures->push_back(path + ": " + (err ? err : "dlopen failed"));
      continue;
    }
    auto sgemm = Sym<SgemmFn>(handle, "cblas_sgemm");
    if (!sgemm) {
      failures->push_back(path + ": no cblas_sgemm");
      dlclose(handle);
      continue;
    }
    Blas b;
    b.path = path;
    b.sgemm = sgemm;
    if (auto set = Sym<void (*)(int)>(handle, "openblas_set_num_threads")) {
      b.vendor = "openblas";
      b.setIntThreads = set;
      b.getIntThreads = Sym<int (*)()>(handle, "openblas_get_num_threads");
      if (auto cfg = Sym<char* (*)()>(handle, "openblas_get_config")) b.config = cfg();
    } else if (auto setBlis = Sym<void (*)(long)>(handle, "bli_thread_set_num_threads")) {
      b.vendor = "blis";
      b.setLongThreads = setBlis;
      b.getLongThreads = Sym<long (*)()>(handle, "bli_thread_get_num_threads");
    } else if (auto setMkl = Sym<void (*)(int)>(handle, "MKL_Set_Num_Threads")) {
      b.vendor = "mkl";
      b.setIntThreads = setMkl;
      b.getIntThreads = Sym<int (*)()>(handle, "MKL_Get_Max_Threads");
    } else if (path.find("Accelerate") != std::string::npos) {
      b.vendor = "accelerate";
    } else {
      b.vendor = "cblas";
    }
    *out = b;
    return true;
  }
  return false;
}

void SetThreads(const Blas& blas, int n) {
  if (blas.setIntThreads) blas.setIntThreads(n);
  if (blas.setLongThreads) blas.setLongThreads(n);
}

int GetThreads(const Blas& blas) {
  if (blas.getIntThreads) return blas.getIntThreads();
  if (blas.getLongThreads) return static_cast<int>(blas.getLongThreads());
  return 0;  // unknown (Accelerate, a plain CBLAS)
}

}  // namespace aflora
