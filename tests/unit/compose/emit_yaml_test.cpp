// The YAML emitter: compose's shape, and strings that YAML would misread are quoted.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include "mycompose/compose/emit.hpp"

using json = nlohmann::ordered_json;
using mycompose::compose::to_yaml;

TEST_CASE("emit: nested maps, lists, empty collections, null", "[emit]") {
  json doc = json::parse(R"({"name":"p","services":{"web":{"ports":[{"mode":"ingress","target":80,"published":"8080"}],"networks":{"default":null},"volume":{},"cmd":[]}}})");
  CHECK(to_yaml(doc) ==
        "name: p\n"
        "services:\n"
        "  web:\n"
        "    ports:\n"
        "      - mode: ingress\n"
        "        target: 80\n"
        "        published: \"8080\"\n"
        "    networks:\n"
        "      default: null\n"
        "    volume: {}\n"
        "    cmd: []\n");
}

TEST_CASE("emit: strings that look like other types are quoted", "[emit]") {
  for (const char* s : {"8080", "true", "no", "null", "~", "", "1.5", "0x1F", "1e3", "on", "Off", "012", "-3"})
    CHECK(mycompose::compose::yaml_needs_quotes(s));
  for (const char* s : {"nginx", "8080:80", "a b", "true-ish", "v1.2.3", "1.2.3.4"})
    CHECK_FALSE(mycompose::compose::yaml_needs_quotes(s));
}

TEST_CASE("emit: every string reads back as the same string", "[emit]") {
  json doc = json::object();
  const std::vector<std::string> strings = {"8080", "true", "", "multi\nline\n", "no trailing\nnewline", "*star",
                                            "- dash", "a: b", "#hash", "  spaces  ", "quote\"s", "ünïcode", "1:30"};
  for (std::size_t i = 0; i < strings.size(); ++i) doc["k" + std::to_string(i)] = strings[i];
  doc["n"] = 3;
  doc["f"] = 0.5;
  doc["b"] = false;
  YAML::Node back = YAML::Load(to_yaml(doc));
  for (std::size_t i = 0; i < strings.size(); ++i) CHECK(back["k" + std::to_string(i)].as<std::string>() == strings[i]);
  CHECK(back["n"].as<int>() == 3);
  CHECK(back["f"].as<double>() == 0.5);
  CHECK(back["b"].as<bool>() == false);
}

TEST_CASE("emit: the quoting rules of YAML 1.1 and 1.2 scalars", "[emit]") {
  using mycompose::compose::yaml_needs_quotes;
  for (const char* s : {"~", "NULL", "Yes", "y", "N", "ON", "0o17", "0x1f_ff", "0b1010", "0b1_0", "017", "0_7", "1_000",
                        "+12", "-0", "1.", ".5", "-.5e3", "1e+5", "1_0.0_1", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
                        "1:30", "-1:30:59", "190:20:30.15", "1:5"})
    CHECK(yaml_needs_quotes(s));
  for (const char* s : {"0o", "0x", "0b", "0b12", "0o8", "0xg", ".", "+", "-", "e5", "1e", "._5", "-.nan", "+.nan",
                        ".infinity", "1:60", "1:", ":30", "1:300", "1::2", "yes!", "nulls", "o", "0x1F.5", "1e5.5"})
    CHECK_FALSE(yaml_needs_quotes(s));
}

TEST_CASE("emit: double-quoted escapes, literal blocks, document layout", "[emit]") {
  json doc = json::object();
  doc["q"] = std::string("a\"b\\c\td\re\x01\x1f\x7f") + "\u00a0\u0085\ufeff é😀";
  doc["l"] = "first\n  second\n\nlast\n";
  doc["keep"] = "two\n\n";
  doc["nl"] = "\n";
  doc["s"] = json::array({"x\ny\n", json::array({"a", json::object()}), json::object({{"k", "v"}, {"m", json::array()}})});
  CHECK(to_yaml(doc) ==
        "q: \"a\\\"b\\\\c\\td\\re\\x01\\x1f\\x7f\\xa0\\x85\\ufeff é😀\"\n"
        "l: |\n"
        "  first\n"
        "    second\n"
        "\n"
        "  last\n"
        "keep: |+\n"
        "  two\n"
        "\n"
        "nl: \"\\n\"\n"
        "s:\n"
        "  - |\n"
        "    x\n"
        "    y\n"
        "  -\n"
        "    - a\n"
        "    - {}\n"
        "  - k: v\n"
        "    m: []\n");
  CHECK(to_yaml(json::object()) == "{}\n");
  CHECK(to_yaml(json::array()) == "[]\n");
  CHECK(to_yaml(json("x")) == "x\n");
}

namespace {
// Every scalar as YAML text (yaml-cpp does not type them), to compare with the document.
json as_json(const YAML::Node& n) {
  if (n.IsMap()) {
    json o = json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = as_json(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& v : n) a.push_back(as_json(v));
    return a;
  }
  if (n.IsNull()) return nullptr;
  return n.Scalar();
}
}  // namespace

TEST_CASE("emit: tricky strings, as keys and as values, read back unchanged", "[emit]") {
  const std::vector<std::string> strings = {
      " lead", "trail ", " both ", "a: b", "a:", ":a", "a #b", "a#b", "#c", "- x", "-x", "-", "? q", "?", "*a", "&a",
      "!t", "%", "@", "`tick`", "'single'", "\"double\"", "yes", "no", "on", "off", "~", "null", "true", "False", "Y",
      "12", "-1.5", "1e3", "0x1F", "0o17", "0b11", ".inf", "-.inf", ".nan", "1:30", "", "a\nb", "a\nb\n", "a\n\n",
      "\n", "\nb\n", "\n b\n", " a\nb\n", "a\n b\n", "tab\there", "\ttab", "cr\r\n", "ünïcode ✓ 😀", "{x}", "[x]",
      "a, b", "|", ">", "---", "--- x", "...", "a\\b", "\x01\x7f", "nbsp\u00a0", "x\u0085y", "\ufeffbom", "a\n\tb\n"};
  json doc = json::object();
  json list = json::array();
  for (std::size_t i = 0; i < strings.size(); ++i) {
    doc["v" + std::to_string(i)] = strings[i];
    list.push_back(json::object({{strings[i], json::array({strings[i]})}}));
  }
  doc["list"] = list;
  const std::string text = to_yaml(doc);
  INFO(text);
  CHECK(as_json(YAML::Load(text)) == doc);
}
