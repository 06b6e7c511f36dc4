#include "support/reference.h"

#include "backend/device.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "io/json_util.h"

namespace fs = std::filesystem;

namespace sv::test {

fs::path referenceDir() {
    if (const char* env = std::getenv("SV_REFERENCE_DIR"); env && *env) return fs::path(env);
    return fs::path(SV_DEFAULT_REFERENCE_DIR);
}

fs::path goldenDir(const std::string& name) {
    std::error_code ec;
    if (fs::path p = referenceDir() / name; fs::is_directory(p, ec)) return p;
    return fs::path(SV_DEFAULT_REFERENCE_DIR) / name;
}

std::vector<uint8_t> tinyTokenizerBytes() {
    const char* env = std::getenv("SV_TEST_DATA_DIR");
    const fs::path file =
        fs::path(env && *env ? env : SV_TEST_DATA_DIR) / "tokenizer_tiny" / "tokenizer.model";
    std::ifstream in(file, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    SV_ASSERT_MSG(!bytes.empty(), "cannot read ", file.string(),
                  " (set SV_TEST_DATA_DIR to the tests/data folder)");
    return bytes;
}

std::vector<fs::path> referenceFolders(const std::string& prefix) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(referenceDir(), ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_directory() && name.rfind(prefix, 0) == 0) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> referenceFoldersOfClass(const std::string& prefix, const std::string& className,
                                              const std::string& defaultClass) {
    std::vector<fs::path> out;
    for (const fs::path& dir : referenceFolders(prefix)) {
        std::error_code ec;
        if (!fs::exists(dir / "config.json", ec)) continue;
        const nlohmann::json j = readJsonFile(dir / "config.json");
        const std::string cls =
            jsonGet<std::string>(j, "_class_name", defaultClass, (dir / "config.json").string());
        if (cls == className) out.push_back(dir);
    }
    return out;
}

std::shared_ptr<SafetensorsFile> openIo(const fs::path& folder) {
    return SafetensorsFile::open(folder / "io.safetensors");
}

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path p = fs::temp_directory_path() / ("sv-test-" + std::to_string(rd()));
        std::error_code ec;
        if (fs::create_directory(p, ec)) {
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

Diff compare(const Tensor& out, const Tensor& ref) {
    SV_ASSERT_MSG(out.shape() == ref.shape(), "compare: ", out.describe(), " vs ", ref.describe());
    Tensor a = out.to(Device::cpu()).to(DType::F64).contiguous();
    Tensor b = ref.to(Device::cpu()).to(DType::F64).contiguous();
    const double* pa = a.data<double>();
    const double* pb = b.data<double>();
    double num = 0, den = 0;
    Diff d;
    for (int64_t i = 0; i < a.numel(); ++i) {
        double e = pa[i] - pb[i];
        num += e * e;
        den += pb[i] * pb[i];
        d.maxAbs = std::max(d.maxAbs, std::abs(e));
        d.refMaxAbs = std::max(d.refMaxAbs, std::abs(pb[i]));
        if (std::isnan(pa[i]) != std::isnan(pb[i])) d.maxAbs = INFINITY;
    }
    d.relL2 = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
    if (std::isnan(d.relL2)) d.relL2 = INFINITY;
    return d;
}

::testing::AssertionResult closeRel(const char* outExpr, const char* refExpr, const char*, const Tensor& out,
                                    const Tensor& ref, double tol) {
    if (out.shape() != ref.shape())
        return ::testing::AssertionFailure() << outExpr << " has shape " << shapeToString(out.shape()) << ", "
                                             << refExpr << " has " << shapeToString(ref.shape());
    Diff d = compare(out, ref);
    auto msg = [&](auto r) {
        return r << outExpr << " vs " << refExpr << ": rel L2 " << d.relL2 << " (tol " << tol << "), max abs "
                 << d.maxAbs << " (ref max " << d.refMaxAbs << ")";
    };
    if (d.relL2 <= tol) {
        std::printf("    %s: rel L2 %.3g, max abs %.3g\n", refExpr, d.relL2, d.maxAbs);
        return ::testing::AssertionSuccess();
    }
    return msg(::testing::AssertionFailure());
}

void expectNormalFill(Device device, int64_t n, double tol) {
    Tensor a = Tensor::empty({n}, DType::F32, device), b = Tensor::empty({n}, DType::F32, device);
    device::fillNormal(a, 7, 0.5f, 2.0f);
    device::fillNormal(b, 7, 0.5f, 2.0f);
    EXPECT_EQ(compare(a, b).maxAbs, 0.0);
    const std::vector<float> v = a.toFloatVector();
    double s = 0, ss = 0;
    for (float x : v) s += x, ss += double(x) * x;
    const double mean = s / double(v.size()), sd = std::sqrt(ss / double(v.size()) - mean * mean);
    EXPECT_NEAR(mean, 0.5, tol);
    EXPECT_NEAR(sd, 2.0, tol);
    device::fillNormal(b, 8, 0.5f, 2.0f);
    EXPECT_GT(compare(a, b).relL2, 1.0);
}

}  // namespace sv::test
