#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/cancelled.h"
#include "base/error.h"
#include "commands.h"
#include "terminal_text.h"

namespace {

/// CLI11's message made plain: "--out was given 2 times (it takes one value)" rather than "At Most 1 required
/// but received 2".
std::string describeParseError(const CLI::ParseError& e) {
    std::string msg = e.what();
    const std::string atMost = ": At Most 1 required but received ";
    if (auto p = msg.find(atMost); p != std::string::npos)
        return msg.substr(0, p) + " was given " + msg.substr(p + atMost.size()) +
               " times (it takes one value)";
    const std::string missing = ": 1 required ";
    if (auto p = msg.find(missing); p != std::string::npos && msg.ends_with(" missing"))
        return msg.substr(0, p) + " needs a value";
    for (const std::string unexpected :
         {"The following argument was not expected: ", "The following arguments were not expected: "}) {
        if (!msg.starts_with(unexpected)) continue;
        // CLI11 lists the extra arguments separated by spaces: name the first option among them, else the
        // first.
        std::istringstream extras(msg.substr(unexpected.size()));
        std::string first, arg;
        while (extras >> arg) {
            if (arg.starts_with("-")) return "unknown option " + arg;
            if (first.empty()) first = arg;
        }
        return "unexpected argument " + first;
    }
    return msg;
}

/// The subcommand the command line named, or nullptr.
const CLI::App* chosen(const CLI::App& app) {
    const auto subs = app.get_subcommands();
    return subs.empty() ? nullptr : subs.front();
}

int onParseError(const CLI::App& app, const CLI::ParseError& e) {
    const CLI::App* sub = chosen(app);
    if (e.get_exit_code() == 0) {  // --help (of the command given, if any: App::help() picks it)
        std::printf("%s", app.help().c_str());
        return 0;
    }
    if (!sub && std::string(e.what()) == "A subcommand is required") {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    const std::string cmd = sub ? sub->get_name() : std::string();
    std::string message = describeParseError(e);
    if (!sub && message.starts_with("unexpected argument "))
        message = "unknown command " + message.substr(20);
    sv::cli::printError(cmd, sv::concat(message, " (see sanavideo ", cmd, cmd.empty() ? "" : " ", "--help)"));
    return 2;
}

int runGuarded(const std::string& cmd, const sv::cli::CommandRun& run) {
    try {
        return run();
    } catch (const sv::Cancelled& e) {
        sv::cli::printError(cmd, e.what());
        return 130;
    } catch (const sv::Error& e) {
        sv::cli::printError(cmd, e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        sv::cli::printError(cmd, "out of memory");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sanavideo %s: internal error: %s\n", cmd.c_str(),
                     sv::cli::terminalSafe(e.what()).c_str());
        return 3;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sanavideo — SANA-Video text-to-video and image-to-video, native C++/CUDA", "sanavideo"};
    app.require_subcommand(0, 1);
    bool version = false;
    app.add_flag("--version", version, "print the version and exit");
    std::vector<std::pair<CLI::App*, sv::cli::CommandRun>> runs;
    for (const auto& c : sv::cli::commands()) {
        CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.summary));
        runs.emplace_back(sub, c.setup(*sub));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return onParseError(app, e);
    }
    if (version) {
        std::printf("sanavideo %s\n", SV_VERSION_STRING);
        return 0;
    }
    for (const auto& [sub, run] : runs)
        if (sub->parsed()) return runGuarded(sub->get_name(), run);
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
}
