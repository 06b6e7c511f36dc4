#include "parallel/in_process.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sv {

struct InProcessGroup::State {
    explicit State(int n) : size(n), slots(size_t(n), nullptr) {}

    int size;
    std::mutex mutex;
    std::condition_variable cv;
    int arrived = 0;
    uint64_t generation = 0;
    bool aborted = false;
    std::vector<const Tensor*> slots;                        // allReduceSum: each rank's host copy
    std::map<std::pair<int, int>, std::deque<Tensor>> mail;  // (from, to) → host copies in flight

    void throwIfAborted() const {
        SV_CHECK(!aborted, "in-process communicator: another rank failed; this collective cannot complete");
    }
    // A cyclic barrier; the caller holds `lock`.
    void arriveAndWait(std::unique_lock<std::mutex>& lock) {
        throwIfAborted();
        const uint64_t gen = generation;
        if (++arrived == size) {
            arrived = 0;
            ++generation;
            cv.notify_all();
            return;
        }
        cv.wait(lock, [&] { return generation != gen || aborted; });
        throwIfAborted();
    }
};

namespace {

Tensor hostCopy(const Tensor& t) {
    return t.device().isCpu() ? t.contiguous().clone() : t.to(Device::cpu()).contiguous();
}

class InProcessCommunicator final : public Communicator {
  public:
    InProcessCommunicator(InProcessGroup::State& state, int rank) : s_(state), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return s_.size; }

    void allReduceSum(Tensor& t) override {
        SV_ASSERT_MSG(t.defined() && t.dtype() == DType::F32 && t.isContiguous(),
                      "allReduceSum: a contiguous F32 tensor, got ", t.defined() ? t.describe() : "nothing");
        const Tensor mine = hostCopy(t);
        {
            std::unique_lock lock(s_.mutex);
            s_.slots[size_t(rank_)] = &mine;
            s_.arriveAndWait(lock);  // every slot is filled
        }
        // Every rank adds the same copies in rank order, so every rank gets bit-identical sums.
        Tensor sum = s_.slots[0]->clone();
        float* out = sum.data<float>();
        for (int r = 1; r < s_.size; ++r) {
            const Tensor& other = *s_.slots[size_t(r)];
            SV_ASSERT_MSG(other.shape() == sum.shape(), "allReduceSum: rank ", r, " sent ", other.describe(),
                          ", rank 0 ", sum.describe());
            const float* in = other.data<float>();
            for (int64_t i = 0; i < sum.numel(); ++i) out[i] += in[i];
        }
        {
            std::unique_lock lock(s_.mutex);
            s_.arriveAndWait(lock);  // nobody reads `mine` any more
        }
        t.copyFrom(sum);
    }

    void sendRecv(const Tensor& send, int to, Tensor& recv, int from) override {
        SV_ASSERT_MSG(
            to >= kNone && to < s_.size && from >= kNone && from < s_.size && to != rank_ && from != rank_,
            "sendRecv: rank ", rank_, " of ", s_.size, " sends to ", to, ", receives from ", from);
        if (to != kNone) {
            Tensor copy = hostCopy(send);
            std::lock_guard lock(s_.mutex);
            s_.mail[{rank_, to}].push_back(std::move(copy));
            s_.cv.notify_all();
        }
        if (from == kNone) return;
        Tensor got;
        {
            std::unique_lock lock(s_.mutex);
            auto& box = s_.mail[{from, rank_}];
            s_.cv.wait(lock, [&] { return !box.empty() || s_.aborted; });
            s_.throwIfAborted();
            got = std::move(box.front());
            box.pop_front();
        }
        SV_ASSERT_MSG(got.shape() == recv.shape() && got.dtype() == recv.dtype(), "sendRecv: rank ", from,
                      " sent ", got.describe(), " to rank ", rank_, ", which expects ", recv.describe());
        recv.copyFrom(got);
    }

    void barrier() override {
        std::unique_lock lock(s_.mutex);
        s_.arriveAndWait(lock);
    }

  private:
    InProcessGroup::State& s_;
    int rank_;
};

}  // namespace

InProcessGroup::InProcessGroup(int size) : state_(std::make_unique<State>(size)) {
    SV_ASSERT_MSG(size >= 1, "InProcessGroup of ", size, " ranks");
    for (int r = 0; r < size; ++r) ranks_.push_back(std::make_unique<InProcessCommunicator>(*state_, r));
}

InProcessGroup::~InProcessGroup() = default;

int InProcessGroup::size() const {
    return state_->size;
}

Communicator& InProcessGroup::rank(int r) {
    SV_ASSERT_MSG(r >= 0 && r < size(), "InProcessGroup::rank(", r, ") of ", size());
    return *ranks_[size_t(r)];
}

void InProcessGroup::abort() {
    std::lock_guard lock(state_->mutex);
    state_->aborted = true;
    state_->cv.notify_all();
}

void runRanks(InProcessGroup& group, const std::function<void(int rank)>& body) {
    // The first failure is the cause; the others are ranks woken by abort().
    std::mutex mutex;
    std::exception_ptr first;
    std::vector<std::thread> threads;
    for (int r = 0; r < group.size(); ++r)
        threads.emplace_back([&, r] {
            try {
                body(r);
            } catch (...) {
                {
                    std::lock_guard lock(mutex);
                    if (!first) first = std::current_exception();
                }
                group.abort();
            }
        });
    for (std::thread& t : threads) t.join();
    if (first) std::rethrow_exception(first);
}

}  // namespace sv
