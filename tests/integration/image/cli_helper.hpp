#pragma once
// Runs the built mycompose binary against a test's own MYCOMPOSE_ROOT and captures its output.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mycompose/common/fs.hpp"

namespace mycompose::image::test {

struct RunResult {
  int status = -1;
  std::string out, err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `args` is appended to the command line as is (quote with shell_quote where needed).
inline RunResult run_mycompose(const std::filesystem::path& root, const std::string& args, const std::string& stdin_file = "") {
  const char* bin = std::getenv("MYCOMPOSE_BIN");
  if (!bin) throw std::runtime_error("MYCOMPOSE_BIN is not set");
  auto err_file = root.parent_path() / ("stderr-" + std::to_string(::getpid()));
  std::string cmd = "MYCOMPOSE_ROOT=" + shell_quote(root.string()) + " " + shell_quote(bin) + " " + args +
                    " 2>" + shell_quote(err_file.string()) + (stdin_file.empty() ? " </dev/null" : " <" + shell_quote(stdin_file));
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::error_code ec;
  if (std::filesystem::exists(err_file, ec)) {
    r.err = fs::read_file(err_file);
    std::filesystem::remove(err_file, ec);
  }
  return r;
}

}  // namespace mycompose::image::test
