// Which copy of the engine serves the caller. The engine is one shared library (libsv_core.so) loaded once
// per process, so the CLI, the editor and every node pack see the same value; a module that carried its own
// copy of the engine (with its own CPU thread pool and CUDA contexts) would see another one. For diagnostics
// and for the test that guards this.
#pragma once

#include <cstdint>

namespace sv {

/// An id of the loaded engine library: the address of an object that exists once per copy of sv_core.
/// Thread safety: pure.
uintptr_t engineInstance();

}  // namespace sv
