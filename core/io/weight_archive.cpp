// WeightArchive (single or sharded safetensors) and writeSafetensors.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "io/json_util.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;

namespace sv {

namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

WeightArchive openIndex(const fs::path& indexPath);

}  // namespace

WeightArchive WeightArchive::open(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> indexes, singles;
        for (const auto& e : fs::directory_iterator(path, ec)) {
            const std::string name = e.path().filename().string();
            if (endsWith(name, ".safetensors.index.json"))
                indexes.push_back(e.path());
            else if (endsWith(name, ".safetensors"))
                singles.push_back(e.path());
        }
        std::sort(indexes.begin(), indexes.end());
        std::sort(singles.begin(), singles.end());
        if (!indexes.empty()) {
            SV_CHECK(indexes.size() == 1, path.string(), ": more than one *.safetensors.index.json");
            return openIndex(indexes.front());
        }
        SV_CHECK(!singles.empty(), path.string(), ": no *.safetensors weights found in the folder");
        if (singles.size() > 1) {
            // A folder of several plain files (e.g. io.safetensors beside the weights): prefer the diffusers
            // names.
            for (const char* preferred : {"diffusion_pytorch_model.safetensors", "model.safetensors"}) {
                for (const auto& s : singles)
                    if (s.filename() == preferred) return open(s);
            }
            fail(path.string(), ": several *.safetensors files and no index naming the weights");
        }
        return open(singles.front());
    }
    SV_CHECK(fs::exists(path, ec), path.string(), ": weights not found");
    if (endsWith(path.string(), ".index.json")) return openIndex(path);
    WeightArchive a;
    a.source_ = path;
    a.files_.push_back(SafetensorsFile::open(path));
    for (const auto& t : a.files_[0]->tensors()) a.where_[t.name] = 0;
    return a;
}

namespace {

WeightArchive openIndex(const fs::path& indexPath) {
    const std::string src = indexPath.string();
    nlohmann::json j = readJsonFile(indexPath);
    SV_CHECK(j.is_object(), src, ": not a JSON object");
    auto wm = j.find("weight_map");
    SV_CHECK(wm != j.end() && wm->is_object(), src, ": missing \"weight_map\" object");
    std::map<std::string, std::string> map;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        SV_CHECK(it.value().is_string(), src, ": weight_map entry \"", it.key(), "\" is not a file name");
        std::string shard = it.value().get<std::string>();
        SV_CHECK(!shard.empty() && shard.find('/') == std::string::npos && shard != "." && shard != "..", src,
                 ": weight_map entry \"", it.key(), "\" names an invalid shard \"", shard, "\"");
        map[it.key()] = std::move(shard);
    }
    return WeightArchive::fromIndexMap(indexPath, map);
}

}  // namespace

WeightArchive WeightArchive::fromIndexMap(const fs::path& indexPath,
                                          const std::map<std::string, std::string>& map) {
    WeightArchive a;
    a.source_ = indexPath;
    std::map<std::string, size_t> shardIndex;
    for (const auto& [tensor, shard] : map) {
        auto it = shardIndex.find(shard);
        if (it == shardIndex.end()) {
            fs::path shardPath = indexPath.parent_path() / shard;
            std::error_code ec;
            SV_CHECK(fs::exists(shardPath, ec), indexPath.string(), ": shard \"", shard,
                     "\" named by the index is missing");
            a.files_.push_back(SafetensorsFile::open(shardPath));
            it = shardIndex.emplace(shard, a.files_.size() - 1).first;
        }
        SV_CHECK(a.files_[it->second]->contains(tensor), indexPath.string(), ": tensor \"", tensor,
                 "\" is not in its shard \"", shard, "\"");
        a.where_[tensor] = it->second;
    }
    return a;
}

std::vector<std::string> WeightArchive::names() const {
    std::vector<std::string> out;
    out.reserve(where_.size());
    for (const auto& [k, v] : where_) out.push_back(k);
    return out;
}

const TensorInfo* WeightArchive::find(std::string_view name) const {
    auto it = where_.find(name);
    return it == where_.end() ? nullptr : files_[it->second]->find(name);
}

Tensor WeightArchive::get(std::string_view name) const {
    auto it = where_.find(name);
    SV_CHECK(it != where_.end(), source_.string(), ": no tensor named \"", name, "\"");
    return files_[it->second]->get(name);
}

void writeSafetensors(const fs::path& path, std::span<const std::pair<std::string, Tensor>> tensors,
                      const std::map<std::string, std::string>& metadata, io::Overwrite overwrite) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::vector<Tensor> host;
    host.reserve(tensors.size());
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        SV_ASSERT_MSG(t.defined(), "writeSafetensors: tensor \"", name, "\" is undefined");
        Tensor h = t.to(Device::cpu()).contiguous();
        header[name] = {{"dtype", std::string(dtypeName(h.dtype()))},
                        {"shape", h.shape()},
                        {"data_offsets", {offset, offset + h.nbytes()}}};
        offset += h.nbytes();
        host.push_back(std::move(h));
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8 != 0) text += ' ';
    const fs::path tmp = io::temporarySibling(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        SV_CHECK(out, path.string(), ": cannot open for writing");
        uint64_t n = text.size();
        char len[8];
        for (int i = 0; i < 8; ++i) len[i] = char((n >> (8 * i)) & 0xff);
        out.write(len, 8);
        out.write(text.data(), std::streamsize(text.size()));
        for (const auto& h : host)
            out.write(static_cast<const char*>(h.rawData()), std::streamsize(h.nbytes()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ec;
            fs::remove(tmp, ec);
            fail(path.string(), ": write failed (disk full?)");
        }
    }
    try {
        io::moveIntoPlace(tmp, path, overwrite);
    } catch (const Error&) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
}

}  // namespace sv
