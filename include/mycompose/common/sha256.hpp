#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace mycompose {

// Incremental SHA-256 (OpenSSL); hex() gives the lower-case digest.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finalizes; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);

}  // namespace mycompose
