// The engine's worker threads: a small query pool, and one thread per key with operations
// (see workers.hpp). Threads are detached and share the State: one stuck for good must
// neither be joined at shutdown nor keep the process from exiting.
#include "mycompose/daemon/workers.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

namespace mycompose::daemon {

struct Workers::State {
  struct Job {
    Work work, done;
  };

  Limits limits;
  std::mutex m;
  std::condition_variable work_cv;  // idle query threads
  std::condition_variable idle_cv;  // wait(): a thread ended
  bool closed = false;
  uv_async_t* async = nullptr;
  std::vector<Work> finished;  // `done`s for the loop

  std::deque<Job> queries;
  std::size_t query_threads = 0, query_idle = 0, queries_running = 0;

  std::map<std::string, std::deque<Job>> operations;  // waiting, per key
  std::set<std::string> active;                       // keys on a thread now
  std::deque<std::string> turn;                       // keys waiting for a thread
  std::size_t operation_threads = 0, operations_waiting = 0, operations_running = 0;

  // With m held.
  void finish(Work done) {
    if (closed || !async || !done) return;
    finished.push_back(std::move(done));
    uv_async_send(async);
  }
};

namespace {

using State = Workers::State;

void run_guarded(const Workers::Work& work) {
  try {
    work();
  } catch (const std::exception& e) {
    spdlog::error("worker: {}", e.what());
  } catch (...) {
    spdlog::error("worker: unknown exception");
  }
}

void query_thread(std::shared_ptr<State> s) {
  std::unique_lock<std::mutex> l(s->m);
  for (;;) {
    while (!s->closed && s->queries.empty()) {
      ++s->query_idle;
      s->work_cv.wait(l);
      --s->query_idle;
    }
    if (s->closed) break;
    State::Job job = std::move(s->queries.front());
    s->queries.pop_front();
    ++s->queries_running;
    l.unlock();
    run_guarded(job.work);
    job.work = nullptr;  // its captures go here, off the lock
    l.lock();
    --s->queries_running;
    s->finish(std::move(job.done));
  }
  --s->query_threads;
  s->idle_cv.notify_all();
}

// Runs `key`'s operations in order, then those of the keys waiting for a thread.
void operation_thread(std::shared_ptr<State> s, std::string key) {
  std::unique_lock<std::mutex> l(s->m);
  for (;;) {
    auto it = s->operations.find(key);
    if (!s->closed && it != s->operations.end() && !it->second.empty()) {
      State::Job job = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) s->operations.erase(it);
      --s->operations_waiting;
      ++s->operations_running;
      l.unlock();
      run_guarded(job.work);
      job.work = nullptr;
      l.lock();
      --s->operations_running;
      s->finish(std::move(job.done));
      continue;
    }
    s->active.erase(key);
    if (s->closed || s->turn.empty()) break;
    key = std::move(s->turn.front());
    s->turn.pop_front();
    s->active.insert(key);
  }
  --s->operation_threads;
  s->idle_cv.notify_all();
}

// std::thread throws when the system has no thread to give.
bool start_thread(const std::function<void()>& body) {
  try {
    std::thread(body).detach();
    return true;
  } catch (const std::system_error& e) {
    spdlog::warn("worker: cannot start a thread: {}", e.what());
    return false;
  }
}

}  // namespace

Workers::Workers(uv_loop_t* loop, Limits limits) : state_(std::make_shared<State>()) {
  state_->limits = limits;
  auto* a = new uv_async_t;
  a->data = state_.get();
  uv_async_init(loop, a, [](uv_async_t* h) {
    auto* s = static_cast<State*>(h->data);
    std::vector<Work> done;
    {
      std::lock_guard<std::mutex> l(s->m);
      done.swap(s->finished);
    }
    for (auto& d : done) run_guarded(d);
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(a));  // work in flight does not keep the loop up
  state_->async = a;
}

Workers::~Workers() {
  close();
  std::unique_lock<std::mutex> l(state_->m);
  state_->idle_cv.wait(l, [&] { return state_->query_threads == 0 && state_->operation_threads == 0; });
}

bool Workers::query(Work work, Work done) {
  auto& s = *state_;
  std::lock_guard<std::mutex> l(s.m);
  if (s.closed || s.queries.size() >= s.limits.query_queue) return false;
  s.queries.push_back({std::move(work), std::move(done)});
  if (s.query_idle == 0 && s.query_threads < s.limits.query_threads) {
    ++s.query_threads;
    if (!start_thread([st = state_] { query_thread(st); })) {
      --s.query_threads;
      if (s.query_threads == 0) {  // nobody would ever take it
        s.queries.pop_back();
        return false;
      }
    }
  }
  s.work_cv.notify_one();
  return true;
}

bool Workers::operation(const std::string& key, Work work, Work done) {
  auto& s = *state_;
  std::lock_guard<std::mutex> l(s.m);
  if (s.closed || s.operations_waiting >= s.limits.operation_queue) return false;
  s.operations[key].push_back({std::move(work), std::move(done)});
  ++s.operations_waiting;
  if (s.active.count(key) || std::find(s.turn.begin(), s.turn.end(), key) != s.turn.end()) return true;
  if (s.operation_threads >= s.limits.operation_threads) {
    s.turn.push_back(key);
    return true;
  }
  s.active.insert(key);
  ++s.operation_threads;
  if (start_thread([st = state_, key] { operation_thread(st, key); })) return true;
  --s.operation_threads;
  s.active.erase(key);
  auto& q = s.operations[key];
  q.pop_back();
  --s.operations_waiting;
  if (q.empty()) s.operations.erase(key);
  return false;
}

void Workers::close() {
  auto& s = *state_;
  std::deque<State::Job> queries;
  std::map<std::string, std::deque<State::Job>> operations;
  std::vector<Work> finished;
  uv_async_t* a = nullptr;
  {
    std::lock_guard<std::mutex> l(s.m);
    if (s.closed) return;
    s.closed = true;
    queries.swap(s.queries);
    operations.swap(s.operations);
    finished.swap(s.finished);
    s.turn.clear();
    s.operations_waiting = 0;
    std::swap(a, s.async);
  }
  s.work_cv.notify_all();
  if (a) uv_close(reinterpret_cast<uv_handle_t*>(a), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  // The dropped work's captures (responders…) go here, on the loop, outside the lock.
}

bool Workers::wait(std::chrono::milliseconds timeout) {
  auto& s = *state_;
  std::unique_lock<std::mutex> l(s.m);
  return s.idle_cv.wait_for(l, timeout, [&] { return s.query_threads == 0 && s.operation_threads == 0; });
}

Workers::Counts Workers::counts() const {
  auto& s = *state_;
  std::lock_guard<std::mutex> l(s.m);
  return {s.queries_running, s.queries.size(), s.operations_running, s.operations_waiting};
}

}  // namespace mycompose::daemon
