#pragma once
// Shared by the DNS server and the port proxy: heap objects that own libuv handles, and
// socket address helpers.
#include <netinet/in.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mycompose::net::uvutil {

// Base of a heap object whose uv handles are members. close() asks libuv to close every
// adopted handle and deletes the object once the last close callback ran, i.e. after
// libuv has delivered every pending write/send/connect callback (with UV_ECANCELED), so
// no callback can ever see a freed object. Callbacks check closing() before acting.
class UvObject {
 public:
  UvObject() = default;
  UvObject(const UvObject&) = delete;
  UvObject& operator=(const UvObject&) = delete;

  void close() {
    if (closing_) return;
    closing_ = true;
    on_close();
    if (handles_.empty()) {
      delete this;
      return;
    }
    for (uv_handle_t* h : handles_) uv_close(h, &UvObject::closed);
  }
  bool closing() const { return closing_; }

  template <class Derived, class Handle>
  static Derived* of(Handle* h) {
    return static_cast<Derived*>(static_cast<UvObject*>(reinterpret_cast<uv_handle_t*>(h)->data));
  }

 protected:
  virtual ~UvObject() = default;
  // Called once when close() starts, before any handle is closed (unregister here).
  virtual void on_close() {}
  // Call right after a successful uv_*_init of a member handle.
  template <class Handle>
  void adopt(Handle* h) {
    auto* base = reinterpret_cast<uv_handle_t*>(h);
    base->data = static_cast<UvObject*>(this);
    handles_.push_back(base);
  }

 private:
  static void closed(uv_handle_t* h) {
    auto* self = static_cast<UvObject*>(h->data);
    if (++self->closed_ == self->handles_.size()) delete self;
  }
  std::vector<uv_handle_t*> handles_;
  std::size_t closed_ = 0;
  bool closing_ = false;
};

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
