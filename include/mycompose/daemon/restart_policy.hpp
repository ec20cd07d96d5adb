#pragma once
// Restart policies as Docker has them (no, always, on-failure[:N], unless-stopped) and its
// restart manager's backoff: 100 ms doubling up to 1 min, back to 100 ms after 10 s up.
#include <chrono>
#include <string>
#include <string_view>

namespace mycompose::daemon {

struct RestartPolicy {
  enum class Mode { No, Always, OnFailure, UnlessStopped };
  Mode mode = Mode::No;
  int max_retries = 0;  // on-failure:N; 0 means no limit, as in Docker

  // "no", "always", "on-failure", "on-failure:3", "unless-stopped" ("" is "no"); throws
  // Error naming the bad value.
  static RestartPolicy parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const RestartPolicy&) const = default;
};

// Whether a container that exited with exit_code, after restart_count restarts, starts again.
// A container the user stopped stays stopped (Docker's "has been manually stopped").
bool should_restart(const RestartPolicy& policy, int exit_code, int restart_count, bool stopped_by_user);

class RestartBackoff {
 public:
  static constexpr std::chrono::milliseconds kInitial{100};
  static constexpr std::chrono::milliseconds kMax{60000};
  static constexpr std::chrono::milliseconds kResetAfter{10000};

  // The delay before the next restart of a container that ran for ran_for.
  std::chrono::milliseconds next(std::chrono::milliseconds ran_for);
  std::chrono::milliseconds current() const { return current_; }

 private:
  std::chrono::milliseconds current_{0};
};

}  // namespace mycompose::daemon
