#include "mycompose/common/sha256.hpp"

// OpenSSL's SHA256_* functions, not EVP: EVP's first use initialises the provider machinery
// and reads openssl.cnf, which maps ~3 MB of libcrypto into every process that hashes a
// name (the resident engine does at start). These are deprecated in 3.0 only in favour of
// EVP's provider choice, which a content digest does not need.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "mycompose/common/error.hpp"

namespace mycompose {

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (SHA256_Init(&impl_->ctx) != 1) throw Error("sha256: OpenSSL init failed");
}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t len) { SHA256_Update(&impl_->ctx, data, len); }

std::string Sha256::hex() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  const unsigned n = SHA256_DIGEST_LENGTH;
  SHA256_Final(md, &impl_->ctx);
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

}  // namespace mycompose
