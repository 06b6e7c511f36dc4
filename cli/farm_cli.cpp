#ifdef SV_CLI_WITH_PLUGIN
#include "farm_cli.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "plugin/farm/farm_jobs.h"
#include "terminal_text.h"

namespace sv::cli {

std::vector<CLI::Option*> SweepOptions::addTo(CLI::App& cmd, bool inputRequired) {
    CLI::Option* in =
        cmd.add_option("GRAPH", input,
                       "the graph (.json), or a sweep spec file (JSON with \"format\": \"sanavideo.sweep\", "
                       "written by sanavideo sweep --save-spec); options given here add to the spec's")
            ->type_name("FILE");
    if (inputRequired) in->required();
    CLI::Option* axesOption =
        cmd.add_option(
               "--set-axis", axes,
               "vary a parameter over SPEC: A..B[:STEP] (numbers, e.g. sampler.seed=1..8), @FILE (its "
               "lines, e.g. text_encode.prompt=@prompts.txt), a glob for paths (load_image.path=shots/*.png) "
               "or V1,V2,... (a list); repeat for more axes")
            ->type_name("NODE.PARAM=SPEC")
            ->allow_extra_args(false);
    CLI::Option* setsOption =
        cmd.add_option(
               "--set", sets,
               "override a parameter in every variant (VALUE parsed by the parameter's type; repeatable)")
            ->type_name("NODE.PARAM=VALUE")
            ->allow_extra_args(false);
    CLI::Option* z = cmd.add_flag(
        "--zip", zip, "pair the axes' values in order: the i-th of each (they need equal lengths)");
    CLI::Option* p = cmd.add_flag("--product", product, "every combination of the axes' values (the default)")
                         ->excludes(z);
    return {in, axesOption, setsOption, z, p};
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

CLI::Option* addJobRoot(CLI::App& cmd, std::string& root, const std::string& what) {
    root = farm::defaultJobRoot().string();
    return cmd
        .add_option("--job-root", root, concat(what, " (default: $SV_FARM_ROOT, else ~/sanavideo-farm)"))
        ->type_name("DIR")
        ->capture_default_str();
}

void printVariants(const std::vector<farm::Variant>& variants) {
    for (const farm::Variant& v : variants) {
        std::string values;
        for (const farm::ParamValue& p : v.values)
            values += concat(values.empty() ? "" : " ", p.node, ".", p.param, "=", p.value.dump());
        printLine(stdout, concat(v.name, "  ", values));
    }
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
