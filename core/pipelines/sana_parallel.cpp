#include "pipelines/sana_parallel.h"

#include "parallel/frame_split.h"

namespace sv {

namespace {

TransformerTextContext sliceRows(const TransformerTextContext& t, int64_t begin, int64_t end) {
    TransformerTextContext out;
    if (t.bias.defined()) out.bias = t.bias.slice(0, begin, end).contiguous();
    out.captionNorm = t.captionNorm.slice(0, begin, end).contiguous();
    for (const Tensor& k : t.crossKeys) out.crossKeys.push_back(k.slice(0, begin, end).contiguous());
    for (const Tensor& v : t.crossValues) out.crossValues.push_back(v.slice(0, begin, end).contiguous());
    return out;
}

int groupSize(const Communicator* c) {
    return c != nullptr ? c->size() : 1;
}

}  // namespace

ModelCall parallelModelCall(const SanaTransformer& model, const TransformerTextContext& text, int64_t rows,
                            const SamplingRanks& ranks) {
    const int cfgRanks = groupSize(ranks.cfg);
    SV_CHECK(cfgRanks <= 2, "CFG-parallel sampling splits the CFG batch over 2 GPUs, not ", cfgRanks);
    SV_CHECK(cfgRanks == 1 || (rows % 2 == 0 && rows >= 2),
             "CFG-parallel sampling needs classifier-free guidance (a guidance scale above 1)");
    // The CFG batch is [unconditional rows; conditional rows] (cfgEmbeds): cfg rank 0 takes the first half.
    const int64_t part = rows / cfgRanks;
    const int64_t rowBegin = cfgRanks == 2 ? ranks.cfg->rank() * part : 0;
    const std::vector<FrameRange> rowRanges =
        cfgRanks == 2 ? std::vector<FrameRange>{{0, part}, {part, rows}} : std::vector<FrameRange>{{0, rows}};
    TransformerTextContext localText = cfgRanks == 2 ? sliceRows(text, rowBegin, rowBegin + part) : text;
    const auto patch = model.config().patchSize;
    return [&model, ranks, rows, part, rowBegin, rowRanges, patch, localText = std::move(localText)](
               const Tensor& input, const Tensor& timestep) {
        const int64_t pt = patch[0], Ft = input.dim(2) / pt, Ht = input.dim(3) / patch[1],
                      Wt = input.dim(4) / patch[2];
        const bool perToken = timestep.numel() != rows;
        Tensor x = input.slice(0, rowBegin, rowBegin + part);
        Tensor ts = perToken ? timestep.view({rows, 1, Ft, Ht, Wt}).slice(0, rowBegin, rowBegin + part)
                             : timestep.view({rows}).slice(0, rowBegin, rowBegin + part);
        Tensor out;
        if (groupSize(ranks.sequence) > 1) {
            Communicator& seq = *ranks.sequence;
            const std::vector<FrameRange> frames = splitFrames(Ft, seq.size());
            const FrameRange mine = frames[size_t(seq.rank())];
            x = x.slice(2, mine.begin * pt, mine.end * pt);
            if (perToken) ts = ts.slice(2, mine.begin, mine.end);
            const Tensor local = model.forward(x.contiguous(), ts.contiguous(), localText,
                                               SequenceShard{.comm = &seq, .frameOffset = mine.begin});
            std::vector<FrameRange> latentFrames;  // the same split in latent frames
            for (const FrameRange& f : frames) latentFrames.push_back({f.begin * pt, f.end * pt});
            out = gatherParts(seq, local, 2, latentFrames);
        } else {
            out = model.forward(x.contiguous(), ts.contiguous(), localText);
        }
        return groupSize(ranks.cfg) == 2 ? gatherParts(*ranks.cfg, out, 0, rowRanges) : out;
    };
}

bool allRanksContinue(const SamplingRanks& ranks, bool mine, Device device) {
    Tensor stop = Tensor::full({1}, mine ? 0.0f : 1.0f, DType::F32).to(device);
    if (groupSize(ranks.sequence) > 1) ranks.sequence->allReduceSum(stop);
    if (groupSize(ranks.cfg) > 1) ranks.cfg->allReduceSum(stop);
    return stop.to(Device::cpu()).item(0) == 0.0;
}

}  // namespace sv
