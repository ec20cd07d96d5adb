#include "mycompose/compose/merge.hpp"

namespace mycompose::compose {

static Node merge_nodes(const Node& base, const Node& over) {
  if (base.is_map() && over.is_map()) {
    Node out = base;
    for (const auto& e : over.entries) {
      if (Node* existing = out.find(e.key))
        *existing = merge_nodes(*existing, e.value);
      else
        out.entries.push_back(e);
    }
    return out;
  }
  if (base.is_sequence() && over.is_sequence()) {
    Node out = base;
    out.items.insert(out.items.end(), over.items.begin(), over.items.end());
    return out;
  }
  return over;
}

Node merge_files(const Node& base, const Node& over) { return merge_nodes(base, over); }

}  // namespace mycompose::compose
