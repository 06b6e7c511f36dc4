#include "base/engine_instance.h"

namespace sv {

namespace {
const char kEngineMarker = 0;  // one per copy of the library; only its address matters
}  // namespace

uintptr_t engineInstance() {
    return reinterpret_cast<uintptr_t>(&kEngineMarker);
}

}  // namespace sv
