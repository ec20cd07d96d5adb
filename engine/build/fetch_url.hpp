#pragma once
// ADD <url>: the file is downloaded before the cache lookup (its content is part of the key,
// as in Docker), into a folder of the step.
#include <filesystem>
#include <string>

namespace mycompose::build {

struct Fetched {
  std::string name;              // file name from the URL path ("index.html" for "/")
  std::filesystem::path path;    // where it was saved
  std::string sha256;            // of the content
};

// Follows up to 10 redirects; a status other than 2xx is an Error naming the URL and status.
Fetched fetch_url(const std::string& url, const std::filesystem::path& dir);

}  // namespace mycompose::build
