#pragma once
// One error convention for the whole project: exceptions derived from mycompose::Error whose
// what() is the complete, user-facing message (it names the file, object or syscall involved).
#include <stdexcept>
#include <string>

namespace mycompose {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), exit_code_(exit_code) {}
  // The process exit status the CLI uses for this error (Docker uses 125/126/127 in places).
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// A failed system call: "<what>: <strerror(err)>", e.g. "open /x/config.json: No such file...".
class SystemError : public Error {
 public:
  SystemError(const std::string& what, int err);
  int error_number() const { return errno_; }

 private:
  int errno_;
};

// Throws SystemError(what, errno) when rc < 0; returns rc otherwise.
long check_syscall(long rc, const std::string& what);

}  // namespace mycompose
