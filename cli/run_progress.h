// The progress `sanavideo generate` and `decode` print on stderr while their graph runs (only with
// SV_CLI_WITH_PLUGIN).
#pragma once
#ifdef SV_CLI_WITH_PLUGIN

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "plugin/exec/executor.h"
#include "plugin/sdk/node_registry.h"
#include "progress_bar.h"
#include "run_timings.h"

namespace sv::cli {

/// Progress on stderr: a bar while the Sampler, VAE Decode and Save Video count steps or frames, a line when
/// a node starts, and the nodes' log lines (but not the Save nodes' "wrote <staging folder>/...": the
/// command's summary names where the result went).
class ProgressPrinter {
  public:
    explicit ProgressPrinter(const plugin::NodeRegistry& registry) : registry_(registry) {}

    void operator()(const plugin::ExecutionEvent& e);

  private:
    void startBar(const std::string& id);
    void endBar();

    const plugin::NodeRegistry& registry_;
    std::optional<ProgressBar> bar_;
    std::string barNode_;
};

class CancelOnSignals;

/// runGraph (node_packs.h) into `outputDir` with a ProgressPrinter on stderr; every event also goes to
/// `timings` (--timings).
plugin::RunResult runWithProgress(plugin::Executor& executor, const plugin::GraphDocument& doc,
                                  const std::filesystem::path& outputDir, const CancelOnSignals& signals,
                                  std::string_view cmd, const plugin::NodeRegistry& registry,
                                  RunTimings& timings);

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
