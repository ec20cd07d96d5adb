#pragma once
// One scoped undo: the steps of an operation that creates several things, undone in reverse
// order when the scope is left before commit() (an exception, an early return), so a failure
// half-way leaves nothing behind. Undo steps must not throw past it: an error is swallowed,
// because the error to report is the one that stopped the operation (system check finds
// what an undo could not remove).
#include <functional>
#include <vector>

namespace mycompose {

class UndoSteps {
 public:
  UndoSteps() = default;
  UndoSteps(const UndoSteps&) = delete;
  UndoSteps& operator=(const UndoSteps&) = delete;
  ~UndoSteps() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) try {
        (*it)();
      } catch (...) {
      }
  }
  // Add right after the thing it undoes exists.
  void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  // The operation succeeded: keep everything.
  void commit() noexcept { committed_ = true; }

 private:
  std::vector<std::function<void()>> steps_;
  bool committed_ = false;
};

}  // namespace mycompose
