#pragma once
// config.json → validated model. Everything that can be wrong with the input is found here,
// in the parent, before any folder, cgroup, mount or process exists.
#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mycompose/runtime/seccomp.hpp"

namespace mycompose::runtime {

struct NamespaceSpec {
  int flag = 0;      // CLONE_NEW*
  std::string type;  // OCI name ("network")
  std::string path;  // join this one when set
};

struct MountSpec {
  std::string destination;
  std::string type;
  std::string source;  // bind sources made absolute (relative to the bundle)
  // "org.mycompose.sourceRoot" (our extension; OCI runtimes ignore unknown properties): the
  // trusted folder a bind source lies in, below which no symlink is followed
  // (mycompose/runtime/mount_source.hpp). "" = the source is opened as runc opens it.
  std::string source_root;
  std::vector<std::string> options;
};

struct Spec {
  nlohmann::json raw;  // the document as read (sent to the init, stored for exec)
  std::filesystem::path bundle;
  std::filesystem::path rootfs;  // absolute
  std::vector<NamespaceSpec> namespaces;
  std::vector<MountSpec> mounts;
  std::string cgroups_path;
  // linux.rootfsPropagation as mount(2) flags (MS_SHARED… | MS_REC); 0 = not set.
  unsigned long rootfs_propagation = 0;
  // linux.seccomp compiled to BPF by a full parse (before fork: the child only loads it).
  CompiledSeccomp seccomp;

  int clone_flags_new() const;     // CLONE_NEW* of the namespaces to create
  bool has(int flag) const;        // created or joined
  const NamespaceSpec* find(int flag) const;
};

// Reads <bundle>/config.json; throws Error naming the field at fault.
Spec load_spec(const std::filesystem::path& bundle);
// Validation shared by create and the init (which receives the raw JSON).
Spec parse_spec(const nlohmann::json& raw, const std::filesystem::path& bundle, bool full = true);
// Validates a process object (create and exec).
void check_process(const nlohmann::json& process, const std::string& where);
// Every capability process.capabilities asks for must be in this runtime's bounding set
// (capset would refuse it inside the container); throws Error naming the set.
void check_capabilities_held(const nlohmann::json& process, const std::string& where);

int namespace_flag(const std::string& type);  // "pid" → CLONE_NEWPID; throws on unknown
const char* namespace_proc_name(int flag);    // CLONE_NEWNET → "net"

}  // namespace mycompose::runtime
