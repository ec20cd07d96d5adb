#include "mycompose/compose/interpolation.hpp"

#include <set>

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {
namespace {

bool is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// A hand-written scanner rather than a regex: the words of ${A:-${B:-x}} nest, and only
// the branch that is taken may be evaluated (so an unused ${X:?} cannot fail).
class Expander {
 public:
  Expander(std::string_view whole, const Lookup* lookup, const std::function<void(const std::string&)>* unset,
           std::map<std::string, VariableUse>* collect)
      : whole_(whole), lookup_(lookup), unset_(unset), collect_(collect) {}

  std::string expand(std::string_view s, bool evaluate) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c != '$') {
        out += c;
        ++i;
        continue;
      }
      // As compose-go's pattern: only "${" must be followed by a valid expression; a '$'
      // before anything but '$', a name or '{' ("$(date)", "$1", "5$") stays as written.
      if (i + 1 >= s.size()) {
        out += '$';
        ++i;
        continue;
      }
      char d = s[i + 1];
      if (d == '$') {
        out += '$';
        i += 2;
      } else if (is_name_start(d)) {
        std::size_t j = i + 1;
        while (j < s.size() && is_name_char(s[j])) ++j;
        std::string name(s.substr(i + 1, j - i - 1));
        note(name);
        if (evaluate) out += value_or_warn(name);
        i = j;
      } else if (d == '{') {
        std::size_t close = matching_brace(s, i);
        if (close == std::string_view::npos) invalid();
        out += braced(s.substr(i + 2, close - i - 2), evaluate);
        i = close + 1;
      } else {
        out += '$';
        ++i;
      }
    }
    return out;
  }

 private:
  // Index of the '}' closing the "${" at `start`; each nested "${" needs its own '}'.
  static std::size_t matching_brace(std::string_view s, std::size_t start) {
    int depth = 0;
    for (std::size_t k = start; k < s.size(); ++k) {
      if (s[k] == '$' && k + 1 < s.size() && s[k + 1] == '$') {
        ++k;
      } else if (s[k] == '$' && k + 1 < s.size() && s[k + 1] == '{') {
        ++depth;
        ++k;
      } else if (s[k] == '}') {
        if (--depth == 0) return k;
      }
    }
    return std::string_view::npos;
  }

  std::string braced(std::string_view inner, bool evaluate) {
    std::size_t n = 0;
    if (inner.empty() || !is_name_start(inner[0])) invalid();
    while (n < inner.size() && is_name_char(inner[n])) ++n;
    std::string name(inner.substr(0, n));
    std::string_view rest = inner.substr(n);
    VariableUse& use = note(name);
    if (rest.empty()) return evaluate ? value_or_warn(name) : std::string();

    bool colon = rest[0] == ':';
    if (colon) rest.remove_prefix(1);
    if (rest.empty() || (rest[0] != '-' && rest[0] != '?' && rest[0] != '+')) invalid();
    char op = rest[0];
    std::string_view word = rest.substr(1);
    if (collect_) {
      std::string literal(word);
      if (op == '-') use.default_value = literal;
      if (op == '+') use.alternate_value = literal;
      if (op == '?') use.required = true;
    }
    if (!evaluate) {
      expand(word, false);  // still checks the syntax and collects nested variables
      return {};
    }
    std::optional<std::string> v = (*lookup_)(name);
    bool usable = v && (!colon || !v->empty());
    switch (op) {
      case '-':
        return usable ? *v : expand(word, true);
      case '+':
        return usable ? expand(word, true) : std::string();
      default: {  // '?'
        if (usable) return *v;
        std::string reason = expand(word, true);
        throw TemplateError("required variable " + name + " is missing a value" + (reason.empty() ? "" : ": " + reason),
                            false);
      }
    }
  }

  VariableUse& note(const std::string& name) {
    static VariableUse scratch;
    if (!collect_) return scratch;
    VariableUse& u = (*collect_)[name];
    u.name = name;
    return u;
  }

  std::string value_or_warn(const std::string& name) {
    std::optional<std::string> v = (*lookup_)(name);
    if (v) return *v;
    if (unset_ && *unset_) (*unset_)(name);
    return {};
  }

  [[noreturn]] void invalid() const { throw TemplateError("Invalid template: \"" + std::string(whole_) + "\"", true); }

  std::string_view whole_;
  const Lookup* lookup_;
  const std::function<void(const std::string&)>* unset_;
  std::map<std::string, VariableUse>* collect_;
};

class TreeInterpolator {
 public:
  TreeInterpolator(const Lookup& lookup, const std::function<void(const std::string&)>& warn,
                   std::map<std::string, VariableUse>& vars)
      : lookup_(lookup), warn_(warn), vars_(vars) {}

  // In place on the caller's copy: copying each subtree at every level (then overwriting
  // its children) made this quadratic in the depth.
  void walk(Node& n, const std::string& path) {
    switch (n.kind) {
      case Node::Kind::Scalar:
        if (n.value.find('$') != std::string::npos) n.value = scalar(n, path);
        break;
      case Node::Kind::Sequence:
        for (std::size_t i = 0; i < n.items.size(); ++i) walk(n.items[i], path + "[" + std::to_string(i) + "]");
        break;
      case Node::Kind::Map:
        for (auto& e : n.entries) walk(e.value, path.empty() ? e.key : path + "." + e.key);
        break;
      case Node::Kind::Null:
        break;
    }
  }

 private:
  std::string scalar(const Node& n, const std::string& path) {
    if (n.value.find('$') == std::string::npos) return n.value;
    std::function<void(const std::string&)> unset = [this](const std::string& name) {
      if (warned_.insert(name).second && warn_)
        warn_("The \"" + name + "\" variable is not set. Defaulting to a blank string.");
    };
    try {
      Expander(n.value, &lookup_, nullptr, &vars_).expand(n.value, false);
      return Expander(n.value, &lookup_, &unset, nullptr).expand(n.value, true);
    } catch (const TemplateError& e) {
      if (e.invalid_syntax())
        throw ComposeError(n.mark, "invalid interpolation format for " + path + ": \"" + n.value +
                                       "\"; you may need to escape any $ with another $");
      throw ComposeError(n.mark, "error while interpolating " + path + ": " + e.what());
    }
  }

  const Lookup& lookup_;
  const std::function<void(const std::string&)>& warn_;
  std::map<std::string, VariableUse>& vars_;
  std::set<std::string> warned_;
};

}  // namespace

std::string substitute(std::string_view text, const Lookup& lookup, const std::function<void(const std::string&)>& unset) {
  return Expander(text, &lookup, &unset, nullptr).expand(text, true);
}

void collect_variables(std::string_view text, std::map<std::string, VariableUse>& out) {
  Expander(text, nullptr, nullptr, &out).expand(text, false);
}

InterpolationResult interpolate(const Node& tree, const Lookup& lookup, const std::function<void(const std::string&)>& warn) {
  InterpolationResult r;
  TreeInterpolator t(lookup, warn, r.variables);
  r.tree = tree;
  t.walk(r.tree, "");
  return r;
}

}  // namespace mycompose::compose
