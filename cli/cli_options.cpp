#include "cli_options.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "base/error.h"

namespace sv::cli {

namespace {

template <class T>
T parseIntegerText(const std::string& name, const std::string& text, T lo, T hi) {
    T v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    const bool whole = end == text.data() + text.size() && !text.empty();
    if (ec == std::errc::result_out_of_range && whole) {
        if (text.starts_with('-'))
            throw CLI::ValidationError(name, concat(text, " is below the minimum ", lo));
        throw CLI::ValidationError(name, concat(text, " is above the maximum ", hi));
    }
    if (ec != std::errc() || !whole) {
        const bool negative = std::is_unsigned_v<T> && text.starts_with('-') && text.size() > 1 &&
                              std::isdigit(static_cast<unsigned char>(text[1]));
        throw CLI::ValidationError(name, negative ? concat(text, " is below the minimum 0")
                                                  : concat("\"", text, "\" is not an integer"));
    }
    if (v < lo) throw CLI::ValidationError(name, concat(v, " is below the minimum ", lo));
    if (v > hi) throw CLI::ValidationError(name, concat(v, " is above the maximum ", hi));
    return v;
}

/// An option taking one integer of type T in [lo, hi].
template <class T>
CLI::Option* addIntegerOf(CLI::App& cmd, const std::string& name, T& target, T lo, T hi,
                          const std::string& help) {
    return cmd
        .add_option_function<std::string>(
            name,
            [name, &target, lo, hi](const std::string& text) {
                target = parseIntegerText(name, text, lo, hi);
            },
            help)
        ->type_name("INT");
}

}  // namespace

CLI::Option* addInteger(CLI::App& cmd, const std::string& name, int64_t& target, int64_t lo, int64_t hi,
                        const std::string& help) {
    return addIntegerOf(cmd, name, target, lo, hi, help);
}

CLI::Option* addInteger(CLI::App& cmd, const std::string& name, int& target, int lo, int hi,
                        const std::string& help) {
    return addIntegerOf(cmd, name, target, lo, hi, help);
}

CLI::Option* addUnsigned(CLI::App& cmd, const std::string& name, uint64_t& target, uint64_t hi,
                         const std::string& help) {
    return addIntegerOf<uint64_t>(cmd, name, target, 0, hi, help);
}
CLI::Option* addNumber(CLI::App& cmd, const std::string& name, std::optional<double>& target, double lo,
                       double hi, const std::string& help) {
    return cmd
        .add_option_function<std::string>(
            name,
            [name, &target, lo, hi](const std::string& text) {
                char* end = nullptr;
                errno = 0;
                const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
                if (text.empty() || end != text.c_str() + text.size())
                    throw CLI::ValidationError(name, concat("\"", text, "\" is not a number"));
                if (errno == ERANGE || !std::isfinite(v))
                    throw CLI::ValidationError(name, concat(text, " is not a finite number in range"));
                if (v < lo) throw CLI::ValidationError(name, concat(text, " is below the minimum ", lo));
                if (v > hi) throw CLI::ValidationError(name, concat(text, " is above the maximum ", hi));
                target = v;
            },
            help)
        ->type_name("NUM");
}

}  // namespace sv::cli
