// The node interface a node pack implements, and the context the executor gives a node while it runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/cancelled.h"
#include "plugin/sdk/value.h"
#include "plugin/sdk/value_map.h"

namespace sv::plugin {

enum class LogLevel : uint8_t { Debug, Info, Warning, Error };
std::string_view logLevelName(LogLevel l);  ///< "debug", "info", "warning", "error"

/// Services for a running node. Implemented by the executor (and by TestNodeContext for unit tests of nodes).
/// All methods are called from the executor's worker thread, the one evaluate() runs on.
class NodeContext {
  public:
    virtual ~NodeContext() = default;

    /// Reports step k of n (0 <= k <= n). The executor adds an ETA and emits nodeProgress.
    virtual void progress(int64_t k, int64_t n) = 0;
    /// Emits a live preview image (nodePreview), e.g. a latent → RGB projection after each sampler step.
    virtual void preview(PreviewImage image) = 0;
    /// Shows a value in the preview pane (nodeDisplay event): Preview Video calls this with its VIDEO input.
    virtual void display(const Value& value) = 0;
    /// True once the run was asked to stop. Long nodes poll this between steps / frames.
    virtual bool isCancelled() const = 0;
    /// Throws sv::Cancelled when isCancelled(). A node stopped early must throw rather than return partial
    /// outputs. (sv::Cancelled is what the engine throws when a step callback asks it to stop, so a node may
    /// let that propagate too; the executor turns either into a cancelled run.)
    void throwIfCancelled() const {
        if (isCancelled()) throw sv::Cancelled();
    }
    /// Writes a line to the run log (nodeLog event; the CLI prints it on stderr).
    virtual void log(LogLevel level, std::string_view text) = 0;

    /// The folder output nodes write into (exists; created by the executor).
    virtual const std::filesystem::path& outputDir() const = 0;
    /// Id of the node being evaluated (as in the document).
    virtual const std::string& nodeId() const = 0;
    /// The cache key of this evaluation: hash(type, version, params, fingerprint, input identities). Stable
    /// across runs for the same computation; usable for naming or deduplicating side outputs.
    virtual uint64_t cacheKey() const = 0;
    /// The document being run, serialized as JSON text (with command-line overrides applied): what Save Video
    /// embeds in the files it writes.
    virtual const std::string& graphJson() const = 0;
    /// Asks the executor to drop cached values (GPU-heavy first) until `bytesNeeded` bytes were released or
    /// nothing is left to drop; returns the bytes released from the cache (memory frees only when no one else
    /// holds them).
    virtual size_t releaseCachedMemory(size_t bytesNeeded) = 0;
};

/// A node implementation. The executor creates a fresh instance (through the registry's factory) for every
/// evaluation, so nodes keep no state between runs: everything worth keeping is an output value, which the
/// executor caches.
class Node {
  public:
    virtual ~Node() = default;

    /// Computes the outputs from the inputs and parameters.
    /// `inputs`: one entry per connected input port (optional unconnected inputs are absent).
    /// `params`: every parameter of the descriptor, defaults filled in, already range-checked.
    /// Returns one entry per output port of the descriptor, with values of the port's type (checked by the
    /// executor). Throws sv::Error with a clear message on bad input, sv::Cancelled when cancelled.
    virtual ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) = 0;

    /// Extra cache-key material for state outside the inputs and parameters, e.g. a source file's size and
    /// modification time (see fileFingerprint()), so an edited file invalidates the cache. Default: none.
    virtual std::string fingerprint(const ValueMap& params) const {
        (void)params;
        return {};
    }
};

/// "size:mtime" of a file, or "" when it does not exist: a ready-made Node::fingerprint ingredient.
std::string fileFingerprint(const std::filesystem::path& path);

}  // namespace sv::plugin
