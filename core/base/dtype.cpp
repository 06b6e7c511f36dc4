#include "base/dtype.h"

#include "base/error.h"

namespace sv {

size_t dtypeSize(DType dt) {
    switch (dt) {
        case DType::F64:
        case DType::I64:
            return 8;
        case DType::F32:
        case DType::I32:
            return 4;
        case DType::BF16:
        case DType::F16:
            return 2;
        case DType::U8:
        case DType::Bool:
        case DType::I8:
        case DType::F8E4M3:
            return 1;
    }
    SV_ASSERT(false);
}

std::string_view dtypeName(DType dt) {
    switch (dt) {
        case DType::F32:
            return "F32";
        case DType::F64:
            return "F64";
        case DType::BF16:
            return "BF16";
        case DType::F16:
            return "F16";
        case DType::I64:
            return "I64";
        case DType::I32:
            return "I32";
        case DType::U8:
            return "U8";
        case DType::Bool:
            return "BOOL";
        case DType::I8:
            return "I8";
        case DType::F8E4M3:
            return "F8_E4M3";
    }
    SV_ASSERT(false);
}

bool parseDType(std::string_view name, DType& out) {
    static constexpr struct {
        std::string_view name;
        DType dt;
    } kTable[] = {{"F32", DType::F32},       {"F64", DType::F64},   {"BF16", DType::BF16},
                  {"F16", DType::F16},       {"I64", DType::I64},   {"I32", DType::I32},
                  {"U8", DType::U8},         {"BOOL", DType::Bool}, {"I8", DType::I8},
                  {"F8_E4M3", DType::F8E4M3}};
    for (const auto& e : kTable) {
        if (e.name == name) {
            out = e.dt;
            return true;
        }
    }
    return false;
}

}  // namespace sv
