// The routes `attach` uses besides the log stream: input for a container's stdin FIFO and
// the signals --sig-proxy forwards. Both are short non-blocking calls, answered on the loop.
#include "attach_stdin.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {
using nlohmann::json;

namespace {

// The JSON body carries bytes as hex: a JSON string must be UTF-8 and typed input need not
// be; the amounts are small.
std::string from_hex(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) throw daemon::HttpError(400, "hex: odd number of digits");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) throw daemon::HttpError(400, "hex: not a hex digit");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

ContainerRecord project_container(const ContainerStore& store, const std::string& project, const std::string& name) {
  auto c = store.find(name);
  if (!c || c->project != project) throw daemon::HttpError(404, "No such container: " + name);
  return *c;
}

}  // namespace

void install_attach_routes(daemon::Engine& engine, std::shared_ptr<ContainerStore> store) {
  engine.router().add("POST /projects/{name}/containers/{container}/stdin", [store](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const auto c = project_container(*store, req.param("name"), req.param("container"));
    const std::string data = from_hex(req.json_body().value("hex", ""));
    try {
      write_container_stdin(store->folder(c.id), c.name, data);
    } catch (const Error& e) {
      throw daemon::HttpError(409, e.what());
    }
    out->reply_empty();
  });
  engine.router().add("POST /projects/{name}/containers/{container}/kill", [store](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const auto c = project_container(*store, req.param("name"), req.param("container"));
    const std::string signal = req.json_body().value("signal", "SIGKILL");
    int sig;
    try {
      sig = runtime::parse_signal(signal);
    } catch (const Error& e) {
      throw daemon::HttpError(400, e.what());
    }
    const std::string status = store->state(c.id).status;
    if (status != "running" && status != "paused") throw daemon::HttpError(409, "container " + c.name + " is not running");
    store->kill(c.id, sig);
    out->reply_empty();
  });
}

}  // namespace mycompose::scheduler
