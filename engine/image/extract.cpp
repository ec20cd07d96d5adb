#include "extract.hpp"

#include "mycompose/common/error.hpp"

namespace mycompose::image {

ExtractResult extract_layer(const std::filesystem::path&, const std::filesystem::path&, std::string_view label) {
  throw Error(std::string(label) + ": layer extraction is not implemented yet");
}

}  // namespace mycompose::image
