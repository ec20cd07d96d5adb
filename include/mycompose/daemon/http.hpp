#pragma once
// A small incremental HTTP/1.1 message parser (requests on the engine side, responses on the
// CLI side): request/status line, headers, Content-Length and chunked bodies, size limits.
//
// Hand-written because Debian bookworm has no libllhttp-dev, and cpp-httplib's server is
// blocking thread-per-connection: it cannot share the engine's libuv loop (and its 0.11
// client cannot speak AF_UNIX), so both sides of the engine socket use this parser.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mycompose::daemon::http {

struct Limits {
  std::size_t max_head_bytes = 16 * 1024;         // request/status line + headers
  std::size_t max_headers = 100;
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // a resolved Project is far smaller
};

struct Message {
  // Request side.
  std::string method;
  std::string target;  // as sent: path plus optional ?query
  // Response side.
  int status = 0;
  std::string reason;

  int version_minor = 1;  // HTTP/1.<minor>
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;  // unless a body callback consumes it

  // First header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  bool keep_alive() const;  // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive
  std::string path() const;   // target without the query, percent-decoded
  std::string query(std::string_view key) const;  // percent-decoded value of ?key=, "" if none
  bool has_query(std::string_view key) const;
};

// What went wrong, as the HTTP status the server answers with.
struct ParseError {
  int status = 0;  // 400, 413, 431, 501, 505
  std::string message;
};

class Parser {
 public:
  enum class Kind { Request, Response };
  enum class Result { NeedMore, Done, Error };

  explicit Parser(Kind kind, Limits limits = {});

  // Body bytes go to this callback as they arrive instead of into Message::body (streaming
  // responses). Set before the body starts; it may be set again for each message.
  void on_body(std::function<void(std::string_view)> cb) { body_cb_ = std::move(cb); }
  // For a response to HEAD, or a 204/304: no body whatever the headers say.
  void expect_no_body() { no_body_ = true; }

  // Appends bytes and advances. Done: message() is complete; bytes after it stay buffered
  // for the next message (call reset() and then feed({}) to parse them). Error: error().
  Result feed(std::string_view data);
  // The peer closed: a response without length ends here. Done or Error.
  Result finish();

  Message& message() { return msg_; }
  const ParseError& error() const { return error_; }
  bool idle() const { return state_ == State::Head && buf_.empty(); }  // nothing of a next message yet
  std::size_t buffered() const { return buf_.size(); }
  void reset();  // ready for the next message; keeps buffered bytes

 private:
  enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Done, Error };
  Result fail(int status, std::string message);
  Result parse_head(std::string_view head);
  bool parse_start_line(std::string_view line);
  void deliver(std::string_view bytes);

  Kind kind_;
  Limits limits_;
  State state_ = State::Head;
  std::string buf_;
  std::size_t scanned_ = 0;  // head bytes already searched for the blank line
  std::size_t remaining_ = 0;
  std::size_t body_total_ = 0;
  bool no_body_ = false;
  Message msg_;
  ParseError error_;
  std::function<void(std::string_view)> body_cb_;
};

std::string_view reason_phrase(int status);
std::string percent_decode(std::string_view s, bool plus_is_space = false);  // '+' only in queries
std::string percent_encode(std::string_view s);  // for query values and path segments

}  // namespace mycompose::daemon::http
