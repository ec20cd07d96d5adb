#include "mycompose/common/random.hpp"

#include <sys/random.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose {

void random_bytes(void* buf, std::size_t len) {
  auto* p = static_cast<unsigned char*>(buf);
  std::size_t got = 0;
  while (got < len) {
    const ssize_t n = ::getrandom(p + got, len - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("getrandom", errno);
    }
    got += static_cast<std::size_t>(n);
  }
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  random_bytes(raw.data(), raw.size());
  std::string out;
  out.reserve(2 * bytes);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace mycompose
