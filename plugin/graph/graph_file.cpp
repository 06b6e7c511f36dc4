#include "plugin/graph/graph_file.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/input_file.h"
#include "io/safetensors.h"
#include "media/video_writer.h"

namespace fs = std::filesystem;

namespace sv::plugin {

namespace {

std::string lowerExtension(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

/// The file's type, checked without opening it (stat): a FIFO or device must never be opened. Anything but a
/// regular file or folder is refused by io::requireInputFile's check, which names what it is ("is a named
/// pipe (FIFO), not a regular file", "is a character device").
fs::file_type kindOf(const fs::path& file) {
    std::error_code ec;
    const fs::file_status st = fs::status(file, ec);
    SV_CHECK(!ec || st.type() == fs::file_type::not_found, file.string(), ": cannot read (", ec.message(),
             ")");
    SV_CHECK(st.type() != fs::file_type::not_found, file.string(), ": no such file or folder");
    if (st.type() == fs::file_type::regular || st.type() == fs::file_type::directory) return st.type();
    const std::string ext = lowerExtension(file);
    io::requireInputFile(file, ext == ".safetensors" ? io::InputKind::Latent
                               : mayEmbedGraph(file) ? io::InputKind::Video
                                                     : io::InputKind::Graph);
    fail(file.string(), ": not a regular file or folder (a FIFO, device or socket cannot hold a graph)");
}

/// A regular file of at most kMaxGraphBytes, read whole through io::InputFile (opened non-blocking and
/// checked to be the file stat() saw, like every input; it caps graphs at the same size).
std::string readGraphTextFile(const fs::path& file) {
    SV_CHECK(kindOf(file) == fs::file_type::regular, file.string(), ": a folder, not a graph file");
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    SV_CHECK(ec || size <= kMaxGraphBytes, file.string(), ": ", size, " bytes, more than the ",
             kMaxGraphBytes, " a graph document may have");
    static_assert(kMaxGraphBytes <= 16 << 20, "io::InputKind::Graph caps graphs at 16 MiB too");
    return io::readInputFile(file, io::InputKind::Graph);
}

bool isGraphDocument(const std::string& text) {
    if (text.empty() || text.size() > kMaxGraphBytes) return false;
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return j.is_object() && j.value("format", std::string()) == GraphDocument::kFormatName;
}

/// The graph among a file's metadata: the value under `preferredKey` first, then any value that is a graph.
std::optional<std::string> graphAmong(const fs::path& file,
                                      const std::map<std::string, std::string>& metadata,
                                      const std::string& preferredKey) {
    std::optional<std::string> candidate;
    if (auto it = metadata.find(preferredKey); it != metadata.end()) candidate = it->second;
    if (candidate && isGraphDocument(*candidate)) return candidate;
    for (const auto& [key, value] : metadata)
        if (isGraphDocument(value)) return value;
    SV_CHECK(!candidate || candidate->size() <= kMaxGraphBytes, file.string(), ": the embedded text is ",
             candidate->size(), " bytes, more than the ", kMaxGraphBytes, " a graph document may have");
    SV_CHECK(!candidate, file.string(), ": no node graph embedded (its '", preferredKey,
             "' is not a Sana Video node graph; only files written by Save Video or Save Latent carry one)");
    return std::nullopt;
}

std::map<std::string, std::string> latentMetadata(const fs::path& file) {
    return SafetensorsFile::open(file, io::InputKind::Latent)->metadata();
}

}  // namespace

bool mayEmbedGraph(const fs::path& file) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) return true;
    const std::string ext = lowerExtension(file);
    return ext == ".mp4" || ext == ".m4v" || ext == ".mov" || ext == ".safetensors";
}

std::string embeddedGraphText(const fs::path& file) {
    std::optional<std::string> text;
    if (kindOf(file) == fs::file_type::directory) {
        const fs::path g = file / "graph.json";
        std::error_code ec;
        SV_CHECK(fs::exists(g, ec), file.string(), ": no node graph (the folder has no graph.json)");
        text = readGraphTextFile(g);
        SV_CHECK(isGraphDocument(*text), g.string(), ": not a Sana Video node graph (no \"format\": \"",
                 GraphDocument::kFormatName, "\")");
    } else if (lowerExtension(file) == ".safetensors") {
        text = graphAmong(file, latentMetadata(file), "graph");
    } else {
        text = graphAmong(file, media::readVideoMetadata(file), media::kGraphMetadataKey);
    }
    SV_CHECK(text.has_value(), file.string(),
             ": no node graph embedded (only files written by Save Video or Save Latent carry one)");
    return std::move(*text);
}

GraphDocument loadGraphFile(const fs::path& file) {
    if (mayEmbedGraph(file)) return GraphDocument::parse(embeddedGraphText(file), file.string());
    return GraphDocument::parse(readGraphTextFile(file), file.string());
}

}  // namespace sv::plugin
