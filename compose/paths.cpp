#include "mycompose/compose/paths.hpp"

#include <filesystem>

namespace mycompose::compose {

std::string absolute_from(const std::string& path, const std::string& dir) {
  std::filesystem::path p(path);
  std::string out = (p.is_absolute() ? p : std::filesystem::path(dir) / p).lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();  // "dir/." normalizes to "dir/"
  return out;
}

namespace {

bool is_remote(const std::string& s) {
  return s.find("://") != std::string::npos || s.rfind("git@", 0) == 0 || s.rfind("github.com/", 0) == 0;
}

void absolutize(Node& n, const std::string& dir) {
  if (!n.is_scalar() || n.value.empty() || n.value[0] == '/' || n.value[0] == '~' || is_remote(n.value)) return;
  n.value = absolute_from(n.value, dir);
}

// "./src:/dst:ro" → "/dir/src:/dst:ro"; named volumes and absolute sources are kept.
void absolutize_short_volume(Node& n, const std::string& dir) {
  if (!n.is_scalar()) return;
  auto colon = n.value.find(':');
  if (colon == std::string::npos || n.value[0] != '.') return;
  Node src = Node::scalar(n.value.substr(0, colon));
  absolutize(src, dir);
  n.value = src.value + n.value.substr(colon);
}

}  // namespace

Node resolve_service_paths(const Node& service, const std::string& dir) {
  Node s = service;
  if (!s.is_map()) return s;
  if (Node* b = s.find("build")) {
    if (b->is_scalar()) absolutize(*b, dir);
    else if (Node* ctx = b->find("context")) absolutize(*ctx, dir);
    else if (b->is_map()) b->set("context", Node::scalar(dir, b->mark));
  }
  for (const char* key : {"env_file", "label_file"})
    if (Node* e = s.find(key)) {
      if (e->is_scalar()) absolutize(*e, dir);
      for (auto& item : e->items) {
        if (item.is_scalar()) absolutize(item, dir);
        else if (Node* p = item.find("path")) absolutize(*p, dir);
      }
    }
  if (Node* v = s.find("volumes"))
    for (auto& item : v->items) {
      if (item.is_scalar()) {
        absolutize_short_volume(item, dir);
      } else if (const Node* type = item.find("type"); type && type->value == "bind") {
        if (Node* src = item.find("source")) absolutize(*src, dir);
      }
    }
  if (Node* ext = s.find("extends"))
    if (Node* f = ext->find("file")) absolutize(*f, dir);
  return s;
}

Node resolve_document_paths(const Node& document, const std::string& dir) {
  Node d = document;
  if (Node* services = d.find("services"))
    for (auto& e : services->entries) e.value = resolve_service_paths(e.value, dir);
  for (const char* top : {"secrets", "configs"})
    if (Node* section = d.find(top))
      for (auto& e : section->entries)
        if (Node* f = e.value.find("file")) absolutize(*f, dir);
  return d;
}

}  // namespace mycompose::compose
