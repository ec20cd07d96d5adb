#pragma once
// A thin wrapper over cpp-httplib for registry traffic: absolute URLs, manual redirects
// (the Authorization header must not follow a redirect to another host, e.g. Docker Hub's
// blob CDN), error bodies kept while success bodies stream to a callback.
// One HttpClient per thread: httplib clients are not safe for concurrent requests.
#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace mycompose::image::registry {

struct Url {
  std::string scheme;  // "http" | "https"
  std::string host;    // host[:port], IPv6 in brackets
  std::string target;  // path?query, starts with '/'
  static Url parse(const std::string& s);       // throws Error
  Url resolve(const std::string& location) const;  // a Location header relative to this URL
  std::string origin() const { return scheme + "://" + host; }
  std::string str() const { return origin() + target; }
};

struct HttpRequest {
  std::string method = "GET";
  Url url;
  httplib::Headers headers;
  std::string body;  // small bodies (manifests, JSON)
  std::string content_type;
  // Large bodies: length + provider (httplib's ContentProvider); when set, body is unused.
  std::size_t content_length = 0;
  httplib::ContentProvider provider;
  // Streaming a 2xx body: called per chunk; return false to cancel. Unset = into HttpResponse::body.
  std::function<bool(const char*, std::size_t)> receiver;
};

struct HttpResponse {
  int status = 0;
  httplib::Headers headers;
  std::string body;  // the error body for non-2xx even when a receiver was given
  Url url;           // the URL finally answered (after redirects)
  std::string header(const std::string& name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  // Sends, following up to 10 redirects (Authorization dropped when the origin changes).
  // Throws Error "<METHOD> <url>: <transport error>" when no answer arrives.
  HttpResponse send(const HttpRequest& req);

 private:
  httplib::Client& client_for(const Url& u);
  std::map<std::string, std::unique_ptr<httplib::Client>> clients_;
};

// True when the registry is reached over plain HTTP as Docker does: localhost, *.localhost,
// 127.0.0.0/8, ::1.
bool is_plain_http_registry(const std::string& domain);

// The scheme://host of a registry's API: docker.io → https://registry-1.docker.io.
std::string registry_origin(const std::string& domain);

}  // namespace mycompose::image::registry
