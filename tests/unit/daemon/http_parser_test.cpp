// The engine's HTTP/1.1 parser: framing, limits and the refusals that matter for smuggling.
#include <catch2/catch.hpp>

#include "mycompose/daemon/http.hpp"

using namespace mycompose::daemon::http;
using R = Parser::Result;

namespace {

Parser request_parser(Limits l = {}) { return Parser(Parser::Kind::Request, l); }

// Feeds the bytes one at a time: every state must survive a split anywhere.
R feed_bytewise(Parser& p, std::string_view data) {
  R r = R::NeedMore;
  for (char c : data) {
    r = p.feed(std::string_view(&c, 1));
    if (r != R::NeedMore) return r;
  }
  return r;
}

}  // namespace

TEST_CASE("a GET with headers and a query parses, also byte by byte") {
  const std::string raw = "GET /containers/web%201/json?all=1&name=a+b HTTP/1.1\r\nHost: x\r\nX-Thing:  v  \r\n\r\n";
  for (bool bytewise : {false, true}) {
    Parser p = request_parser();
    R r = bytewise ? feed_bytewise(p, raw) : p.feed(raw);
    REQUIRE(r == R::Done);
    const Message& m = p.message();
    CHECK(m.method == "GET");
    CHECK(m.path() == "/containers/web 1/json");
    CHECK(m.query("all") == "1");
    CHECK(m.query("name") == "a b");
    CHECK(m.has_query("all"));
    CHECK_FALSE(m.has_query("missing"));
    REQUIRE(m.header("x-thing"));
    CHECK(*m.header("x-thing") == "v");
    CHECK(m.body.empty());
    CHECK(m.keep_alive());
  }
}

TEST_CASE("Content-Length and chunked bodies, split anywhere") {
  Parser p = request_parser();
  REQUIRE(feed_bytewise(p, "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello") == R::Done);
  CHECK(p.message().body == "hello");

  Parser c = request_parser();
  REQUIRE(feed_bytewise(c, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n") == R::Done);
  CHECK(c.message().body == "abc0123456789");
}

TEST_CASE("pipelined requests: bytes after one message stay for the next") {
  Parser p = request_parser();
  REQUIRE(p.feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n") == R::Done);
  CHECK(p.message().target == "/a");
  p.reset();
  REQUIRE(p.feed({}) == R::Done);
  CHECK(p.message().target == "/b");
  CHECK_FALSE(p.message().keep_alive());
  p.reset();
  CHECK(p.idle());
}

TEST_CASE("HTTP/1.0 keeps the connection only when asked") {
  Parser p = request_parser();
  REQUIRE(p.feed("GET / HTTP/1.0\r\n\r\n") == R::Done);
  CHECK_FALSE(p.message().keep_alive());
  Parser k = request_parser();
  REQUIRE(k.feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") == R::Done);
  CHECK(k.message().keep_alive());
}

TEST_CASE("malformed requests are 400 with a reason") {
  struct Case {
    std::string raw, message;
  };
  const Case cases[] = {
      {"GARBAGE\r\n\r\n", "malformed request line"},
      {"GET nopath HTTP/1.1\r\n\r\n", "malformed request line"},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", "malformed header line"},
      {"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", "malformed header name"},
      {"GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n", "obsolete header line folding"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "both Transfer-Encoding and Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "conflicting Content-Length headers"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "bad Content-Length: -1"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", "chunk data not followed by CRLF"},
  };
  for (const auto& c : cases) {
    INFO(c.raw);
    Parser p = request_parser();
    REQUIRE(p.feed(c.raw) == R::Error);
    CHECK(p.error().status == 400);
    CHECK(p.error().message == c.message);
  }
}

TEST_CASE("unsupported encodings and versions have their own status") {
  Parser te = request_parser();
  REQUIRE(te.feed("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") == R::Error);
  CHECK(te.error().status == 501);
  CHECK(te.error().message == "unsupported Transfer-Encoding: gzip");
  Parser v = request_parser();
  REQUIRE(v.feed("GET / HTTP/2.0\r\n\r\n") == R::Error);
  CHECK(v.error().status == 505);
}

TEST_CASE("size limits: head 431, body 413, even before the body arrives") {
  Limits l;
  l.max_head_bytes = 64;
  l.max_body_bytes = 10;
  l.max_headers = 2;
  Parser head = request_parser(l);
  REQUIRE(head.feed("GET /" + std::string(100, 'a')) == R::Error);  // no blank line yet
  CHECK(head.error().status == 431);
  CHECK(head.error().message == "request head over 64 bytes");

  Parser many = request_parser(l);
  REQUIRE(many.feed("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n") == R::Error);
  CHECK(many.error().status == 431);

  Parser body = request_parser(l);
  REQUIRE(body.feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n") == R::Error);
  CHECK(body.error().status == 413);
  CHECK(body.error().message == "body of 11 bytes is over the limit of 10");

  Parser chunked = request_parser(l);
  REQUIRE(chunked.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n") == R::Error);
  CHECK(chunked.error().status == 413);

  Parser huge = request_parser(l);
  REQUIRE(huge.feed("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n") == R::Error);
  CHECK(huge.error().status == 413);
}

TEST_CASE("responses: status line, body until close, streaming body callback") {
  Parser p(Parser::Kind::Response);
  REQUIRE(p.feed("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}") == R::Done);
  CHECK(p.message().status == 404);
  CHECK(p.message().reason == "Not Found");
  CHECK(p.message().body == "{}");

  Parser close(Parser::Kind::Response);
  REQUIRE(close.feed("HTTP/1.0 200 OK\r\n\r\nabc") == R::NeedMore);
  REQUIRE(close.finish() == R::Done);
  CHECK(close.message().body == "abc");

  Parser s(Parser::Kind::Response);
  std::string streamed;
  s.on_body([&](std::string_view b) { streamed += b; });
  REQUIRE(s.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{}\n\n") == R::NeedMore);
  CHECK(streamed == "{}\n\n");
  REQUIRE(s.feed("\r\n0\r\n\r\n") == R::Done);
  CHECK(s.message().body.empty());

  Parser nobody(Parser::Kind::Response);
  REQUIRE(nobody.feed("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n") == R::Done);

  Parser cut(Parser::Kind::Response);
  REQUIRE(cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") == R::NeedMore);
  REQUIRE(cut.finish() == R::Error);
  CHECK(cut.error().message == "connection closed in the middle of a message");
}

TEST_CASE("percent encoding round-trips") {
  CHECK(percent_decode("a%2Fb%20c+d") == "a/b c+d");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("bad%zz%") == "bad%zz%");
  CHECK(percent_encode("on-failure:3 x/y") == "on-failure%3A3%20x%2Fy");
  CHECK(percent_decode(percent_encode("é&=?")) == "é&=?");
}
