#include "registry/http_client.hpp"

#include <arpa/inet.h>

#include "mycompose/common/error.hpp"

namespace mycompose::image::registry {

Url Url::parse(const std::string& s) {
  Url u;
  auto sep = s.find("://");
  if (sep == std::string::npos) throw Error("invalid URL \"" + s + "\"");
  u.scheme = s.substr(0, sep);
  for (auto& c : u.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") throw Error("unsupported URL scheme in \"" + s + "\"");
  auto rest = s.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  u.host = rest.substr(0, slash);
  if (u.host.empty()) throw Error("invalid URL \"" + s + "\": no host");
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target[0] == '?') u.target = "/" + u.target;
  return u;
}

Url Url::resolve(const std::string& location) const {
  if (location.find("://") != std::string::npos) return parse(location);
  Url u = *this;
  if (location.rfind("//", 0) == 0) return parse(scheme + ":" + location);
  if (!location.empty() && location[0] == '/') {
    u.target = location;
  } else {  // relative to the current folder
    auto path = target.substr(0, target.find('?'));
    u.target = path.substr(0, path.rfind('/') + 1) + location;
  }
  return u;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// httplib's own names ("Connection", "Read") are too terse for a user.
std::string describe_transport_error(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "could not connect (connection refused or host unreachable)";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "connection closed while reading the answer";
    case httplib::Error::Write: return "connection closed while sending the request";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "could not load the system CA certificates";
    case httplib::Error::SSLServerVerification: return "TLS certificate verification failed";
    case httplib::Error::ExceedRedirectCount: return "too many redirects";
    default: return httplib::to_string(e);
  }
}

}  // namespace

HttpClient::HttpClient() = default;
HttpClient::~HttpClient() = default;

httplib::Client& HttpClient::client_for(const Url& u) {
  auto& c = clients_[u.origin()];
  if (!c) {
    c = std::make_unique<httplib::Client>(u.origin());
    c->set_follow_location(false);
    c->set_url_encode(false);  // we build targets ourselves; upload locations come pre-encoded
    c->set_decompress(false);  // blobs are hashed as served
    c->set_keep_alive(true);
    c->set_connection_timeout(30);
    c->set_read_timeout(120);
    c->set_write_timeout(120);
    if (u.scheme == "https") c->enable_server_certificate_verification(true);
  }
  return *c;
}

HttpResponse HttpClient::send(const HttpRequest& in) {
  HttpRequest req = in;
  std::string first_origin = in.url.origin();
  for (int hop = 0; hop <= 10; ++hop) {
    auto& cli = client_for(req.url);
    httplib::Request r;
    r.method = req.method;
    r.path = req.url.target;
    r.headers = req.headers;
    if (req.url.origin() != first_origin) r.headers.erase("Authorization");
    HttpResponse out;
    out.url = req.url;
    bool streaming = false;
    if (req.receiver) {
      r.response_handler = [&](const httplib::Response& res) {
        streaming = res.status >= 200 && res.status < 300;
        return true;
      };
      r.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        if (streaming) return req.receiver(data, n);
        if (out.body.size() < (1 << 20)) out.body.append(data, n);
        return true;
      };
    }
    if (req.provider) {
      r.set_header("Content-Type", req.content_type.empty() ? "application/octet-stream" : req.content_type);
      r.set_header("Content-Length", std::to_string(req.content_length));
      r.content_length_ = req.content_length;
      r.content_provider_ = req.provider;
    } else if (!req.body.empty() || req.method == "PUT" || req.method == "POST" || req.method == "PATCH") {
      if (!req.content_type.empty()) r.set_header("Content-Type", req.content_type);
      r.body = req.body;
    }
    auto res = cli.send(r);
    if (!res) {
      if (res.error() == httplib::Error::Canceled) throw Error(req.method + " " + req.url.str() + ": canceled");
      // Drop the broken keep-alive client so a retry starts afresh.
      clients_.erase(req.url.origin());
      throw Error(req.method + " " + req.url.str() + ": " + describe_transport_error(res.error()));
    }
    out.status = res->status;
    out.headers = res->headers;
    if (!req.receiver) out.body = std::move(res->body);
    bool redirect = out.status == 301 || out.status == 302 || out.status == 303 || out.status == 307 || out.status == 308;
    if (redirect && res->has_header("Location")) {
      req.url = req.url.resolve(res->get_header_value("Location"));
      if (out.status == 303) req.method = "GET";
      continue;
    }
    return out;
  }
  throw Error(in.method + " " + in.url.str() + ": too many redirects");
}

bool is_plain_http_registry(const std::string& domain) {
  std::string host = domain;
  if (!host.empty() && host[0] == '[') {  // [::1]:5000
    host = host.substr(1, host.find(']') - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) return true;
  in_addr a4{};
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  in6_addr a6{};
  if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

std::string registry_origin(const std::string& domain) {
  if (domain == "docker.io" || domain == "index.docker.io") return "https://registry-1.docker.io";
  return (is_plain_http_registry(domain) ? "http://" : "https://") + domain;
}

}  // namespace mycompose::image::registry
