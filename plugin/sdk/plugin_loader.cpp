#include "plugin/sdk/plugin_loader.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include <QJsonObject>
#include <QMetaProperty>
#include <QPluginLoader>
#include <QString>
#include <QVariant>

#include "plugin/sdk/node_pack.h"

namespace fs = std::filesystem;

namespace sv::plugin {

namespace {

bool hasLibrarySuffix(const fs::path& p) {
    auto ext = p.extension().string();
    return ext == ".so" || ext == ".dylib" || ext == ".dll";
}

void addUnique(std::vector<fs::path>& out, const fs::path& p) {
    std::error_code ec;
    if (p.empty() || !fs::is_directory(p, ec)) return;
    fs::path canon = fs::weakly_canonical(p, ec);
    if (ec) canon = p;
    if (std::find(out.begin(), out.end(), canon) == out.end()) out.push_back(canon);
}

/// The properties `object`'s own class declares (not QObject's objectName), as text.
std::vector<std::pair<std::string, std::string>> ownProperties(const QObject& object) {
    std::vector<std::pair<std::string, std::string>> out;
    const QMetaObject* meta = object.metaObject();
    for (int i = meta->propertyOffset(); i < meta->propertyCount(); ++i) {
        const QMetaProperty p = meta->property(i);
        out.emplace_back(p.name(), p.read(&object).toString().toStdString());
    }
    return out;
}

}  // namespace

std::vector<fs::path> PluginLoader::defaultSearchPaths() {
    std::vector<fs::path> out;
    if (const char* env = std::getenv("SV_PLUGIN_PATH")) {
        std::string_view s(env);
        size_t start = 0;
        while (start <= s.size()) {
            size_t end = s.find(':', start);
            if (end == std::string_view::npos) end = s.size();
            addUnique(out, fs::path(std::string(s.substr(start, end - start))));
            start = end + 1;
        }
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    bool haveInstallDir = false;
    if (!ec) {
        const fs::path installDir = exe.parent_path() / ".." / "lib" / "sanavideo" / "plugins";
        haveInstallDir = fs::is_directory(installDir, ec);
        addUnique(out, installDir);
    }
#ifdef SV_BUILD_PLUGIN_DIR
    // Only for binaries without an install layout: an installed copy must not pick up the build tree's packs.
    if (!haveInstallDir) addUnique(out, fs::path(SV_BUILD_PLUGIN_DIR));
#endif
    return out;
}

PluginReport PluginLoader::registerPack(NodePackInterface& pack, NodeRegistry& registry) {
    PluginReport report;
    try {
        report.pack = pack.name();
    } catch (const std::exception& e) {
        report.message = concat("name() threw: ", describeException(e));
        return report;
    } catch (...) {  // plugin code may throw anything; a bad pack is skipped, never fatal
        report.message = "name() threw an unknown exception (not a std::exception)";
        return report;
    }
    if (report.pack.empty()) report.pack = "(unnamed)";
    NodeRegistry staging;
    try {
        pack.registerNodes(staging);
    } catch (const std::exception& e) {
        report.message =
            concat("pack '", report.pack, "' failed while registering its nodes: ", describeException(e));
        return report;
    } catch (...) {
        report.message =
            concat("pack '", report.pack, "' threw an unknown exception while registering its nodes");
        return report;
    }
    std::vector<std::string> types;
    for (const auto* e : staging.entries()) types.push_back(e->descriptor.typeId);
    try {
        registry.merge(std::move(staging), report.pack);
    } catch (const Error& e) {
        report.message = concat("pack '", report.pack, "' skipped: ", e.what());
        return report;
    }
    report.nodeTypes = std::move(types);
    report.loaded = true;
    return report;
}

PluginReport PluginLoader::loadFile(const fs::path& file, NodeRegistry& registry) {
    PluginReport report;
    report.file = file;
    QPluginLoader loader(QString::fromStdString(file.string()));
    const QJsonObject meta = loader.metaData();
    if (meta.isEmpty()) {
        report.message = "not a Qt plugin (no plugin metadata)";
        reports_.push_back(report);
        return report;
    }
    const std::string iid = meta.value(QStringLiteral("IID")).toString().toStdString();
    if (iid != SV_NODE_PACK_IID) {
        report.message =
            concat("incompatible plugin: interface id '", iid, "', expected '", SV_NODE_PACK_IID, "'");
        reports_.push_back(report);
        return report;
    }
    QObject* instance = nullptr;
    try {  // instance() runs the plugin's constructor
        instance = loader.instance();
    } catch (...) {
        report.message = "the plugin's constructor threw an exception";
        reports_.push_back(report);
        return report;
    }
    if (!instance) {
        report.message = concat("cannot load: ", loader.errorString().toStdString());
        reports_.push_back(report);
        return report;
    }
    auto* pack = qobject_cast<NodePackInterface*>(instance);
    if (!pack) {
        report.message = "the plugin object does not implement sv::plugin::NodePackInterface";
        reports_.push_back(report);
        return report;
    }
    PluginReport r = registerPack(*pack, registry);
    r.file = file;
    r.properties = ownProperties(*instance);
    reports_.push_back(r);
    return r;
}

std::vector<PluginReport> PluginLoader::loadFolders(const std::vector<fs::path>& folders,
                                                    NodeRegistry& registry) {
    std::vector<PluginReport> out;
    for (const auto& dir : folders) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            std::error_code fec;
            if (entry.is_regular_file(fec) && hasLibrarySuffix(entry.path())) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) out.push_back(loadFile(f, registry));
    }
    return out;
}

std::vector<PluginReport> PluginLoader::loadDefault(NodeRegistry& registry,
                                                    const std::vector<fs::path>& extraFolders) {
    std::vector<fs::path> folders;
    for (const auto& f : extraFolders) addUnique(folders, f);
    for (const auto& f : defaultSearchPaths()) addUnique(folders, f);
    return loadFolders(folders, registry);
}

std::vector<std::string> PluginLoader::problems() const {
    std::vector<std::string> out;
    for (const auto& r : reports_)
        if (!r.loaded) out.push_back(concat(r.file.empty() ? r.pack : r.file.string(), ": ", r.message));
    return out;
}

}  // namespace sv::plugin
