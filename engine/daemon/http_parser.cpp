// Incremental HTTP/1.1 parsing (see include/mycompose/daemon/http.hpp for why hand-written).
// Strict where leniency enables request smuggling: both Content-Length and
// Transfer-Encoding, differing Content-Lengths, obsolete line folding and whitespace before
// a header's colon are refused.
#include "mycompose/daemon/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mycompose::daemon::http {
namespace {

constexpr std::size_t kMaxChunkLine = 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower((unsigned char)x) == std::tolower((unsigned char)y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_tchar(char c) {
  return std::isalnum((unsigned char)c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_field_value(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) { return c == '\t' || (unsigned char)c >= 0x20 ? c != 0x7f : false; });
}

// The line up to '\n' (without "\r\n" / "\n"); npos-length view when there is no newline yet.
bool next_line(std::string_view buf, std::size_t& pos, std::string_view& line) {
  std::size_t nl = buf.find('\n', pos);
  if (nl == std::string_view::npos) return false;
  line = buf.substr(pos, nl - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = nl + 1;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower((unsigned char)c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

const std::string* Message::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

bool Message::keep_alive() const {
  const std::string* c = header("Connection");
  if (c && iequals(trim(*c), "close")) return false;
  if (version_minor == 0) return c && iequals(trim(*c), "keep-alive");
  return true;
}

std::string Message::path() const { return percent_decode(std::string_view(target).substr(0, target.find('?'))); }

namespace {
// Calls f(key, value) for each raw key=value pair of the query string.
template <typename F>
void for_each_query(const std::string& target, F f) {
  auto q = target.find('?');
  if (q == std::string::npos) return;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (f(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1))) return;
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}
}  // namespace

std::string Message::query(std::string_view key) const {
  std::string out;
  for_each_query(target, [&](std::string_view k, std::string_view v) {
    if (percent_decode(k, true) != key) return false;
    out = percent_decode(v, true);
    return true;
  });
  return out;
}

bool Message::has_query(std::string_view key) const {
  bool found = false;
  for_each_query(target, [&](std::string_view k, std::string_view) { return found = percent_decode(k, true) == key; });
  return found;
}

Parser::Parser(Kind kind, Limits limits) : kind_(kind), limits_(limits) {}

void Parser::reset() {
  state_ = State::Head;
  scanned_ = 0;
  remaining_ = 0;
  body_total_ = 0;
  no_body_ = false;
  msg_ = Message{};
  error_ = ParseError{};
}

Parser::Result Parser::fail(int status, std::string message) {
  state_ = State::Error;
  error_ = ParseError{status, std::move(message)};
  return Result::Error;
}

void Parser::deliver(std::string_view bytes) {
  if (bytes.empty()) return;
  if (body_cb_) body_cb_(bytes);
  else msg_.body.append(bytes);
}

bool Parser::parse_start_line(std::string_view line) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  auto sp2 = line.find(' ', sp1 + 1);
  std::string_view a = line.substr(0, sp1);
  std::string_view b = line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
  std::string_view c = sp2 == std::string_view::npos ? std::string_view() : line.substr(sp2 + 1);
  std::string_view version = kind_ == Kind::Request ? c : a;
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit((unsigned char)version[5]) ||
      version[6] != '.' || !std::isdigit((unsigned char)version[7]))
    return false;
  if (version[5] != '1') {
    fail(505, "HTTP version not supported: " + std::string(version));
    return false;
  }
  msg_.version_minor = version[7] - '0';
  if (kind_ == Kind::Request) {
    if (a.empty() || !std::all_of(a.begin(), a.end(), is_tchar)) return false;
    if (b.empty() || b.front() != '/' || b.find_first_of(" \t\r\n") != std::string_view::npos) return false;
    for (char ch : b)
      if ((unsigned char)ch < 0x21 || (unsigned char)ch == 0x7f) return false;
    msg_.method = a;
    msg_.target = b;
  } else {
    if (b.size() != 3 || !std::all_of(b.begin(), b.end(), [](char ch) { return std::isdigit((unsigned char)ch); })) return false;
    msg_.status = std::stoi(std::string(b));
    msg_.reason = c;
  }
  return true;
}

Parser::Result Parser::parse_head(std::string_view head) {
  std::size_t pos = 0;
  std::string_view line;
  next_line(head, pos, line);
  if (!parse_start_line(line)) {
    if (state_ == State::Error) return Result::Error;
    return fail(400, kind_ == Kind::Request ? "malformed request line" : "malformed status line");
  }
  while (next_line(head, pos, line) && !line.empty()) {
    if (line.front() == ' ' || line.front() == '\t') return fail(400, "obsolete header line folding");
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line");
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(400, "malformed header name");
    std::string_view value = trim(line.substr(colon + 1));
    if (!valid_field_value(value)) return fail(400, "control character in header " + std::string(name));
    if (msg_.headers.size() >= limits_.max_headers)
      return fail(431, "more than " + std::to_string(limits_.max_headers) + " header fields");
    msg_.headers.emplace_back(name, value);
  }

  // Body framing.
  const std::string* te = nullptr;
  bool have_length = false;
  std::size_t length = 0;
  for (const auto& [k, v] : msg_.headers) {
    if (iequals(k, "Transfer-Encoding")) {
      if (te) return fail(400, "more than one Transfer-Encoding header");
      te = &v;
    } else if (iequals(k, "Content-Length")) {
      std::size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec == std::errc::result_out_of_range)
        return fail(ec == std::errc::result_out_of_range ? 413 : 400, "bad Content-Length: " + v);
      if (ec != std::errc() || end != v.data() + v.size()) return fail(400, "bad Content-Length: " + v);
      if (have_length && n != length) return fail(400, "conflicting Content-Length headers");
      have_length = true;
      length = n;
    }
  }
  bool response_without_body = kind_ == Kind::Response &&
                               (no_body_ || msg_.status / 100 == 1 || msg_.status == 204 || msg_.status == 304);
  if (te && have_length) return fail(400, "both Transfer-Encoding and Content-Length");
  if (response_without_body) {
    state_ = State::Done;
  } else if (te) {
    if (!iequals(trim(*te), "chunked")) return fail(501, "unsupported Transfer-Encoding: " + *te);
    state_ = State::ChunkSize;
  } else if (have_length) {
    if (length > limits_.max_body_bytes)
      return fail(413, "body of " + std::to_string(length) + " bytes is over the limit of " + std::to_string(limits_.max_body_bytes));
    remaining_ = length;
    state_ = length ? State::Body : State::Done;
  } else {
    state_ = kind_ == Kind::Request ? State::Done : State::UntilClose;
  }
  return Result::NeedMore;
}

Parser::Result Parser::feed(std::string_view data) {
  if (state_ == State::Error) return Result::Error;
  if (state_ == State::Done) {
    buf_.append(data);
    return Result::Done;
  }
  buf_.append(data);
  std::size_t consumed = 0;
  auto result = [&](Result r) {
    buf_.erase(0, consumed);
    return r;
  };
  for (;;) {
    std::string_view rest = std::string_view(buf_).substr(consumed);
    switch (state_) {
      case State::Head: {
        // Tolerate empty lines before a request line (RFC 9112 section 2.2).
        while (scanned_ == 0 && !rest.empty() && (rest.front() == '\r' || rest.front() == '\n')) {
          ++consumed;
          rest.remove_prefix(1);
        }
        std::size_t end = std::string_view::npos;
        std::size_t start = scanned_ > 3 ? scanned_ - 3 : 0;
        for (std::size_t i = rest.find('\n', start); i != std::string_view::npos; i = rest.find('\n', i + 1)) {
          if (i >= 1 && rest[i - 1] == '\n') end = i + 1;
          else if (i >= 2 && rest[i - 1] == '\r' && rest[i - 2] == '\n') end = i + 1;
          if (end != std::string_view::npos) break;
        }
        if (end == std::string_view::npos) {
          scanned_ = rest.size();
          if (rest.size() > limits_.max_head_bytes)
            return result(fail(431, "request head over " + std::to_string(limits_.max_head_bytes) + " bytes"));
          return result(Result::NeedMore);
        }
        if (end > limits_.max_head_bytes)
          return result(fail(431, "request head over " + std::to_string(limits_.max_head_bytes) + " bytes"));
        if (parse_head(rest.substr(0, end)) == Result::Error) return result(Result::Error);
        consumed += end;
        scanned_ = 0;
        break;
      }
      case State::Body: {
        std::size_t n = std::min(remaining_, rest.size());
        deliver(rest.substr(0, n));
        consumed += n;
        remaining_ -= n;
        if (remaining_ > 0) return result(Result::NeedMore);
        state_ = State::Done;
        break;
      }
      case State::UntilClose: {
        body_total_ += rest.size();
        if (!body_cb_ && body_total_ > limits_.max_body_bytes)
          return result(fail(413, "body over the limit of " + std::to_string(limits_.max_body_bytes) + " bytes"));
        deliver(rest);
        consumed += rest.size();
        return result(Result::NeedMore);
      }
      case State::ChunkSize: {
        std::size_t pos = 0;
        std::string_view line;
        if (!next_line(rest, pos, line)) {
          if (rest.size() > kMaxChunkLine) return result(fail(400, "chunk size line too long"));
          return result(Result::NeedMore);
        }
        if (line.size() > kMaxChunkLine) return result(fail(400, "chunk size line too long"));
        std::string_view digits = line.substr(0, line.find(';'));
        digits = trim(digits);
        if (digits.empty() || digits.size() > 15) return result(fail(400, "bad chunk size"));
        std::size_t size = 0;
        for (char c : digits) {
          int h = hex_value(c);
          if (h < 0) return result(fail(400, "bad chunk size"));
          size = size * 16 + static_cast<std::size_t>(h);
        }
        consumed += pos;
        if (size == 0) {
          state_ = State::Trailer;
          break;
        }
        body_total_ += size;
        if (body_total_ > limits_.max_body_bytes && !body_cb_)
          return result(fail(413, "body over the limit of " + std::to_string(limits_.max_body_bytes) + " bytes"));
        remaining_ = size;
        state_ = State::ChunkData;
        break;
      }
      case State::ChunkData: {
        std::size_t n = std::min(remaining_, rest.size());
        deliver(rest.substr(0, n));
        consumed += n;
        remaining_ -= n;
        if (remaining_ > 0) return result(Result::NeedMore);
        state_ = State::ChunkDataEnd;
        break;
      }
      case State::ChunkDataEnd: {
        if (rest.size() < 2 && !(rest.size() == 1 && rest[0] == '\n')) {
          if (!rest.empty() && rest[0] != '\r') return result(fail(400, "chunk data not followed by CRLF"));
          return result(Result::NeedMore);
        }
        if (rest.substr(0, 2) == "\r\n") consumed += 2;
        else if (rest[0] == '\n') consumed += 1;
        else return result(fail(400, "chunk data not followed by CRLF"));
        state_ = State::ChunkSize;
        break;
      }
      case State::Trailer: {
        std::size_t pos = 0;
        std::string_view line;
        if (!next_line(rest, pos, line)) {
          if (rest.size() > limits_.max_head_bytes) return result(fail(431, "trailer too long"));
          return result(Result::NeedMore);
        }
        consumed += pos;
        if (line.empty()) state_ = State::Done;  // trailer fields are ignored
        break;
      }
      case State::Done:
        return result(Result::Done);
      case State::Error:
        return result(Result::Error);
    }
  }
}

Parser::Result Parser::finish() {
  if (state_ == State::UntilClose) {
    state_ = State::Done;
    return Result::Done;
  }
  if (state_ == State::Done) return Result::Done;
  if (state_ == State::Error) return Result::Error;
  return fail(400, "connection closed in the middle of a message");
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace mycompose::daemon::http
