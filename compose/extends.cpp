#include "mycompose/compose/extends.hpp"

#include <filesystem>
#include <map>
#include <vector>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/merge.hpp"
#include "mycompose/compose/paths.hpp"

namespace mycompose::compose {
namespace {

namespace stdfs = std::filesystem;

std::string dir_of(const std::string& file) { return stdfs::path(file).parent_path().string(); }

class Resolver {
 public:
  Resolver(const DocumentLoader& load) : load_(load) {}

  // The service `name` of `file` (whose document is `doc`) with its extends resolved.
  Node service(const Node& doc, const std::string& file, const std::string& name, const Mark& where) {
    std::string id = name + " (" + file + ")";
    for (std::size_t i = 0; i < stack_.size(); ++i)
      if (stack_[i] == id) {
        std::string cycle;
        for (std::size_t k = i; k < stack_.size(); ++k) cycle += stack_[k] + " -> ";
        throw ComposeError(where, "circular reference in extends: " + cycle + id);
      }
    if (auto it = done_.find(id); it != done_.end()) return it->second;
    const Node* services = doc.find("services");
    const Node* svc = services ? services->find(name) : nullptr;
    if (!svc) throw ComposeError(where, "cannot extend service \"" + name + "\": no such service in " + file);
    const Node* ext = svc->find("extends");
    if (!ext) return *svc;

    std::string base_name, base_file = file;
    if (ext->is_scalar()) {
      base_name = ext->value;
    } else if (ext->is_map()) {
      const Node* s = ext->find("service");
      if (!s || !s->is_scalar()) throw ComposeError(ext->mark, "services." + name + ".extends: service is required");
      base_name = s->value;
      if (const Node* f = ext->find("file")) {
        if (!f->is_scalar()) throw ComposeError(f->mark, "services." + name + ".extends.file must be a string");
        stdfs::path p(f->value);
        base_file = (p.is_absolute() ? p : stdfs::path(dir_of(file)) / p).lexically_normal().string();
      }
    } else {
      throw ComposeError(ext->mark, "services." + name + ".extends must be a string or a mapping, not a " + ext->kind_name());
    }

    stack_.push_back(id);
    Node base_doc = base_file == file ? doc : load_(base_file);
    Node base = service(base_doc, base_file, base_name, ext->mark);
    stack_.pop_back();
    if (base_file != file) base = resolve_service_paths(base, dir_of(base_file));
    Node own = *svc;
    own.erase("extends");
    Node merged = merge_service(base, own);
    done_[id] = merged;
    return merged;
  }

 private:
  const DocumentLoader& load_;
  std::vector<std::string> stack_;
  std::map<std::string, Node> done_;
};

}  // namespace

Node resolve_extends(const Node& document, const std::string& file, const DocumentLoader& load) {
  const Node* services = document.find("services");
  if (!services || !services->is_map()) return document;
  bool any = false;
  for (const auto& e : services->entries) any = any || (e.value.is_map() && e.value.find("extends"));
  if (!any) return document;
  Resolver r(load);
  Node out = document;
  Node* out_services = out.find("services");
  for (auto& e : out_services->entries)
    if (e.value.is_map() && e.value.find("extends")) e.value = r.service(document, file, e.key, e.value.find("extends")->mark);
  return out;
}

}  // namespace mycompose::compose
