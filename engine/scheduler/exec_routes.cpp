// POST /containers/{id}/exec: `exec -d`, a process started in a running container and left
// there. The engine runs `mycompose runtime exec -d` as its own child (the multi-threaded
// engine does not fork into a container itself), so the process is reparented to the engine,
// which reaps everything: started by the CLI, it went to whichever ancestor of the CLI reaps
// orphans, and one that never did (a subreaper busy waiting for us) held the container's init
// in zap_pid_ns_processes — `down` hung.
#include <memory>
#include <set>

#include "mycompose/daemon/engine.hpp"
#include "mycompose/health/monitor.hpp"
#include "mycompose/health/probe.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxArgs = 4096;
constexpr std::size_t kMaxArgBytes = 1 << 20;
constexpr auto kStartTimeout = std::chrono::seconds(30);  // to start it, not to run it

std::vector<std::string> strings_of(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  if (!body[key].is_array()) throw daemon::HttpError(400, std::string("exec: \"") + key + "\" must be a list of strings");
  std::size_t bytes = 0;
  for (const auto& v : body[key]) {
    if (!v.is_string()) throw daemon::HttpError(400, std::string("exec: \"") + key + "\" must be a list of strings");
    out.push_back(v.get<std::string>());
    bytes += out.back().size();
  }
  if (out.size() > kMaxArgs || bytes > kMaxArgBytes) throw daemon::HttpError(400, std::string("exec: \"") + key + "\" is too long");
  return out;
}

std::string string_of(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return "";
  if (!body[key].is_string()) throw daemon::HttpError(400, std::string("exec: \"") + key + "\" must be a string");
  return body[key].get<std::string>();
}

// A runtime container id: it becomes an argument, so it must never read as a flag.
void check_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 128 && id.front() != '-';
  for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!ok) throw daemon::HttpError(400, "exec: bad container id");
}

}  // namespace

void install_exec_routes(daemon::Engine& engine, ProjectServices&) {
  // Probes in flight, cancelled at shutdown (their process group is killed: a start that did
  // not finish is not left half-done).
  auto running = std::make_shared<std::set<std::shared_ptr<health::Probe>>>();
  engine.on_shutdown([running] {
    for (const auto& p : *running) p->cancel();
    running->clear();
  });
  engine.router().add("POST /containers/{id}/exec", [&engine, running](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const std::string id = req.param("id");
    check_id(id);
    const json body = req.json_body();
    if (!body.is_object()) throw daemon::HttpError(400, "exec: the body must be an object");
    if (!body.value("detach", false)) throw daemon::HttpError(400, "exec: only detached processes are started by the engine");
    const auto args = strings_of(body, "args");
    if (args.empty()) throw daemon::HttpError(400, "exec: a command is required");
    std::vector<std::string> argv{health::runtime_program(), "runtime", "--root", engine.runtime().root().string(), "exec", "-d"};
    // --name=value: a value that starts with '-' stays a value.
    for (const auto& e : strings_of(body, "env")) argv.push_back("--env=" + e);
    if (auto cwd = string_of(body, "cwd"); !cwd.empty()) argv.push_back("--workdir=" + cwd);
    if (auto user = string_of(body, "user"); !user.empty()) argv.push_back("--user=" + user);
    if (body.contains("privileged") && !body["privileged"].is_boolean()) throw daemon::HttpError(400, "exec: privileged must be a boolean");
    if (body.value("privileged", false)) argv.push_back("--privileged");
    argv.push_back(id);
    argv.insert(argv.end(), args.begin(), args.end());
    auto slot = std::make_shared<std::shared_ptr<health::Probe>>();
    auto done = [out, running, slot](health::ProbeResult r) {
      running->erase(*slot);
      if (out->closed()) return;
      if (r.exit_code == 0) return out->reply(200, json{{"started", true}});
      std::string message = r.output;
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      if (message.rfind("error: ", 0) == 0) message.erase(0, 7);
      if (message.empty()) message = "exec failed (exit " + std::to_string(r.exit_code) + ")";
      out->reply(409, json{{"message", message}, {"exit_code", r.exit_code}});
    };
    auto reaper = [&engine](pid_t pid, std::function<void(int)> cb) { engine.on_child_exit(pid, std::move(cb)); };
    *slot = health::Probe::start(engine.loop(), argv, kStartTimeout, reaper, [] { return health::Clock::now(); }, std::move(done));
    if (*slot) running->insert(*slot);
  });
}

}  // namespace mycompose::scheduler
