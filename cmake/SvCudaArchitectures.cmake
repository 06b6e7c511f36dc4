# Default CUDA architectures: the cards artists own (Ampere sm_86, Ada sm_89, Hopper sm_90a, Blackwell sm_120 when
# the toolkit knows it). Override with -DCMAKE_CUDA_ARCHITECTURES=...
function(sv_default_cuda_architectures out)
  set(archs 86-real 89-real 90a-real)
  if(CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.8)
    list(APPEND archs 120-real)
  endif()
  # PTX for the newest one so future cards can JIT.
  list(APPEND archs 90a-virtual)
  set(${out} "${archs}" PARENT_SCOPE)
endfunction()
