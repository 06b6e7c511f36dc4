# Sourced by the scripts: puts the CUDA toolkit on PATH when it is installed (the build then compiles the CUDA
# backend; nothing runs on a GPU unless one is present).
if [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
