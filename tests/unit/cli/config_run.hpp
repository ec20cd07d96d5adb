#pragma once
// Runs the mycompose binary for the config tests: in `dir`, with a clean environment (only
// PATH, HOME=/home/golden and `env`), stdout and stderr captured separately.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace config_test {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string source_dir() {
  const char* s = std::getenv("MYCOMPOSE_SRC");
  if (!s) throw std::runtime_error("MYCOMPOSE_SRC is not set (run through ctest)");
  return s;
}

inline Result run_config(const std::filesystem::path& dir, const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {}) {
  const char* bin = std::getenv("MYCOMPOSE_BIN");
  if (!bin) throw std::runtime_error("MYCOMPOSE_BIN is not set (run through ctest)");
  char err_tmpl[] = "/tmp/mycompose-config-err-XXXXXX";
  int fd = mkstemp(err_tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  std::string cmd = "cd " + quote(dir.string()) + " && env -i PATH=/usr/bin:/bin HOME=/home/golden";
  for (const auto& e : env) cmd += " " + quote(e);
  cmd += " " + quote(bin);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>" + quote(err_tmpl) + " </dev/null";
  Result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err_tmpl);
  std::filesystem::remove(err_tmpl);
  return r;
}

// `text` with every occurrence of `from` replaced by `to`.
inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
  return text;
}

}  // namespace config_test
