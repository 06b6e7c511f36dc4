#include "base/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sv {

namespace {

thread_local bool tInsidePool = false;

class ThreadPool {
  public:
    explicit ThreadPool(int n) {
        for (int i = 0; i < n - 1; ++i) workers_.emplace_back([this] { loop(); });
    }
    ~ThreadPool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : workers_) t.join();
    }

    int size() const { return int(workers_.size()) + 1; }

    void run(int64_t chunks, const std::function<void(int64_t)>& task) {
        std::unique_lock runLock(runMutex_);  // one parallel region at a time
        {
            std::lock_guard lock(mutex_);
            task_ = &task;
            next_ = 0;
            total_ = chunks;
            done_ = 0;
            error_ = nullptr;
            ++generation_;
        }
        cv_.notify_all();
        work();
        std::unique_lock lock(mutex_);
        doneCv_.wait(lock, [&] { return done_ == total_; });
        task_ = nullptr;
        if (error_) std::rethrow_exception(error_);
    }

  private:
    void work() {
        tInsidePool = true;
        for (;;) {
            int64_t i;
            const std::function<void(int64_t)>* task;
            {
                std::lock_guard lock(mutex_);
                if (!task_ || next_ >= total_) break;
                i = next_++;
                task = task_;
            }
            try {
                (*task)(i);
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
            std::lock_guard lock(mutex_);
            if (++done_ == total_) doneCv_.notify_all();
        }
        tInsidePool = false;
    }

    void loop() {
        uint64_t seen = 0;
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
            }
            work();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex runMutex_;
    std::mutex mutex_;
    std::condition_variable cv_, doneCv_;
    const std::function<void(int64_t)>* task_ = nullptr;
    int64_t next_ = 0, total_ = 0, done_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

ThreadPool& pool() {
    static ThreadPool p(cpuThreadCount());
    return p;
}

}  // namespace

int cpuThreadCount() {
    static const int n = [] {
        if (const char* env = std::getenv("SV_NUM_THREADS")) {
            int v = std::atoi(env);
            if (v > 0) return v;
        }
        return std::max(1, int(std::thread::hardware_concurrency()));
    }();
    return n;
}

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int threads = cpuThreadCount();
    if (threads == 1 || n <= grain || tInsidePool) {
        fn(0, n);
        return;
    }
    int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, int64_t(threads) * 4);
    int64_t per = (n + chunks - 1) / chunks;
    chunks = (n + per - 1) / per;
    pool().run(chunks, [&](int64_t c) { fn(c * per, std::min(n, (c + 1) * per)); });
}

}  // namespace sv
