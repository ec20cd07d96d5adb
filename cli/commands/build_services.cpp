#include "commands/build_services.hpp"

#include "commands/build_private.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "mycompose/build/builder.hpp"
#include "mycompose/build/cancel.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"
#include "progress/progress.hpp"

namespace mycompose::cli {

namespace {

std::ostream* g_display = &std::cout;
std::ostream& display() { return *g_display; }

}  // namespace

void build_display_on_stderr(bool on_stderr) { g_display = on_stderr ? &std::cerr : &std::cout; }

namespace {

using Json = nlohmann::ordered_json;

std::string str(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

build::BuildRequest request_for(const compose::Project& project, const std::string& service, const Json& b, const std::string& image,
                                const flags::BuildOptions& o) {
  build::BuildRequest r;
  r.name = service;
  r.context = str(b, "context").empty() ? project.working_dir : str(b, "context");
  r.dockerfile = str(b, "dockerfile");
  r.dockerfile_inline = str(b, "dockerfile_inline");
  r.target = str(b, "target");
  if (b.contains("args") && b["args"].is_object())
    for (auto it = b["args"].begin(); it != b["args"].end(); ++it)
      r.args[it.key()] = it.value().is_null() ? std::nullopt : std::optional<std::string>(it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  for (const auto& a : o.build_args) {
    auto eq = a.find('=');
    if (eq == std::string::npos) r.args[a] = std::nullopt;
    else r.args[a.substr(0, eq)] = a.substr(eq + 1);
  }
  if (b.contains("labels") && b["labels"].is_object())
    for (auto it = b["labels"].begin(); it != b["labels"].end(); ++it) r.labels[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  r.tags.push_back(image);
  if (b.contains("tags") && b["tags"].is_array())
    for (const auto& t : b["tags"]) r.tags.push_back(t.get<std::string>());
  if (b.contains("additional_contexts") && b["additional_contexts"].is_object())
    for (auto it = b["additional_contexts"].begin(); it != b["additional_contexts"].end(); ++it)
      r.additional_contexts[it.key()] = it.value().get<std::string>();
  r.no_cache = o.no_cache || (b.contains("no_cache") && b["no_cache"].is_boolean() && b["no_cache"].get<bool>());
  r.pull = o.pull || (b.contains("pull") && b["pull"].is_boolean() && b["pull"].get<bool>());
  r.network = str(b, "network");
  if (b.contains("extra_hosts") && b["extra_hosts"].is_array())
    for (const auto& h : b["extra_hosts"]) r.extra_hosts.push_back(h.get<std::string>());
  if (b.contains("shm_size")) {
    const auto& s = b["shm_size"];
    r.shm_size = s.is_number() ? s.get<std::int64_t>() : std::stoll(s.get<std::string>());
  }
  add_buildkit_options(project, service, b, o, r);
  return r;
}

// docker compose's plain progress: "#n [web 2/5] RUN …", output lines, "#n CACHED", "#n DONE 0.3s",
// "#n CANCELED". On stdout: docker compose gives its build display its standard output.
class PlainProgress {
 public:
  explicit PlainProgress(bool quiet) : quiet_(quiet) {}
  build::ProgressSink sink() {
    return [this](const build::BuildEvent& e) { on(e); };
  }
  void next_build() { offset_ = last_; }
  int steps() const { return last_; }
  // BuildKit's last step of a build: the image written and named by each tag.
  void exported(const std::string& image_id, const std::vector<std::string>& tags) {
    const int n = ++last_;
    if (quiet_) return;
    std::ostringstream out;
    out << "#" << n << " exporting to image\n#" << n << " writing image " << image_id << " done\n";
    for (const auto& t : tags) out << "#" << n << " naming to " << image::Reference::parse(t).str() << " done\n";
    out << "#" << n << " DONE 0.0s\n";
    display() << out.str() << std::flush;
  }

 private:
  void on(const build::BuildEvent& e) {
    int n = offset_ + e.step;
    last_ = std::max(last_, n);
    if (quiet_) return;
    std::ostringstream out;
    switch (e.kind) {
      case build::BuildEvent::Kind::Step:
        out << "#" << n << " " << e.text << "\n";
        break;
      case build::BuildEvent::Kind::Cached:
        out << "#" << n << " CACHED\n";
        cached_.insert(n);
        break;
      case build::BuildEvent::Kind::Output: {
        // Prefix every line; a chunk may end in the middle of one.
        std::string& pending = partial_[n];
        pending += e.text;
        std::size_t start = 0, nl;
        while ((nl = pending.find('\n', start)) != std::string::npos) {
          out << "#" << n << " " << pending.substr(start, nl - start) << "\n";
          start = nl + 1;
        }
        pending.erase(0, start);
        break;
      }
      case build::BuildEvent::Kind::Done:
        if (cached_.count(n)) return;  // buildkit prints CACHED alone
        flush_partial(out, n);
        out << "#" << n << " DONE " << fixed(e.seconds) << "s\n";
        break;
      case build::BuildEvent::Kind::Error:
        flush_partial(out, n);
        out << "#" << n << " ERROR: " << e.text << "\n";
        break;
      case build::BuildEvent::Kind::Canceled:
        flush_partial(out, n);
        out << "#" << n << " CANCELED\n";
        break;
    }
    display() << out.str() << std::flush;
  }
  void flush_partial(std::ostringstream& out, int n) {
    auto it = partial_.find(n);
    if (it != partial_.end() && !it->second.empty()) out << "#" << n << " " << it->second << "\n";
    partial_.erase(n);
  }
  static std::string fixed(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", s);
    return buf;
  }
  bool quiet_;
  int offset_ = 0, last_ = 0;
  std::map<int, std::string> partial_;
  std::set<int> cached_;
};

}  // namespace

std::vector<std::string> build_services(const compose::Project& project, const std::vector<ServiceImage>& services,
                                        const flags::BuildOptions& o, image::ImageStore& store, bool quiet) {
  const auto& defs = project.model["services"];
  // Ctrl-C or SIGTERM cancels the build and lets it clean up (exit 130, as docker compose).
  build::CancelOnSignals cancel_on_signals;
  build::Builder builder(store);
  PlainProgress progress(quiet);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> built;
  for (const auto& s : order_by_build_contexts(project, services)) {
    const auto& b = defs[s.service]["build"];
    auto image = effective_image(project, s);
    progress.next_build();
    auto request = request_for(project, s.service, b, image, o);
    progress.exported(builder.build(request, progress.sink()), request.tags);
    built.push_back(s.service);
    // --push: every tag the build made, as docker compose build --push does, for a service
    // that names its image (an unnamed one has nowhere to go).
    if (o.push && !s.image.empty())
      for (const auto& tag : request.tags) {
        if (!quiet) std::cerr << " " << s.service << " Pushing " << tag << "\n";
        image::registry::push(store, tag, image::Reference::parse(tag));
      }
  }
  build::throw_if_canceled();
  if (quiet) return built;
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1fs", total);
  display() << "[+] Building " << buf << " (" << progress.steps() << "/" << progress.steps() << ") FINISHED\n";
  auto renderer = progress::make_renderer(progress::title_for("build"), false);  // as --progress asks
  for (const auto& s : built) renderer->event({"Service " + s, "Built", progress::State::Done, ""});
  renderer->finish();
  return built;
}

}  // namespace mycompose::cli
