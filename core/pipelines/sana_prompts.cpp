// Prompt encoding and the image-to-video input image (sana_stages.h).
#include <cmath>
#include <span>

#include "ops/resize.h"
#include "pipelines/postprocess.h"
#include "pipelines/sana_stages.h"
#include "text/prompt_tokens.h"

namespace sv {

namespace {

// Rows b·n + k = rows b (prompt-major repeat, diffusers' repeat(1, n, 1).view for the embeddings).
Tensor repeatRows(const Tensor& t, int n) {
    if (n == 1) return t;
    Shape shape = t.shape();
    shape[0] *= n;
    Tensor out = Tensor::empty(shape, t.dtype(), t.device());
    for (int64_t b = 0; b < t.dim(0); ++b)
        for (int k = 0; k < n; ++k) out.select(0, b * n + k).copyFrom(t.select(0, b));
    return out;
}

Tensor catRows(const Tensor& a, const Tensor& b) {
    Shape shape = a.shape();
    shape[0] += b.dim(0);
    Tensor out = Tensor::empty(shape, a.dtype(), a.device());
    out.slice(0, 0, a.dim(0)).copyFrom(a);
    out.slice(0, a.dim(0), shape[0]).copyFrom(b);
    return out;
}

// A user mask of any dtype → I64 0/1 on the CPU; sv::Error naming `what` for other values.
Tensor toBinaryMask(const Tensor& mask, const char* what) {
    Tensor m = mask.to(Device::cpu());
    Tensor out = Tensor::empty(m.shape(), DType::I64);
    int64_t* o = out.data<int64_t>();
    for (int64_t i = 0; i < m.numel(); ++i) {
        const double v = m.item(i);
        SV_CHECK(v == 0.0 || v == 1.0, what, ": mask values must be 0 or 1 (found ", v, " at index ", i, ")");
        o[i] = int64_t(v);
    }
    return out;
}

// x[:, index] for x [B, L, C] on any device: copies of the contiguous runs of the index (the select-index
// [0, L−msl+1, …, L−1] is two runs).
Tensor selectPositions(const Tensor& x, std::span<const int64_t> index) {
    Tensor out = Tensor::empty({x.dim(0), int64_t(index.size()), x.dim(2)}, x.dtype(), x.device());
    size_t j = 0;
    while (j < index.size()) {
        size_t k = j + 1;
        while (k < index.size() && index[k] == index[k - 1] + 1) ++k;
        SV_CHECK(index[j] >= 0 && index[k - 1] < x.dim(1), "select index out of range for length ", x.dim(1));
        out.slice(1, int64_t(j), int64_t(k)).copyFrom(x.slice(1, index[j], index[k - 1] + 1));
        j = k;
    }
    return out;
}

struct Encoded {
    Tensor embeds;  // [B, L, C] F32
    Tensor mask;    // [B, L] I64
};

Encoded checkGiven(const Tensor& embeds, const Tensor& mask, const char* name) {
    SV_CHECK(mask.defined(), name, "_attention_mask is required with ", name, "_embeds");
    SV_CHECK(embeds.rank() == 3, name, "_embeds must be [B, L, C], got ", embeds.describe());
    SV_CHECK(isFloating(embeds.dtype()), name, "_embeds must be floating point, got ", embeds.describe());
    SV_CHECK(mask.rank() == 2 && mask.dim(0) == embeds.dim(0) && mask.dim(1) == embeds.dim(1), name,
             "_attention_mask must be [B, L] = [", embeds.dim(0), ", ", embeds.dim(1), "], got ",
             mask.describe());
    return {embeds.to(DType::F32).contiguous(), toBinaryMask(mask, name)};
}

Encoded runEncoder(const SanaModels& models, const text::PromptTokens& tokens) {
    const Gemma2Encoder& encoder = models.requireTextEncoder();
    Tensor hidden = encoder.encode(tokens.tokens.ids, tokens.tokens.mask);
    Tensor mask = tokens.tokens.mask;
    bool identity = int64_t(tokens.selectIndex.size()) == tokens.length();
    for (size_t i = 0; identity && i < tokens.selectIndex.size(); ++i)
        identity = tokens.selectIndex[i] == int64_t(i);
    if (!identity) {
        hidden = selectPositions(hidden, tokens.selectIndex);  // on the encoder's device
        mask = text::selectTokens(mask, tokens.selectIndex);
    }
    return {hidden.to(DType::F32), mask};
}

}  // namespace

Tensor PromptEncoding::cfgEmbeds(bool guidance) const {
    if (!guidance) return embeds;
    SV_CHECK(hasNegative(),
             "classifier-free guidance needs negative prompt embeddings (encode the prompts "
             "with guidance on)");
    return catRows(negativeEmbeds, embeds);
}

Tensor PromptEncoding::cfgMask(bool guidance) const {
    if (!guidance) return mask;
    SV_CHECK(hasNegative(),
             "classifier-free guidance needs negative prompt masks (encode the prompts with "
             "guidance on)");
    return catRows(negativeMask, mask);
}

PromptEncoding encodePrompts(const SanaModels& models, const PromptRequest& r) {
    SV_CHECK(r.numVideosPerPrompt >= 1, "num_videos_per_prompt must be at least 1 (got ",
             r.numVideosPerPrompt, ")");
    SV_CHECK(r.maxSequenceLength >= 1, "max_sequence_length must be at least 1 (got ", r.maxSequenceLength,
             ")");
    Encoded pos;
    if (r.promptEmbeds.defined()) {
        SV_CHECK(r.prompts.empty(), "give either prompts or prompt embeddings, not both");
        pos = checkGiven(r.promptEmbeds, r.promptMask, "prompt");
    } else {
        SV_CHECK(!r.prompts.empty(), "no prompt given (and no prompt embeddings)");
        std::vector<std::string> texts = r.prompts;
        if (r.motionScore)
            for (auto& t : texts) t += concat(" motion score: ", *r.motionScore, ".");
        const std::vector<std::string>& chi =
            r.complexHumanInstruction ? *r.complexHumanInstruction : text::defaultComplexHumanInstruction();
        pos = runEncoder(models, text::tokenizePositivePrompts(models.requireTokenizer(), texts, chi,
                                                               r.maxSequenceLength));
    }
    const int64_t batch = pos.embeds.dim(0);
    SV_CHECK(batch >= 1, "the prompt batch is empty");

    PromptEncoding out;
    out.embeds = repeatRows(pos.embeds, r.numVideosPerPrompt);
    out.mask = repeatRows(pos.mask, r.numVideosPerPrompt);
    if (!r.classifierFreeGuidance) return out;

    Encoded neg;
    if (r.negativeEmbeds.defined()) {
        neg = checkGiven(r.negativeEmbeds, r.negativeMask, "negative_prompt");
        SV_CHECK(neg.embeds.dim(0) == batch, "negative_prompt_embeds has ", neg.embeds.dim(0),
                 " rows but there are ", batch, " prompts");
    } else {
        std::vector<std::string> negs;
        if (r.negativePrompts.empty()) {
            negs.assign(size_t(batch), "");
        } else if (r.negativePrompts.size() == 1) {
            negs.assign(size_t(batch), r.negativePrompts[0]);
        } else {
            SV_CHECK(int64_t(r.negativePrompts.size()) == batch, "got ", r.negativePrompts.size(),
                     " negative prompts for ", batch, " prompts (give one, or one per prompt)");
            negs = r.negativePrompts;
        }
        neg = runEncoder(models,
                         text::tokenizeNegativePrompts(models.requireTokenizer(), negs, r.maxSequenceLength));
    }
    SV_CHECK(neg.embeds.dim(1) == pos.embeds.dim(1) && neg.embeds.dim(2) == pos.embeds.dim(2),
             "negative prompt embeddings ", shapeToString(neg.embeds.shape()),
             " do not match the prompt embeddings ", shapeToString(pos.embeds.shape()),
             " (sequence length and channels must agree)");
    out.negativeEmbeds = repeatRows(neg.embeds, r.numVideosPerPrompt);
    out.negativeMask = repeatRows(neg.mask, r.numVideosPerPrompt);
    return out;
}

Tensor preprocessImage(const Tensor& image, int height, int width) {
    SV_CHECK(image.defined() && image.rank() == 3 && image.dim(2) == 3,
             "input image must be RGB [H, W, 3], got ", image.defined() ? image.describe() : "nothing");
    SV_CHECK(height >= 1 && width >= 1, "image size ", width, "x", height, " is invalid");
    Tensor u8;
    if (image.dtype() == DType::U8) {
        u8 = image.to(Device::cpu()).contiguous();
    } else {
        SV_CHECK(isFloating(image.dtype()), "input image must be U8 or float, got ", image.describe());
        u8 = floatFramesToUint8(image);
    }
    const Tensor resized = ops::resizeLanczosPil(u8, width, height);  // PIL LANCZOS to exactly (w, h)
    Tensor out = Tensor::empty({1, 3, height, width}, DType::F32);
    const uint8_t* src = resized.data<uint8_t>();
    float* dst = out.data<float>();
    const int64_t plane = int64_t(height) * width;
    for (int64_t i = 0; i < plane; ++i) {
        for (int c = 0; c < 3; ++c) {
            // numpy float32 x / 255.0, then torch 2.0 * x - 1.0 (each rounded to float32).
            const float x = float(src[i * 3 + c]) / 255.0f;
            const float twice = 2.0f * x;
            dst[c * plane + i] = twice - 1.0f;
        }
    }
    return out;
}

Tensor encodeImageLatents(const SanaModels& models, const Tensor& image, int height, int width) {
    const VideoVae& vae = models.requireVaeEncoder();
    const Tensor pixels = preprocessImage(image, height, width).unsqueeze(2);  // [1, 3, 1, H, W]
    const VaePosterior posterior = vae.encode(pixels);
    return vae.normalizeLatents(posterior.mean).to(DType::F32);
}

}  // namespace sv
