#ifdef SV_CLI_WITH_PLUGIN
#include "farm_cli.h"

#include <cstdio>

#include "base/error.h"

namespace sv::cli {

std::optional<int> parseCommandLine(CLI::App& app, Args args) {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes a vector in reverse order
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    return std::nullopt;
}

void SweepOptions::addTo(CLI::App& app, bool inputRequired) {
    auto* in = app.add_option("input", input,
                              "the graph, or a sweep spec (JSON with \"format\": \"sanavideo.sweep\")");
    if (inputRequired) in->required();
    app.add_option("--set-axis", axes,
                   "NODE.PARAM=SPEC: vary a parameter; SPEC is A..B[:STEP], @FILE (its lines), a glob for "
                   "paths (shots/*.png), or V1,V2,...")
        ->type_name("AXIS")
        ->allow_extra_args(false);
    app.add_option("--set", sets, "NODE.PARAM=VALUE: a fixed override")
        ->type_name("SET")
        ->allow_extra_args(false);
    auto* z = app.add_flag("--zip", zip, "combine the axes element by element (they need equal lengths)");
    app.add_flag("--product", product, "every combination of the axes (the default)")->excludes(z);
}

farm::SweepSpec SweepOptions::spec() const {
    farm::SweepSpec s;
    const fs::path in(input);
    if (farm::SweepSpec::isSpecFile(in)) {
        s = farm::SweepSpec::load(in);
    } else {
        SV_CHECK(fs::exists(in), "cannot read ", input);
        s.graph = fs::absolute(in).lexically_normal();
        s.baseDir = fs::current_path();
    }
    // Axes given here read their files and globs relative to the current folder.
    for (const std::string& a : axes) {
        farm::AxisSpec axis = farm::parseAxis(a);
        axis.baseDir = fs::current_path();
        s.axes.push_back(std::move(axis));
    }
    s.sets.insert(s.sets.end(), sets.begin(), sets.end());
    if (zip) s.combine = farm::Combine::Zip;
    if (product) s.combine = farm::Combine::Product;
    return s;
}

void printVariants(const std::vector<farm::Variant>& variants) {
    for (const farm::Variant& v : variants) {
        std::string values;
        for (const farm::ParamValue& p : v.values)
            values += concat(values.empty() ? "" : " ", p.node, ".", p.param, "=", p.value.dump());
        std::printf("%s  %s\n", v.name.c_str(), values.c_str());
    }
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
