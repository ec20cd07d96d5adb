#include "mycompose/compose/include.hpp"

#include <filesystem>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/paths.hpp"

namespace mycompose::compose {
namespace {

namespace stdfs = std::filesystem;

std::vector<std::string> strings_of(const Node& n, const std::string& what, const std::string& dir) {
  std::vector<std::string> out;
  if (n.is_scalar()) {
    out.push_back(absolute_from(n.value, dir));
  } else if (n.is_sequence()) {
    for (const auto& i : n.items) {
      if (!i.is_scalar()) throw ComposeError(i.mark, "include." + what + " must be a string or a list of strings");
      out.push_back(absolute_from(i.value, dir));
    }
  } else {
    throw ComposeError(n.mark, "include." + what + " must be a string or a list of strings, not a " + n.kind_name());
  }
  return out;
}

// Structural equality, ignoring positions: the same definition imported twice is fine.
bool same(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.value != b.value) return false;
  if (a.items.size() != b.items.size() || a.entries.size() != b.entries.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (!same(a.items[i], b.items[i])) return false;
  for (const auto& e : a.entries) {
    const Node* o = b.find(e.key);
    if (!o || !same(e.value, *o)) return false;
  }
  return true;
}

}  // namespace

std::vector<IncludeEntry> parse_include(const Node& include, const std::string& dir) {
  std::vector<IncludeEntry> out;
  std::vector<const Node*> items;
  if (include.is_null()) return out;
  if (include.is_sequence()) {
    for (const auto& i : include.items) items.push_back(&i);
  } else {
    items.push_back(&include);
  }
  for (const Node* item : items) {
    IncludeEntry e;
    e.mark = item->mark;
    if (item->is_scalar()) {
      e.paths = {absolute_from(item->value, dir)};
    } else if (item->is_map()) {
      for (const auto& kv : item->entries)
        if (kv.key != "path" && kv.key != "project_directory" && kv.key != "env_file")
          throw ComposeError(kv.key_mark, "include: unknown key \"" + kv.key + "\" (expected path, project_directory or env_file)");
      const Node* path = item->find("path");
      if (!path) throw ComposeError(item->mark, "include: path is required");
      e.paths = strings_of(*path, "path", dir);
      if (const Node* pd = item->find("project_directory")) {
        if (!pd->is_scalar()) throw ComposeError(pd->mark, "include.project_directory must be a string");
        e.project_directory = absolute_from(pd->value, dir);
      }
      if (const Node* ef = item->find("env_file")) {
        e.env_files = strings_of(*ef, "env_file", dir);
        e.env_files_given = true;
      }
    } else {
      throw ComposeError(item->mark, "include entries must be a string or a mapping, not a " + item->kind_name());
    }
    if (e.paths.empty()) throw ComposeError(item->mark, "include: path is required");
    if (e.project_directory.empty()) e.project_directory = stdfs::path(e.paths.front()).parent_path().string();
    out.push_back(std::move(e));
  }
  return out;
}

Node merge_included(const Node& document, const Node& included, const IncludeEntry& from) {
  Node out = document;
  for (const char* section : {"services", "networks", "volumes", "secrets", "configs"}) {
    const Node* theirs = included.find(section);
    if (!theirs || !theirs->is_map()) continue;
    Node* ours = out.find(section);
    if (!ours || ours->is_null()) ours = &out.set(section, Node::map(theirs->mark));
    if (!ours->is_map()) continue;  // validation reports the wrong type
    for (const auto& e : theirs->entries) {
      if (const Node* mine = ours->find(e.key)) {
        if (same(*mine, e.value)) continue;
        std::string singular = std::string(section).substr(0, std::string(section).size() - 1);
        throw ComposeError(mine->mark, std::string(section) + "." + e.key + " conflicts with the " + singular + " \"" +
                                           e.key + "\" imported from " + from.paths.front());
      }
      ours->entries.push_back(e);
    }
  }
  return out;
}

std::string include_cycle(const std::vector<std::string>& chain, const std::string& path) {
  for (std::size_t i = 0; i < chain.size(); ++i)
    if (chain[i] == path) {
      std::string s;
      for (std::size_t k = i; k < chain.size(); ++k) s += chain[k] + " -> ";
      return s + path;
    }
  return {};
}

}  // namespace mycompose::compose
