// Finding the process behind a taken port, for the conflict error: the kernel's socket
// tables give the socket inode, the fd links of each process give its owner.
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "mycompose/net/port_proxy.hpp"

namespace mycompose::net {
namespace {

// Socket inodes bound to `port` in one /proc/net table ("local_address" is HEXIP:HEXPORT).
void collect_inodes(const std::string& table, std::uint16_t port, bool listening_only, std::set<std::string>& inodes) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    if (!(f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
    std::size_t colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
    if (listening_only && state != "0A") continue;  // TCP_LISTEN
    if (inode != "0") inodes.insert(inode);
  }
}

}  // namespace

std::string port_holder(Protocol protocol, std::uint16_t port, const std::string& proc) {
  std::set<std::string> inodes;
  const char* base = protocol == Protocol::Tcp ? "tcp" : "udp";
  for (const char* v6 : {"", "6"}) collect_inodes(proc + "/net/" + base + v6, port, protocol == Protocol::Tcp, inodes);
  if (inodes.empty()) return "";

  DIR* procdir = opendir(proc.c_str());
  if (!procdir) return "";
  std::string found;
  while (dirent* pe = readdir(procdir)) {
    std::string pid = pe->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string fddir = proc + "/" + pid + "/fd";
    DIR* fds = opendir(fddir.c_str());
    if (!fds) continue;  // gone, or not ours to read
    while (dirent* fe = readdir(fds)) {
      char target[64];
      ssize_t n = readlink((fddir + "/" + fe->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string link(target, static_cast<std::size_t>(n));
      if (link.starts_with("socket:[") && inodes.count(link.substr(8, link.size() - 9))) {
        std::ifstream comm(proc + "/" + pid + "/comm");
        std::string name;
        std::getline(comm, name);
        found = "process " + pid + (name.empty() ? "" : " (" + name + ")");
        break;
      }
    }
    closedir(fds);
    if (!found.empty()) break;
  }
  closedir(procdir);
  return found;
}

}  // namespace mycompose::net
