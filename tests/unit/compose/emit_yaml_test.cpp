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
