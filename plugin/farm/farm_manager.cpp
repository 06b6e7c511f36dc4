#include "plugin/farm/farm_manager.h"

#include "base/error.h"
#include "plugin/farm/slurm_manager.h"

namespace sv::farm {

// Another manager adds its name here and its class beside slurm_manager.{h,cpp}.
std::unique_ptr<FarmManager> makeFarmManager(std::string_view name, CommandRunner runner) {
    if (name == "slurm") return std::make_unique<SlurmManager>(std::move(runner));
    std::string known;
    for (const std::string& n : farmManagerNames()) known += (known.empty() ? "" : ", ") + n;
    fail("unknown farm manager \"", name, "\" (known: ", known, ")");
}

std::vector<std::string> farmManagerNames() {
    return {"slurm"};
}

}  // namespace sv::farm
