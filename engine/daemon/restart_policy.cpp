// Docker's restart semantics (moby restartmanager): the policy decides whether, the backoff
// decides when.
#include "mycompose/daemon/restart_policy.hpp"

#include <algorithm>
#include <charconv>

#include "mycompose/common/error.hpp"

namespace mycompose::daemon {

RestartPolicy RestartPolicy::parse(std::string_view text) {
  RestartPolicy p;
  if (text.empty() || text == "no") return p;
  if (text == "always") p.mode = Mode::Always;
  else if (text == "unless-stopped") p.mode = Mode::UnlessStopped;
  else if (text == "on-failure") p.mode = Mode::OnFailure;
  else if (text.substr(0, 11) == "on-failure:") {
    std::string_view n = text.substr(11);
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), p.max_retries);
    if (n.empty() || ec != std::errc() || end != n.data() + n.size() || p.max_retries < 0)
      throw Error("invalid restart policy \"" + std::string(text) + "\": the maximum retry count must be a non-negative integer");
    p.mode = Mode::OnFailure;
  } else {
    throw Error("invalid restart policy \"" + std::string(text) +
                "\": expected no, always, on-failure[:max-retries] or unless-stopped");
  }
  return p;
}

std::string RestartPolicy::to_string() const {
  switch (mode) {
    case Mode::No: return "no";
    case Mode::Always: return "always";
    case Mode::UnlessStopped: return "unless-stopped";
    case Mode::OnFailure: return max_retries ? "on-failure:" + std::to_string(max_retries) : "on-failure";
  }
  return "no";
}

bool should_restart(const RestartPolicy& policy, int exit_code, int restart_count, bool stopped_by_user) {
  if (stopped_by_user) return false;
  switch (policy.mode) {
    case RestartPolicy::Mode::No: return false;
    case RestartPolicy::Mode::Always:
    case RestartPolicy::Mode::UnlessStopped: return true;
    case RestartPolicy::Mode::OnFailure:
      return exit_code != 0 && (policy.max_retries == 0 || restart_count < policy.max_retries);
  }
  return false;
}

std::chrono::milliseconds RestartBackoff::next(std::chrono::milliseconds ran_for) {
  if (ran_for >= kResetAfter) current_ = std::chrono::milliseconds(0);
  current_ = current_.count() == 0 ? kInitial : std::min(current_ * 2, kMax);
  return current_;
}

}  // namespace mycompose::daemon
