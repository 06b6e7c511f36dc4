// sv::Cancelled: thrown when the user stops a long operation (a step callback returned false, Ctrl-C in the
// CLI, Cancel in the editor). It derives from sv::Error so that code which only catches sv::Error still
// unwinds cleanly; catch sv::Cancelled first where a cancel must be told apart from a failure.
#pragma once

#include "base/error.h"

namespace sv {

class Cancelled : public Error {
  public:
    Cancelled() : Error("cancelled") {}
    using Error::Error;
};

}  // namespace sv
