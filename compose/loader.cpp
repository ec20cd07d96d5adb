#include "mycompose/compose/loader.hpp"

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {

Project load_project(const LoadOptions& options) {
  throw ComposeError("loader: not implemented yet");
}

}  // namespace mycompose::compose
