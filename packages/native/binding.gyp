{
  "targets": [
    {
      "target_name": "aflora_native",
      "sources": ["native/addon.cc", "native/blas.cc", "native/kernels.cc", "native/elementwise.cc", "native/fused-grad.cc", "native/adamw.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldl", "-lpthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
