#pragma once
// Shared by the DNS server and the port proxy: libuv requests that own their bytes, and
// socket address helpers.
#include <netinet/in.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mycompose/common/uv_object.hpp"

namespace mycompose::net::uvutil {

using mycompose::UvObject;  // common/uv_object.hpp

// A write/send request with its own copy of the bytes.
template <class Req>
struct OwnedReq {
  Req req;
  std::string data;
  void* owner = nullptr;
  uv_buf_t buf() { return uv_buf_init(data.data(), static_cast<unsigned>(data.size())); }
};

// "1.2.3.4" / "1.2.3.4:53" / "::1" / "[::1]:53" -> address; false when it is none of these.
bool parse_endpoint(const std::string& text, std::uint16_t default_port, sockaddr_storage& out);
std::string endpoint_text(const sockaddr* addr);         // "1.2.3.4:53", "[::1]:53"
std::string address_text(const sockaddr* addr);          // "1.2.3.4", "::1"
std::uint16_t port_of(const sockaddr* addr);
bool same_endpoint(const sockaddr* a, const sockaddr* b);
std::string uv_error_text(int status);                   // uv_strerror
// Throws SystemError("<what>: <strerror>") when a libuv call returned an error (-errno).
void check_uv(int rc, const std::string& what);

}  // namespace mycompose::net::uvutil
