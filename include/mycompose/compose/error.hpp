#pragma once
#include <string>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// A user error in a Compose file: what() is "file:line:col: message".
class ComposeError : public Error {
 public:
  ComposeError(const Mark& mark, const std::string& message);
  explicit ComposeError(const std::string& message) : Error(message) {}
  const Mark& mark() const { return mark_; }

 private:
  Mark mark_;
};

}  // namespace mycompose::compose
