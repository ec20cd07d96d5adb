#pragma once
// The one way to own a libuv handle: a heap object whose handles are members and that deletes
// itself once libuv has closed the last of them. Header-only: common does not link libuv;
// whoever includes this does.
#include <uv.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace mycompose {

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

// A timer as a UvObject: its owner keeps the pointer and calls close() (never delete); the
// callback never runs once close() was called. The callback may close the timer itself.
class UvTimer final : public UvObject {
 public:
  static UvTimer* open(uv_loop_t* loop, std::function<void(UvTimer&)> fire) {
    auto* t = new UvTimer(std::move(fire));
    uv_timer_init(loop, &t->timer_);  // cannot fail for a timer
    t->adopt(&t->timer_);
    return t;
  }
  void start(std::uint64_t timeout_ms, std::uint64_t repeat_ms = 0) {
    if (!closing()) uv_timer_start(&timer_, &UvTimer::fired, timeout_ms, repeat_ms);
  }
  void stop() { uv_timer_stop(&timer_); }
  bool active() const { return uv_is_active(reinterpret_cast<const uv_handle_t*>(&timer_)) != 0; }
  // Does not keep the loop running by itself.
  void unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&timer_)); }

 private:
  explicit UvTimer(std::function<void(UvTimer&)> fire) : fire_(std::move(fire)) {}
  ~UvTimer() override = default;
  void on_close() override { uv_timer_stop(&timer_); }
  static void fired(uv_timer_t* h) {
    auto* self = of<UvTimer>(h);
    if (!self->closing()) self->fire_(*self);
  }
  uv_timer_t timer_{};
  std::function<void(UvTimer&)> fire_;
};

}  // namespace mycompose
