#pragma once
// Where the engine runs what must not run on its loop. Two kinds of work, kept apart so that
// neither can starve the other (they shared libuv's four pool threads: four `stop -t 20` of
// one project made every `ps` wait, and four hung `up`s stopped the engine for everyone):
//
// - queries: short reads (ps, ls, top, stats, network ls) on a small pool of their own;
// - operations: long work (up, down, stop…) serialized per key (a project, "networks"):
//   each key with work runs on a thread of its own, the same thread taking that key's next
//   operation in order. At most `operation_threads` keys run at once; further keys wait
//   their turn (FIFO). A thread that never returns (a syscall that blocks for good) costs
//   its key and one of those threads, never the queries or the other keys.
//
// Every queue is bounded: past it, work is refused (the route answers 503). `done` runs on
// the loop after `work` returns; after close() no `done` runs. wait() lets the engine exit
// on time when a thread is stuck: it gives up after its timeout, and the process exits
// without that thread.
#include <uv.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace mycompose::daemon {

class Workers {
 public:
  struct Limits {
    std::size_t query_threads = 3;
    std::size_t query_queue = 256;      // waiting queries
    std::size_t operation_threads = 16;
    std::size_t operation_queue = 256;  // waiting operations, all keys together
  };
  using Work = std::function<void()>;

  Workers(uv_loop_t* loop, Limits limits);
  explicit Workers(uv_loop_t* loop) : Workers(loop, Limits{}) {}
  // Closes, then waits for running work without limit (an engine used inside a test);
  // the engine program waits with a timeout first and exits if that runs out.
  ~Workers();
  Workers(const Workers&) = delete;

  // False when refused: closed, or the queue is full.
  bool query(Work work, Work done);
  bool operation(const std::string& key, Work work, Work done);

  // On the loop, at shutdown: nothing more is accepted, waiting work is dropped, no `done`
  // runs any more. Running work goes on until it returns.
  void close();
  // True once no work runs; false if some still does after `timeout`.
  bool wait(std::chrono::milliseconds timeout);

  struct Counts {
    std::size_t queries_running, queries_waiting, operations_running, operations_waiting;
  };
  Counts counts() const;

  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with the threads, which may outlive this
};

}  // namespace mycompose::daemon
