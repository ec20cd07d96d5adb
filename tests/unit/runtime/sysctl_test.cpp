// Which sysctls a container may set (the namespace that makes each its own).
#include <catch2/catch.hpp>

#include "mycompose/runtime/sysctl.hpp"

using namespace mycompose::runtime;

TEST_CASE("sysctl scope: ipc, net and uts keys, everything else is the host's") {
  for (const char* k : {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
                        "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.msg_max", "fs.mqueue.queues_max"})
    CHECK(sysctl_scope(k) == SysctlScope::Ipc);
  CHECK(sysctl_scope("net.ipv4.ip_forward") == SysctlScope::Net);
  CHECK(sysctl_scope("kernel.domainname") == SysctlScope::Uts);
  for (const char* k : {"kernel.printk_ratelimit_burst", "vm.swappiness", "kernel.hostname", "kernel.shm_next_id_x", "fs.mqueue",
                        "kernel.msg", "net", "fs.file-max", "kernel.core_pattern", "kernel.modprobe"})
    CHECK(sysctl_scope(k) == SysctlScope::Host);
}

TEST_CASE("sysctl refusal: needs the container's own namespace, and names the key") {
  const OwnNamespaces all{true, true, true}, none{};
  CHECK(sysctl_refusal("net.core.somaxconn", all).empty());
  CHECK(sysctl_refusal("kernel.sem", all).empty());
  CHECK(sysctl_refusal("kernel.domainname", all).empty());
  CHECK(sysctl_refusal("net.core.somaxconn", none) ==
        "sysctl \"net.core.somaxconn\" is not allowed in the host's network namespace: it would change the host");
  CHECK(sysctl_refusal("kernel.sem", none).find("host's ipc namespace") != std::string::npos);
  CHECK(sysctl_refusal("kernel.domainname", none).find("host's uts namespace") != std::string::npos);
  CHECK(sysctl_refusal("vm.swappiness", all) ==
        "sysctl \"vm.swappiness\" is not namespaced: it would change the host (it is not in a separate kernel namespace)");
  CHECK(sysctl_refusal("kernel.hostname", all).find("conflicts with the hostname") != std::string::npos);
  // The slash form names the same key.
  CHECK(sysctl_refusal("vm/swappiness", all).find("\"vm.swappiness\"") != std::string::npos);
  CHECK(sysctl_refusal("net/ipv4/conf/eth0/forwarding", all).empty());
}

TEST_CASE("sysctl dotted: slash-separated keys as sysctl.d writes them") {
  CHECK(sysctl_dotted("net/ipv4/ip_forward") == "net.ipv4.ip_forward");
  CHECK(sysctl_dotted("net/ipv4/conf/eno2.100/rp_filter") == "net.ipv4.conf.eno2/100.rp_filter");
  CHECK(sysctl_dotted("net.ipv4.ip_forward") == "net.ipv4.ip_forward");
}
