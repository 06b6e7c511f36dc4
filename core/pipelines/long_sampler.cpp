#include "pipelines/long_sampler.h"

#include <cmath>

namespace sv {

namespace {

// The index of the entry nearest to t (torch.argmin of |table − t|: the first of equal distances).
size_t nearest(const std::vector<float>& table, double t) {
    size_t best = 0;
    for (size_t i = 1; i < table.size(); ++i)
        if (std::abs(double(table[i]) - t) < std::abs(double(table[best]) - t)) best = i;
    return best;
}

// diffusers' FlowMatchEulerDiscreteScheduler.index_for_timestep: the first exact match, the second when
// there are several.
size_t exactMatch(const std::vector<float>& table, float t) {
    std::vector<size_t> hits;
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i] == t) hits.push_back(i);
    SV_CHECK(!hits.empty(), "LongSANA schedule: timestep ", t, " is not among the scheduled timesteps");
    return hits.size() > 1 ? hits[1] : hits[0];
}

// σ → shift·σ / (1 + (shift − 1)·σ) in float32, one rounding per operation (numpy/torch float32 with a
// Python-float shift).
float shifted(float s, double shift) {
    const float num = float(shift) * s;
    const float den = 1.0f + float(shift - 1.0) * s;
    return num / den;
}

// diffusers PR #12723 with set_timesteps(timesteps=stepList): sigmas in float32, the model sees the integer
// part of the scheduled timestep (torch.tensor(t, dtype=long)).
LongSamplerSchedule fromDiffusers(std::span<const double> list, double shift, int numTrain) {
    std::vector<float> sigma, sched;
    for (double t : list) {
        sigma.push_back(shifted(float(t) / float(numTrain), shift));
        sched.push_back(sigma.back() * float(numTrain));
    }
    LongSamplerSchedule s;
    for (size_t i = 0; i < list.size(); ++i) {
        const double modelT = std::trunc(double(sched[i]));
        s.modelTimesteps.push_back(modelT);
        s.sigmas.push_back(double(sigma[nearest(sched, modelT)]));                 // _convert_flow_pred_to_x0
        if (i > 0) s.renoiseSigmas.push_back(sigma[exactMatch(sched, sched[i])]);  // scale_noise
    }
    return s;
}

// NVlabs/Sana FlowMatchScheduler(shift, sigma_min=0, extra_one_step=True).set_timesteps(numTrain): σ =
// shift(linspace(1, 0, numTrain + 1)[:-1]) with torch.linspace's float32 arithmetic; timesteps = 1000·σ.
LongSamplerSchedule fromNvlabs(std::span<const double> list, double shift, int numTrain) {
    const int64_t steps = int64_t(numTrain) + 1, halfway = steps / 2;
    const float step = (0.0f - 1.0f) / float(steps - 1);
    std::vector<float> sigma, sched;
    for (int64_t i = 0; i < numTrain; ++i) {
        const float lin = i < halfway ? 1.0f + step * float(i) : 0.0f - step * float(steps - i - 1);
        sigma.push_back(shifted(lin, shift));
        sched.push_back(sigma.back() * float(numTrain));
    }
    LongSamplerSchedule s;
    // LongLiveFlowEuler drops a trailing 0 from the list.
    const size_t n = list.size() > 1 && list.back() == 0.0 ? list.size() - 1 : list.size();
    for (size_t i = 0; i < n; ++i) {
        s.modelTimesteps.push_back(std::trunc(list[i]));             // forward_long: timestep.long()
        s.sigmas.push_back(double(sigma[nearest(sched, list[i])]));  // _convert_flow_pred_to_x0
        if (i > 0) s.renoiseSigmas.push_back(sigma[nearest(sched, std::trunc(list[i]))]);  // add_noise (long)
    }
    return s;
}

}  // namespace

LongSamplerSchedule LongSamplerSchedule::make(std::span<const double> list, double shift,
                                              LongSigmaSource source, int numTrain) {
    SV_CHECK(!list.empty(), "LongSANA: the denoising step list is empty");
    SV_CHECK(std::isfinite(shift) && shift > 0, "LongSANA: flow shift ", shift, " must be positive");
    SV_CHECK(numTrain >= 1, "LongSANA: num_train_timesteps ", numTrain, " must be positive");
    for (size_t i = 0; i < list.size(); ++i) {
        SV_CHECK(std::isfinite(list[i]) && list[i] >= 0 && list[i] <= numTrain, "LongSANA: step ", list[i],
                 " is outside [0, ", numTrain, "]");
        SV_CHECK(i == 0 || list[i] < list[i - 1], "LongSANA: the denoising steps must descend (", list[i - 1],
                 " then ", list[i], ")");
    }
    SV_CHECK(list[0] > 0, "LongSANA: the first denoising step must be above 0");
    return source == LongSigmaSource::Diffusers ? fromDiffusers(list, shift, numTrain)
                                                : fromNvlabs(list, shift, numTrain);
}

std::vector<int64_t> longVideoChunks(int64_t latentFrames, int64_t chunkFrames) {
    SV_CHECK(latentFrames >= 1, "LongSANA: ", latentFrames, " latent frames");
    SV_CHECK(chunkFrames >= 1, "LongSANA: chunks of ", chunkFrames, " latent frames");
    const int64_t remainder = latentFrames % chunkFrames, count = latentFrames / chunkFrames;
    std::vector<int64_t> bounds = {0};
    for (int64_t i = 0; i < count; ++i)
        bounds.push_back(bounds.back() + chunkFrames + (i == 0 ? remainder : 0));
    if (bounds.back() < latentFrames) bounds.push_back(latentFrames);
    return bounds;
}

LongVideoNoise::LongVideoNoise(uint64_t seed, const Shape& latentShape, bool drawInitial)
    : shape_(latentShape), generator_(seed) {
    SV_CHECK(latentShape.size() == 5, "LongSANA noise: latent shape ", shapeToString(latentShape),
             " must be [B, C, F, h, w]");
    int64_t n = 1;
    for (int64_t d : latentShape) n *= d;
    if (drawInitial) initial_.emplace(generator_, n);
}

Tensor LongVideoNoise::initial(int64_t f0, int64_t f1) const {
    const int64_t B = shape_[0], C = shape_[1], F = shape_[2], plane = shape_[3] * shape_[4];
    SV_ASSERT_MSG(initial_ && 0 <= f0 && f0 < f1 && f1 <= F, "LongVideoNoise::initial: frames [", f0, ", ",
                  f1, ") of ", F, initial_ ? "" : " (no initial noise was drawn)");
    Tensor out = Tensor::empty({B, C, f1 - f0, shape_[3], shape_[4]}, DType::F32);
    float* p = out.data<float>();
    const int64_t run = (f1 - f0) * plane;  // contiguous in the full tensor for one (b, c)
    for (int64_t bc = 0; bc < B * C; ++bc)
        initial_->fill((bc * F + f0) * plane, std::span<float>(p + bc * run, size_t(run)));
    return out;
}

Tensor LongVideoNoise::next(int64_t frames) {
    const int64_t B = shape_[0], C = shape_[1];
    const Tensor bfchw = generator_.randn({B, frames, C, shape_[3], shape_[4]}, DType::F32);
    return bfchw.permute({0, 2, 1, 3, 4}).contiguous();
}

}  // namespace sv
