// DNS message reader/writer. Hand-written because none of the libraries we may use (Debian
// packages listed in the preamble) parses DNS; libuv only moves the bytes. Every read is
// bounds-checked against the packet, so a hostile packet can only produce a ParseError.
#include "mycompose/net/dns_message.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

namespace mycompose::net::dns {
namespace {

constexpr std::size_t kMaxName = 255;  // wire octets, RFC 1035 3.1
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kHeaderSize = 12;

[[noreturn]] void fail(const std::string& what, std::size_t offset) {
  throw ParseError("malformed DNS message: " + what + " at offset " + std::to_string(offset));
}

class Reader {
 public:
  explicit Reader(std::string_view p) : p_(p) {}

  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return p_.size() - pos_; }

  std::uint8_t u8() {
    need(1, "truncated field");
    return static_cast<std::uint8_t>(p_[pos_++]);
  }
  std::uint16_t u16() {
    need(2, "truncated field");
    std::uint16_t v = static_cast<std::uint16_t>(byte(pos_) << 8 | byte(pos_ + 1));
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    std::uint32_t hi = u16();
    return hi << 16 | u16();
  }
  std::string_view bytes(std::size_t n, const char* what) {
    need(n, what);
    std::string_view v = p_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  // A possibly compressed name, returned as uncompressed wire labels. A pointer must point
  // before the start of the labels it continues (a name only refers to names written
  // before it), so each jump goes strictly backwards and loops cannot occur.
  std::string wire_name() {
    std::string out;
    std::size_t at = pos_;
    std::size_t segment_start = pos_;
    bool jumped = false;
    for (;;) {
      if (at >= p_.size()) fail("name runs past the end", at);
      std::uint8_t len = byte(at);
      if ((len & 0xC0) == 0xC0) {
        if (at + 1 >= p_.size()) fail("truncated compression pointer", at);
        std::size_t target = static_cast<std::size_t>(len & 0x3F) << 8 | byte(at + 1);
        if (target >= segment_start) fail("compression pointer does not point backwards", at);
        if (!jumped) pos_ = at + 2;
        jumped = true;
        at = segment_start = target;
        continue;
      }
      if (len & 0xC0) fail("unknown label type", at);
      if (at + 1 + len > p_.size()) fail("label runs past the end", at);
      out.append(p_.substr(at, 1 + len));
      if (out.size() > kMaxName) fail("name longer than 255 bytes", at);
      at += 1 + len;
      if (len == 0) break;
    }
    if (!jumped) pos_ = at;
    return out;
  }

 private:
  std::uint8_t byte(std::size_t i) const { return static_cast<std::uint8_t>(p_[i]); }
  void need(std::size_t n, const char* what) const {
    if (remaining() < n) fail(what, pos_);
  }
  std::string_view p_;
  std::size_t pos_ = 0;
};

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}
void set16(std::string& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<char>(v >> 8);
  out[at + 1] = static_cast<char>(v & 0xFF);
}

// Rdata of the types that embed names may be compressed against the whole packet; read it
// into its uncompressed form so the record stands on its own.
std::string read_rdata(Reader& r, std::uint16_t rtype, std::uint16_t rdlength) {
  std::size_t start = r.pos();
  if (r.remaining() < rdlength) fail("rdata runs past the end", start);
  std::size_t end = start + rdlength;
  std::string out;
  switch (rtype) {
    case type::NS:
    case type::CNAME:
    case type::PTR:
      out = r.wire_name();
      break;
    case type::MX:
      put16(out, r.u16());
      out += r.wire_name();
      break;
    case type::SOA:
      out = r.wire_name();
      out += r.wire_name();
      for (int i = 0; i < 5; ++i) put32(out, r.u32());
      break;
    default:
      return std::string(r.bytes(rdlength, "rdata runs past the end"));
  }
  if (r.pos() != end) fail("rdata length does not match its content", start);
  return out;
}

Question read_question(Reader& r) {
  Question q;
  q.name = decode_name(r.wire_name());
  q.type = r.u16();
  q.klass = r.u16();
  return q;
}

Record read_record(Reader& r) {
  Record rec;
  rec.name = decode_name(r.wire_name());
  rec.type = r.u16();
  rec.klass = r.u16();
  rec.ttl = r.u32();
  std::uint16_t rdlength = r.u16();
  rec.rdata = read_rdata(r, rec.type, rdlength);
  return rec;
}

// Writes names with compression: every suffix written so far is remembered by offset.
class Writer {
 public:
  std::string out;

  void name(std::string_view text) {
    std::string wire = encode_name(text);
    std::size_t i = 0;
    while (wire[i] != 0) {
      // Exact (case-sensitive) suffixes, so a name reads back byte for byte as written.
      std::string key = wire.substr(i);
      if (auto it = offsets_.find(key); it != offsets_.end()) {
        put16(out, static_cast<std::uint16_t>(0xC000 | it->second));
        return;
      }
      if (out.size() < 0x3FFF) offsets_.emplace(key, out.size());
      std::size_t len = static_cast<std::uint8_t>(wire[i]);
      out.append(wire, i, 1 + len);
      i += 1 + len;
    }
    out.push_back('\0');
  }

  void question(const Question& q) {
    name(q.name);
    put16(out, q.type);
    put16(out, q.klass);
  }

  void record(const Record& rec) {
    if (rec.rdata.size() > 0xFFFF) throw Error("DNS record " + rec.name + ": rdata longer than 65535 bytes");
    name(rec.name);
    put16(out, rec.type);
    put16(out, rec.klass);
    put32(out, rec.ttl);
    put16(out, static_cast<std::uint16_t>(rec.rdata.size()));
    out += rec.rdata;
  }

  // Forget what was written after `size` (a record that did not fit).
  void rollback(std::size_t size) {
    out.resize(size);
    std::erase_if(offsets_, [&](const auto& kv) { return kv.second >= size; });
  }

 private:
  std::map<std::string, std::size_t> offsets_;
};

std::uint16_t flags_of(const Header& h) {
  return static_cast<std::uint16_t>((h.qr ? 0x8000 : 0) | (h.opcode & 0xF) << 11 | (h.aa ? 0x0400 : 0) |
                                    (h.tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) |
                                    (h.ad ? 0x0020 : 0) | (h.cd ? 0x0010 : 0) | (h.rcode & 0xF));
}

bool needs_escape(unsigned char c) { return c == '.' || c == '\\' || c <= 0x20 || c >= 0x7F; }

}  // namespace

std::size_t Message::udp_size_limit() const {
  for (const Record& r : additional)
    if (r.type == type::OPT) return std::max<std::size_t>(r.klass, kClassicUdpSize);
  return kClassicUdpSize;
}

std::optional<Header> parse_header(std::string_view packet) {
  if (packet.size() < kHeaderSize) return std::nullopt;
  Reader r(packet);
  Header h;
  h.id = r.u16();
  std::uint16_t f = r.u16();
  h.qr = f & 0x8000;
  h.opcode = (f >> 11) & 0xF;
  h.aa = f & 0x0400;
  h.tc = f & 0x0200;
  h.rd = f & 0x0100;
  h.ra = f & 0x0080;
  h.ad = f & 0x0020;
  h.cd = f & 0x0010;
  h.rcode = f & 0xF;
  return h;
}

Message parse(std::string_view packet) {
  auto header = parse_header(packet);
  if (!header) fail("shorter than the 12-byte header", 0);
  Message m;
  m.header = *header;
  Reader r(packet);
  r.bytes(4, "header");
  std::uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  // Each question takes at least 5 bytes and each record 11: reject impossible counts
  // before reserving anything.
  if (std::size_t(qd) * 5 + (std::size_t(an) + ns + ar) * 11 > r.remaining()) fail("record counts exceed the packet", 4);
  m.questions.reserve(qd);
  for (int i = 0; i < qd; ++i) m.questions.push_back(read_question(r));
  for (auto [count, list] : {std::pair{an, &m.answers}, {ns, &m.authority}, {ar, &m.additional}}) {
    list->reserve(count);
    for (int i = 0; i < count; ++i) list->push_back(read_record(r));
  }
  if (r.remaining() != 0) fail("trailing bytes after the last record", r.pos());
  // RFC 6891 6.1.1: at most one OPT, wherever it sits in the additional section; kept last,
  // where serialize() writes it (so a message round-trips).
  auto opt = std::stable_partition(m.additional.begin(), m.additional.end(), [](const Record& rec) { return rec.type != type::OPT; });
  if (m.additional.end() - opt > 1) fail("more than one OPT record", 0);
  return m;
}

std::string serialize(const Message& m, std::size_t max_size) {
  Writer w;
  Header h = m.header;
  put16(w.out, h.id);
  put16(w.out, 0);  // flags, set last (TC may change)
  put16(w.out, static_cast<std::uint16_t>(m.questions.size()));
  for (int i = 0; i < 3; ++i) put16(w.out, 0);
  for (const Question& q : m.questions) w.question(q);

  // OPT must survive truncation (the client learns our size); reserve room for it.
  const Record* opt = nullptr;
  for (const Record& r : m.additional)
    if (r.type == type::OPT) opt = &r;
  std::size_t opt_size = opt ? 11 + opt->rdata.size() : 0;
  std::size_t budget = max_size > opt_size ? max_size - opt_size : 0;

  std::uint16_t counts[3] = {0, 0, 0};
  bool truncated = false;
  const std::vector<Record>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3 && !truncated; ++s) {
    for (const Record& rec : *sections[s]) {
      if (&rec == opt) continue;
      std::size_t before = w.out.size();
      w.record(rec);
      if (w.out.size() > budget) {
        w.rollback(before);
        truncated = true;
        break;
      }
      ++counts[s];
    }
  }
  if (opt) {
    w.record(*opt);
    ++counts[2];
  }
  if (truncated) h.tc = true;
  set16(w.out, 2, flags_of(h));
  set16(w.out, 6, counts[0]);
  set16(w.out, 8, counts[1]);
  set16(w.out, 10, counts[2]);
  return w.out;
}

std::string encode_name(std::string_view name) {
  if (!name.empty() && name.back() == '.' && !(name.size() >= 2 && name[name.size() - 2] == '\\'))
    name.remove_suffix(1);
  std::string out;
  std::string label;
  auto flush = [&] {
    if (label.empty()) throw Error("DNS name \"" + std::string(name) + "\": empty label");
    if (label.size() > kMaxLabel) throw Error("DNS name \"" + std::string(name) + "\": label longer than 63 bytes");
    out.push_back(static_cast<char>(label.size()));
    out += label;
    label.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      flush();
    } else if (c == '\\') {
      if (i + 1 >= name.size()) throw Error("DNS name \"" + std::string(name) + "\": escape at the end");
      if (std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(name.data() + i + 1, name.data() + std::min(name.size(), i + 4), v);
        if (ec != std::errc() || p != name.data() + i + 4 || v > 255)
          throw Error("DNS name \"" + std::string(name) + "\": bad \\DDD escape");
        label.push_back(static_cast<char>(v));
        i += 3;
      } else {
        label.push_back(name[++i]);
      }
    } else {
      label.push_back(c);
    }
  }
  if (!name.empty()) flush();
  out.push_back('\0');
  if (out.size() > kMaxName) throw Error("DNS name \"" + std::string(name) + "\": longer than 255 bytes");
  return out;
}

std::string decode_name(std::string_view wire) {
  std::string out;
  std::size_t i = 0;
  while (i < wire.size() && wire[i] != 0) {
    std::size_t len = static_cast<std::uint8_t>(wire[i]);
    if (i + 1 + len > wire.size()) throw Error("DNS name: label runs past the end");
    if (!out.empty()) out.push_back('.');
    for (char c : wire.substr(i + 1, len)) {
      auto u = static_cast<unsigned char>(c);
      if (!needs_escape(u)) {
        out.push_back(c);
      } else if (u == '.' || u == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", u);
        out += buf;
      }
    }
    i += 1 + len;
  }
  return out;
}

std::string normalize_name(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out.back() == '.' && !(out.size() >= 2 && out[out.size() - 2] == '\\')) out.pop_back();
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string a_rdata(std::string_view ipv4) {
  in_addr a{};
  if (inet_pton(AF_INET, std::string(ipv4).c_str(), &a) != 1) throw Error("not an IPv4 address: \"" + std::string(ipv4) + "\"");
  return std::string(reinterpret_cast<const char*>(&a), 4);
}

std::string a_text(std::string_view rdata) {
  if (rdata.size() != 4) throw Error("A record rdata is " + std::to_string(rdata.size()) + " bytes, not 4");
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, rdata.data(), buf, sizeof buf);
  return buf;
}

std::string reverse_name(std::string_view ipv4) {
  std::string raw = a_rdata(ipv4);
  std::string out;
  for (int i = 3; i >= 0; --i) out += std::to_string(static_cast<std::uint8_t>(raw[i])) + ".";
  return out + "in-addr.arpa";
}

std::optional<std::string> address_from_reverse_name(std::string_view name) {
  std::string n = normalize_name(name);
  constexpr std::string_view suffix = ".in-addr.arpa";
  if (n.size() <= suffix.size() || !n.ends_with(suffix)) return std::nullopt;
  n.resize(n.size() - suffix.size());
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = n.find('.', start);
    parts.push_back(n.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 4) return std::nullopt;
  std::string ip;
  for (int i = 3; i >= 0; --i) {
    const std::string& p = parts[i];
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || p.size() > 3 || ec != std::errc() || end != p.data() + p.size() || v > 255) return std::nullopt;
    ip += std::to_string(v) + (i ? "." : "");
  }
  return ip;
}

}  // namespace mycompose::net::dns
