#pragma once
// Test helper: a libuv loop on its own thread, so the test's main thread can use plain
// blocking sockets against a DnsServer or PortProxy. Objects living on the loop are made,
// used and destroyed on the loop thread through run().
#include <uv.h>

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace nettest {

class LoopThread {
 public:
  LoopThread() {
    uv_loop_init(&loop_);
    uv_async_init(&loop_, &async_, &LoopThread::drain);
    async_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~LoopThread() {
    run([this] { uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr); });
    thread_.join();
    uv_loop_close(&loop_);
  }
  uv_loop_t* loop() { return &loop_; }

  // Runs f on the loop thread and waits for it; exceptions come back to the caller.
  template <class F>
  auto run(F f) -> decltype(f()) {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    auto result = task->get_future();
    {
      std::lock_guard lock(mutex_);
      queue_.push_back([task] { (*task)(); });
    }
    uv_async_send(&async_);
    return result.get();
  }

  // A T built on the loop thread and deleted there when the last pointer goes.
  template <class T, class... Args>
  std::shared_ptr<T> make(Args&&... args) {
    T* p = run([&] { return new T(&loop_, std::forward<Args>(args)...); });
    return std::shared_ptr<T>(p, [this](T* q) { run([q] { delete q; }); });
  }

 private:
  static void drain(uv_async_t* a) {
    auto* self = static_cast<LoopThread*>(a->data);
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(self->mutex_);
      tasks.swap(self->queue_);
    }
    for (auto& t : tasks) t();
  }

  uv_loop_t loop_{};
  uv_async_t async_{};
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;
  std::thread thread_;
};

}  // namespace nettest
