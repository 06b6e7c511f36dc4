// Test support: the reference fixture folder (SV_REFERENCE_DIR overrides the shipped copy), tensor comparison
// metrics as in the tolerance table (relative L2 and max abs), and small helpers.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/tensor.h"
#include "io/safetensors.h"

namespace sv::test {

/// The fixture root: $SV_REFERENCE_DIR when set, else the copy in tests/data/reference.
std::filesystem::path referenceDir();
/// A golden folder that is not made by the fixture generator (noise/, tokenizer_gemma/): the one in
/// $SV_REFERENCE_DIR when that set holds it, else the embedded copy in tests/data/reference.
std::filesystem::path goldenDir(const std::string& name);
/// Sub-folders of the fixture root whose names start with `prefix`, sorted.
std::vector<std::filesystem::path> referenceFolders(const std::string& prefix);
/// Sub-folders of the fixture root whose names start with `prefix` and whose config.json names `className`
/// (`_class_name`; a config without one counts as `defaultClass`), sorted. Model fixtures of several classes
/// share a prefix (vae_: AutoencoderKLWan and AutoencoderKLLTX2Video).
std::vector<std::filesystem::path> referenceFoldersOfClass(const std::string& prefix,
                                                           const std::string& className,
                                                           const std::string& defaultClass = "");
/// The tiny SentencePiece model of tests/data/tokenizer_tiny (what the demo models embed). The GPU machine
/// runs tests from a copy of the tree at another path: $SV_TEST_DATA_DIR names its tests/data there
/// (bench/run_device.sh sets it); the build's own path is the fallback.
std::vector<uint8_t> tinyTokenizerBytes();
/// Opens <folder>/io.safetensors.
std::shared_ptr<SafetensorsFile> openIo(const std::filesystem::path& folder);
/// A fresh empty temporary directory, removed when the returned object dies.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct Diff {
    double relL2 = 0;   // ‖out − ref‖₂ / ‖ref‖₂
    double maxAbs = 0;  // max |out − ref|
    double refMaxAbs = 0;
};
/// Compares two tensors of equal shape (any dtype/device; computed in double on the CPU).
Diff compare(const Tensor& out, const Tensor& ref);

/// gtest assertion: shapes equal and relL2 <= tol (and maxAbs <= maxAbsTol when given, >= 0). Prints both
/// numbers.
::testing::AssertionResult closeRel(const char* outExpr, const char* refExpr, const char* tolExpr,
                                    const Tensor& out, const Tensor& ref, double tol);
#define SV_EXPECT_CLOSE(out, ref, tol) EXPECT_PRED_FORMAT3(::sv::test::closeRel, out, ref, tol)

/// device::fillNormal on `device` (n F32 values): the same seed gives the same values, another seed others,
/// and the values have mean 0.5 and standard deviation 2 within `tol`.
void expectNormalFill(Device device, int64_t n, double tol);

/// The message of the sv::Error that fn() throws, or "(no sv::Error thrown)".
template <class Fn>
std::string errorMessage(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no sv::Error thrown)";
}

}  // namespace sv::test
