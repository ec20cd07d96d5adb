// The API server in-process: a handler that answers later from a timer, a streaming handler,
// a client that leaves in the middle of a stream, a handler that throws. The loop runs in
// this thread; the client is a plain blocking socket in another.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "mycompose/daemon/server.hpp"

using namespace mycompose::daemon;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

struct Loop {
  uv_loop_t loop;
  Loop() { uv_loop_init(&loop); }
  ~Loop() {
    uv_walk(&loop, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
};

struct TempDir {
  stdfs::path dir;
  TempDir() {
    char t[] = "/tmp/mycompose-http-XXXXXX";
    dir = ::mkdtemp(t);
  }
  ~TempDir() { stdfs::remove_all(dir); }
};

int connect_to(const stdfs::path& p) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Sends a request and reads until the peer closes (every request here says Connection: close).
std::string roundtrip(const stdfs::path& sock, const std::string& raw, const std::string& stop_at = "") {
  int fd = connect_to(sock);
  ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (!stop_at.empty() && out.find(stop_at) != std::string::npos) break;
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("handlers answer later, stream NDJSON, and the server survives throws and hang-ups") {
  Loop l;
  TempDir tmp;
  Router router;
  int stream_closed = 0;
  std::shared_ptr<Responder> held;

  // Answers from a timer, after the handler has returned.
  router.add("GET /later/{n}", [&](Request& req, const std::shared_ptr<Responder>& r) {
    auto* t = new uv_timer_t;
    uv_timer_init(&l.loop, t);
    t->data = new std::pair<std::shared_ptr<Responder>, std::string>(r, req.param("n"));
    uv_timer_start(t, [](uv_timer_t* h) {
      auto* p = static_cast<std::pair<std::shared_ptr<Responder>, std::string>*>(h->data);
      p->first->reply(200, json{{"n", p->second}});
      delete p;
      uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* x) { delete reinterpret_cast<uv_timer_t*>(x); });
    }, 10, 0);
  });
  router.add("GET /stream", [&](Request&, const std::shared_ptr<Responder>& r) {
    r->start_stream();
    for (int i = 0; i < 3; ++i) r->send_line(json{{"i", i}});
    r->end_stream();
  });
  router.add("GET /forever", [&](Request&, const std::shared_ptr<Responder>& r) {
    r->start_stream();
    r->send_line(json{{"hello", true}});
    r->on_close([&] { ++stream_closed; });
    held = r;
  });
  router.add("GET /throws", [](Request&, const std::shared_ptr<Responder>&) { throw std::runtime_error("boom"); });
  router.add("GET /teapot", [](Request&, const std::shared_ptr<Responder>&) { throw HttpError(409, "in use"); });

  HttpServer server(&l.loop, router);
  stdfs::path sock = tmp.dir / "api.sock";
  server.listen(sock, 0660);
  CHECK((stdfs::status(sock).permissions() & stdfs::perms::all) == (stdfs::perms::owner_read | stdfs::perms::owner_write |
                                                                     stdfs::perms::group_read | stdfs::perms::group_write));

  std::string later, stream, forever, throws, teapot;
  // The client says "done" through an async handle: a plain flag could be set just after
  // the loop checked it and went to sleep for good.
  std::atomic<bool> done{false};
  uv_async_t wake;
  uv_async_init(&l.loop, &wake, nullptr);
  std::thread client([&] {
    later = roundtrip(sock, "GET /later/7 HTTP/1.1\r\nConnection: close\r\n\r\n");
    stream = roundtrip(sock, "GET /stream HTTP/1.1\r\nConnection: close\r\n\r\n");
    forever = roundtrip(sock, "GET /forever HTTP/1.1\r\n\r\n", "true}\n");  // leaves mid-stream
    throws = roundtrip(sock, "GET /throws HTTP/1.1\r\nConnection: close\r\n\r\n");
    teapot = roundtrip(sock, "GET /teapot HTTP/1.1\r\nConnection: close\r\n\r\n");
    done = true;
    uv_async_send(&wake);
  });
  // Serve until the client is done and the hung-up stream has been noticed.
  while (!done || stream_closed == 0) uv_run(&l.loop, UV_RUN_ONCE);
  client.join();
  uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
  server.close();

  CHECK_THAT(later, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(later, Catch::EndsWith("\r\n\r\n{\"n\":\"7\"}\n"));
  CHECK(stream ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "8\r\n{\"i\":0}\n\r\n8\r\n{\"i\":1}\n\r\n8\r\n{\"i\":2}\n\r\n0\r\n\r\n");
  CHECK_THAT(forever, Catch::Contains("{\"hello\":true}"));
  CHECK(stream_closed == 1);
  CHECK(held->closed());
  CHECK_FALSE(held->send_line(json{{"late", 1}}));  // a no-op once the client has gone
  CHECK_THAT(throws, Catch::StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
  CHECK_THAT(throws, Catch::EndsWith("{\"message\":\"boom\"}\n"));
  CHECK_THAT(teapot, Catch::StartsWith("HTTP/1.1 409 Conflict\r\n"));
  CHECK_THAT(teapot, Catch::EndsWith("{\"message\":\"in use\"}\n"));
}
