#include "pipelines/demo_model.h"

#include <cmath>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/torch_randn.h"
#include "io/safetensors.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"
#include "text/tokenizer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace sv {

namespace {

constexpr const char* kDiffusersVersion = "0.40.0.dev0";

json transformerConfigJson(DemoFamily family) {
    const bool hd = family == DemoFamily::Ltx720p, causal = family == DemoFamily::LongSana;
    return {{"_class_name", causal ? TransformerConfig::kCausalClassName : "SanaVideoTransformer3DModel"},
            {"_diffusers_version", kDiffusersVersion},
            {"attention_bias", false},
            {"attention_head_dim", 32},
            {"caption_channels", 64},
            {"cross_attention_dim", 64},
            {"cross_attention_head_dim", 32},
            {"dropout", 0.0},
            {"guidance_embeds", false},
            {"guidance_embeds_scale", 0.1},
            {"in_channels", 16},
            {"interpolation_scale", nullptr},
            {"mlp_ratio", 2.5},
            {"norm_elementwise_affine", false},
            {"norm_eps", 1e-06},
            {"num_attention_heads", 2},
            {"num_cross_attention_heads", 2},
            {"num_layers", 2},
            {"out_channels", 16},
            {"patch_size", hd ? json{1, 1, 1} : json{1, 2, 2}},
            {"qk_norm", "rms_norm_across_heads"},
            {"rope_max_seq_len", 1024},
            {"sample_size", hd ? 22 : 30}};
}

json vaeConfigJson() {
    // Wan 2.1's latent statistics (the AutoencoderKLWan defaults).
    const std::vector<double> mean = {-0.7571, -0.7089, -0.9113, 0.1075,  -0.1745, 0.9653,  -0.1517, 1.5508,
                                      0.4134,  -0.0715, 0.5517,  -0.3632, -0.1922, -0.9497, 0.2503,  -0.2921};
    const std::vector<double> std = {2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
                                     3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.916};
    return {{"_class_name", "AutoencoderKLWan"},
            {"_diffusers_version", kDiffusersVersion},
            {"attn_scales", json::array()},
            {"base_dim", 16},
            {"decoder_base_dim", nullptr},
            {"dim_mult", {1, 2, 2, 2}},
            {"dropout", 0.0},
            {"in_channels", 3},
            {"is_residual", false},
            {"latents_mean", mean},
            {"latents_std", std},
            {"num_res_blocks", 1},
            {"out_channels", 3},
            {"patch_size", nullptr},
            {"scale_factor_spatial", 8},
            {"scale_factor_temporal", 4},
            {"temperal_downsample", {false, true, true}},
            {"z_dim", 16}};
}

// LTX-2's VAE structure (scripts/convert_ltx2_to_diffusers.py, version 2.0) at demo widths.
json ltx2VaeConfigJson() {
    return {
        {"_class_name", "AutoencoderKLLTX2Video"},
        {"_diffusers_version", kDiffusersVersion},
        {"block_out_channels", {16, 32, 64, 64}},
        {"decoder_block_out_channels", {16, 32, 64}},
        {"decoder_causal", false},
        {"decoder_inject_noise", {false, false, false, false}},
        {"decoder_layers_per_block", {1, 1, 1, 1}},
        {"decoder_spatial_padding_mode", "reflect"},
        {"decoder_spatio_temporal_scaling", {true, true, true}},
        {"down_block_types",
         {"LTX2VideoDownBlock3D", "LTX2VideoDownBlock3D", "LTX2VideoDownBlock3D", "LTX2VideoDownBlock3D"}},
        {"downsample_type", {"spatial", "temporal", "spatiotemporal", "spatiotemporal"}},
        {"encoder_causal", true},
        {"encoder_spatial_padding_mode", "zeros"},
        {"in_channels", 3},
        {"latent_channels", 16},
        {"layers_per_block", {1, 1, 1, 1, 1}},
        {"out_channels", 3},
        {"patch_size", 4},
        {"patch_size_t", 1},
        {"resnet_norm_eps", 1e-06},
        {"scaling_factor", 1.0},
        {"spatial_compression_ratio", 32},
        {"spatio_temporal_scaling", {true, true, true, true}},
        {"temporal_compression_ratio", 8},
        {"timestep_conditioning", false},
        {"upsample_factor", {2, 2, 2}},
        {"upsample_residual", {true, true, true}},
        {"upsample_type", {"spatiotemporal", "spatiotemporal", "spatiotemporal"}}};
}

json textEncoderConfigJson(int64_t vocabSize) {
    return {{"architectures", {"Gemma2Model"}},
            {"attention_bias", false},
            {"attention_dropout", 0.0},
            {"attn_logit_softcapping", 50.0},
            {"bos_token_id", 2},
            {"dtype", "float32"},
            {"eos_token_id", 1},
            {"final_logit_softcapping", 30.0},
            {"head_dim", 16},
            {"hidden_activation", "gelu_pytorch_tanh"},
            {"hidden_size", 64},
            {"initializer_range", 0.02},
            {"intermediate_size", 128},
            {"layer_types", {"sliding_attention", "full_attention"}},
            {"max_position_embeddings", 8192},
            {"model_type", "gemma2"},
            {"num_attention_heads", 4},
            {"num_hidden_layers", 2},
            {"num_key_value_heads", 2},
            {"pad_token_id", 0},
            {"query_pre_attn_scalar", 16},
            {"rms_norm_eps", 1e-06},
            {"rope_parameters", {{"rope_theta", 10000.0}, {"rope_type", "default"}}},
            {"sliding_window", 128},
            {"tie_word_embeddings", true},
            {"use_cache", true},
            {"vocab_size", vocabSize}};
}

// DPM-Solver++ with flow sigmas and shift 8, written the way diffusers' save_pretrained writes it (Python's
// json dialect, -Infinity included).
constexpr const char* kSchedulerConfig = R"({
  "_class_name": "DPMSolverMultistepScheduler",
  "_diffusers_version": "0.40.0.dev0",
  "algorithm_type": "dpmsolver++",
  "beta_end": 0.02,
  "beta_schedule": "linear",
  "beta_start": 0.0001,
  "dynamic_thresholding_ratio": 0.995,
  "euler_at_final": false,
  "final_sigmas_type": "zero",
  "flow_shift": 8.0,
  "lambda_min_clipped": -Infinity,
  "lower_order_final": true,
  "num_train_timesteps": 1000,
  "prediction_type": "flow_prediction",
  "rescale_betas_zero_snr": false,
  "sample_max_value": 1.0,
  "solver_order": 2,
  "solver_type": "midpoint",
  "steps_offset": 0,
  "thresholding": false,
  "time_shift_type": "exponential",
  "timestep_spacing": "linspace",
  "trained_betas": null,
  "use_beta_sigmas": false,
  "use_dynamic_shifting": false,
  "use_exponential_sigmas": false,
  "use_flow_sigmas": true,
  "use_karras_sigmas": false,
  "use_lu_lambdas": false,
  "variance_type": null
}
)";

json modelIndexJson(DemoFamily family) {
    const bool causal = family == DemoFamily::LongSana;
    return {{"_class_name", causal ? "LongSanaVideoPipeline" : "SanaVideoPipeline"},
            {"_diffusers_version", kDiffusersVersion},
            {"scheduler", {"diffusers", "DPMSolverMultistepScheduler"}},
            {"text_encoder", {"transformers", "Gemma2Model"}},
            {"tokenizer", {"transformers", "GemmaTokenizerFast"}},
            {"transformer",
             {"diffusers", causal ? TransformerConfig::kCausalClassName : "SanaVideoTransformer3DModel"}},
            {"vae",
             {"diffusers", family == DemoFamily::Ltx720p ? "AutoencoderKLLTX2Video" : "AutoencoderKLWan"}}};
}

void writeText(const fs::path& path, const std::string& text) {
    const fs::path tmp = fs::path(path).concat(".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        SV_CHECK(out, path.string(), ": cannot write");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    SV_CHECK(!ec, path.string(), ": cannot write (", ec.message(), ")");
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

enum class NormStyle { OneCentered, ZeroCentered };  // w·x (diffusers, Wan) or (1 + w)·x (Gemma)

// Random weights for the declared tensors (see the header for the distributions).
std::vector<std::pair<std::string, Tensor>> randomModel(const std::vector<WeightSpec>& specs,
                                                        TorchCpuGenerator& gen, NormStyle norms) {
    std::vector<std::pair<std::string, Tensor>> out;
    for (const auto& s : specs) {
        Tensor t = gen.randn(s.shape, DType::F32);
        float* p = t.data<float>();
        const int64_t n = t.numel();
        const std::string& name = s.name;
        const bool isNorm = endsWith(name, ".gamma") || name.find("norm") != std::string::npos;
        float scale = 0.0f, offset = 0.0f;
        if (name == "latents_mean") {
            scale = 0.5f;
        } else if (name == "latents_std") {
            scale = 0.1f, offset = 1.0f;  // positive: the pipelines divide by its reciprocal
        } else if (isNorm && !endsWith(name, ".bias")) {
            scale = 0.1f;
            offset = norms == NormStyle::OneCentered ? 1.0f : 0.0f;
        } else if (name.find("scale_shift_table") != std::string::npos) {
            scale = 0.1f;
        } else if (endsWith(name, ".bias") || s.shape.size() < 2) {
            scale = 0.02f;
        } else {
            scale = 1.0f / std::sqrt(float(n / s.shape[0]));
        }
        for (int64_t i = 0; i < n; ++i) p[i] = offset + scale * p[i];
        out.emplace_back(name, std::move(t));
    }
    return out;
}

}  // namespace

void writeDemoModel(const fs::path& dir, std::span<const uint8_t> tokenizerModel, uint64_t seed,
                    DemoFamily family) {
    SV_CHECK(!tokenizerModel.empty(), "demo model: the tokenizer model is empty");
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        SV_CHECK(fs::is_directory(dir, ec), dir.string(), ": exists and is not a folder");
        const bool empty = fs::directory_iterator(dir, ec) == fs::directory_iterator();
        SV_CHECK(empty || fs::exists(dir / "model_index.json", ec), dir.string(),
                 ": folder is not empty and holds no model (refusing to write into it)");
    }
    for (const char* sub : {"transformer", "vae", "text_encoder", "tokenizer", "scheduler"}) {
        fs::create_directories(dir / sub, ec);
        SV_CHECK(fs::is_directory(dir / sub, ec), (dir / sub).string(), ": cannot create the folder");
    }

    // Tokenizer first: the text encoder's vocabulary follows it.
    const fs::path spTmp = dir / ".demo_tokenizer.model.tmp";
    {
        std::ofstream out(spTmp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(tokenizerModel.data()),
                  std::streamsize(tokenizerModel.size()));
        out.close();
        SV_CHECK(out, spTmp.string(), ": cannot write");
    }
    try {
        text::writeDemoTokenizer(dir / "tokenizer", spTmp);
    } catch (...) {
        fs::remove(spTmp, ec);
        throw;
    }
    fs::remove(spTmp, ec);
    const int64_t vocab = text::loadTokenizer(dir / "tokenizer")->vocabSize();

    TorchCpuGenerator gen(seed);
    const json tj = transformerConfigJson(family);
    writeText(dir / "transformer" / "config.json", tj.dump(2) + "\n");
    const auto tc = TransformerConfig::fromJson(tj, "demo transformer config");
    writeSafetensors(dir / "transformer" / "diffusion_pytorch_model.safetensors",
                     randomModel(transformerWeightSpecs(tc), gen, NormStyle::OneCentered),
                     {{"format", "pt"}});

    const json vj = family == DemoFamily::Ltx720p ? ltx2VaeConfigJson() : vaeConfigJson();
    writeText(dir / "vae" / "config.json", vj.dump(2) + "\n");
    const auto vc = VideoVaeConfig::fromJson(vj, "demo VAE config");
    writeSafetensors(dir / "vae" / "diffusion_pytorch_model.safetensors",
                     randomModel(vc.weightSpecs(), gen, NormStyle::OneCentered), {{"format", "pt"}});

    const json gj = textEncoderConfigJson(vocab);
    writeText(dir / "text_encoder" / "config.json", gj.dump(2) + "\n");
    const auto gc = Gemma2Config::fromJson(gj, "demo text encoder config");
    writeSafetensors(dir / "text_encoder" / "model.safetensors",
                     randomModel(gemma2WeightSpecs(gc), gen, NormStyle::ZeroCentered), {{"format", "pt"}});

    writeText(dir / "scheduler" / "scheduler_config.json", kSchedulerConfig);
    writeText(dir / "model_index.json", modelIndexJson(family).dump(1) + "\n");
}

}  // namespace sv
