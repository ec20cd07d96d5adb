#include "fetch_url.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <httplib.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::build {

namespace {

struct SplitUrl {
  std::string origin, target;
};

SplitUrl split(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw Error("ADD: invalid URL " + url);
  auto path = url.find('/', scheme_end + 3);
  return {url.substr(0, path), path == std::string::npos ? "/" : url.substr(path)};
}

std::string file_name(const std::string& target) {
  auto path = target.substr(0, target.find_first_of("?#"));
  auto slash = path.rfind('/');
  auto name = path.substr(slash + 1);
  return name.empty() ? "index.html" : name;
}

}  // namespace

Fetched fetch_url(const std::string& url, const std::filesystem::path& dir) {
  std::string current = url;
  fs::make_dirs(dir, 0700);
  for (int hop = 0; hop < 10; ++hop) {
    auto u = split(current);
    httplib::Client client(u.origin);
    client.set_connection_timeout(30);
    client.set_read_timeout(300);
    Fetched f;
    f.name = file_name(split(url).target);
    f.path = dir / f.name;
    UniqueFd out(::open(f.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out) throw SystemError("create " + f.path.string(), errno);
    Sha256 h;
    int status = 0;
    std::string location;
    bool write_failed = false;
    auto res = client.Get(
        u.target,
        [&](const httplib::Response& r) {
          status = r.status;
          if (r.has_header("Location")) location = r.get_header_value("Location");
          return true;
        },
        [&](const char* data, std::size_t len) {
          if (status < 200 || status >= 300) return true;  // error or redirect body: not the file
          h.update(data, len);
          if (::write(out.get(), data, len) != static_cast<ssize_t>(len)) write_failed = true;
          return !write_failed;
        });
    if (!res) throw Error("ADD " + url + ": " + httplib::to_string(res.error()));
    if (write_failed) throw SystemError("write " + f.path.string(), errno);
    if (status >= 300 && status < 400 && !location.empty()) {
      current = location.rfind("http", 0) == 0 ? location : u.origin + (location[0] == '/' ? "" : "/") + location;
      continue;
    }
    if (status < 200 || status >= 300) throw Error("ADD " + url + ": HTTP status " + std::to_string(status));
    f.sha256 = h.hex();
    return f;
  }
  throw Error("ADD " + url + ": too many redirects");
}

}  // namespace mycompose::build
