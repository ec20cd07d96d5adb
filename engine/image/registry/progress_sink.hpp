#pragma once
// Serializes progress events from the transfer threads to the caller's callback, and
// throttles "Downloading"/"Pushing" byte updates (a 45 MB layer would otherwise make
// thousands of lines in plain mode).
#include <chrono>
#include <map>
#include <mutex>

#include "mycompose/image/registry.hpp"

namespace mycompose::image::registry {

class ProgressSink {
 public:
  explicit ProgressSink(ProgressFn fn) : fn_(std::move(fn)) {}
  void emit(const std::string& id, const std::string& status, std::uint64_t current = 0, std::uint64_t total = 0) {
    if (!fn_) return;
    std::lock_guard lock(mu_);
    fn_(ProgressEvent{id, status, current, total});
  }
  // Byte progress: at most every 100 ms per id, and always the final value.
  void bytes(const std::string& id, const std::string& status, std::uint64_t current, std::uint64_t total) {
    if (!fn_) return;
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    auto& last = last_[id];
    if (current != total && now - last < std::chrono::milliseconds(100)) return;
    last = now;
    fn_(ProgressEvent{id, status, current, total});
  }

 private:
  ProgressFn fn_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

// "sha256:0123456789abcdef…" → "0123456789ab", the id docker pull shows per layer.
inline std::string short_id(const std::string& digest) {
  auto colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

}  // namespace mycompose::image::registry
