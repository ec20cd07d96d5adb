// RUN --mount=type=secret and type=ssh (issue [P]): what BuildKit users fetch private
// dependencies with. The secret is readable in the step and found nowhere afterwards: not in
// any layer, the image config, the history or the build cache; the ssh agent answers in the
// step through a socket of the step's own.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "build_helpers.hpp"
#include "mycompose/common/error.hpp"
#include "support/ssh_tools.hpp"

using namespace buildtest;

namespace {

constexpr const char* kSecret = "s3cr3t-value-4f1d9";

// Every regular file under `dir` that contains `needle`.
std::vector<std::string> files_containing(const stdfs::path& dir, const std::string& needle) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, stdfs::directory_options::skip_permission_denied, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    if (content.find(needle) != std::string::npos) hits.push_back(it->path().string());
  }
  return hits;
}

}  // namespace

TEST_CASE("build secrets: a secret file is read at /run/secrets/<id> and lands in no layer, config, history or cache") {
  Sandbox sb;
  sb.import_busybox();
  auto file = sb.dir / "token.txt";
  mycompose::fs::write_file_atomic(file, kSecret);
  BuildRequest req;
  req.secrets["tok"] = {file.string(), "", std::nullopt};
  const std::string df =
      "FROM busybox:test\n"
      "RUN --mount=type=secret,id=tok cat /run/secrets/tok && echo && stat -c '%a %u %g' /run/secrets/tok\n"
      "RUN --mount=type=secret,id=tok,target=/etc/app/key,mode=0440,uid=1000,gid=1000 stat -c '%a %u %g' /etc/app/key\n"
      "RUN --mount=type=secret,id=tok,env=TOKEN sh -c 'echo env:$TOKEN; test ! -e /run/secrets/tok'\n";
  auto r = sb.build_text(df, req);
  CHECK(r.output() == std::string(kSecret) + "\n400 0 0\n440 1000 1000\nenv:" + kSecret + "\n");
  // Nowhere on disk under the state root: layers, image configs, history, cache records.
  CHECK(files_containing(sb.root, kSecret).empty());
  // Mount points made for the step are gone from its layer.
  CHECK_FALSE(sb.image_file(r.id, "/run/secrets"));
  CHECK_FALSE(sb.image_file(r.id, "/etc/app/key"));
  // The value is not part of the cache key (as in BuildKit): a new value reuses the steps.
  mycompose::fs::write_file_atomic(file, "another-value");
  CHECK(sb.build_text(df, req).count(BuildEvent::Kind::Cached) == 3);
}

TEST_CASE("build secrets: an environment source, required and optional mounts, bad options named with their line") {
  Sandbox sb;
  sb.import_busybox();
  ::setenv("MYCOMPOSE_TEST_SECRET", kSecret, 1);
  BuildRequest req;
  req.secrets["api"] = {"", "MYCOMPOSE_TEST_SECRET", std::nullopt};
  auto r = sb.build_text(
      "FROM busybox:test\n"
      "RUN --mount=type=secret,id=api --mount=type=secret,id=absent cat /run/secrets/api; test ! -e /run/secrets/absent && echo skipped\n",
      req);
  ::unsetenv("MYCOMPOSE_TEST_SECRET");
  CHECK(r.output() == std::string(kSecret) + "skipped\n");
  CHECK(files_containing(sb.root, kSecret).empty());
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=secret,id=absent,required true\n", req),
                      Catch::StartsWith("Dockerfile:2: RUN --mount type=secret,id=absent,required: secret absent: not found"));
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=secret,id=api,mode=999 true\n", req),
                      "Dockerfile:2: RUN --mount type=secret,id=api,mode=999: mode=999: expected an octal mode such as 0400");
  auto big = sb.dir / "big";
  mycompose::fs::write_file_atomic(big, std::string(600 * 1024, 'x'));
  req.secrets["big"] = {big.string(), "", std::nullopt};
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=secret,id=big true\n", req),
                      Catch::Contains("Dockerfile:2:") && Catch::Contains("larger than"));
}

TEST_CASE("build ssh: a key file is served by an agent the step reaches through SSH_AUTH_SOCK, and the host agent is forwarded") {
  Sandbox sb;
  sb.import_busybox();
  if (::access("/usr/bin/ssh-add", X_OK) != 0 || ::access("/usr/bin/ssh-agent", X_OK) != 0)
    FAIL("OpenSSH's ssh-agent and ssh-add are needed (apt-get install openssh-client)");
  auto key = sb.dir / "id_ed25519";
  const auto fp = mycompose::test::new_ssh_key(key);
  REQUIRE(fp.rfind("SHA256:", 0) == 0);
  mycompose::test::stage_ssh_add(sb.ctx / "sshroot");
  const std::string df =
      "FROM busybox:test\nCOPY sshroot/ /\n"
      "RUN --mount=type=ssh sh -c 'echo sock=$SSH_AUTH_SOCK; stat -c %a $SSH_AUTH_SOCK; ssh-add -l'\n";
  BuildRequest req;
  req.ssh["default"] = {key.string()};
  req.no_cache = true;
  auto r = sb.build_text(df, req);
  INFO(r.output());
  CHECK(r.output().find("sock=/run/buildkit/ssh_agent.0\n600\n") == 0);
  CHECK(r.output().find(fp) != std::string::npos);
  CHECK_FALSE(sb.image_file(r.id, "/run/buildkit"));

  // default without a path: the agent of $SSH_AUTH_SOCK (one this test starts).
  auto agent_sock = sb.dir / "agent.sock";
  REQUIRE(std::system(("ssh-agent -a " + agent_sock.string() + " > " + (sb.dir / "agent.env").string()).c_str()) == 0);
  std::string agent_pid = mycompose::test::run({"sed", "-n", "s/^SSH_AGENT_PID=\\([0-9]*\\).*/\\1/p", (sb.dir / "agent.env").string()}).out;
  while (!agent_pid.empty() && agent_pid.back() == '\n') agent_pid.pop_back();
  REQUIRE(std::system(("SSH_AUTH_SOCK=" + agent_sock.string() + " ssh-add -q " + key.string()).c_str()) == 0);
  ::setenv("SSH_AUTH_SOCK", agent_sock.c_str(), 1);
  BuildRequest host;
  host.ssh["default"] = {};
  host.no_cache = true;
  std::string out;
  try {
    out = sb.build_text(df + "RUN --mount=type=ssh,id=default,target=/agent,uid=1000,mode=0660 stat -c '%u %a' /agent\n", host).output();
  } catch (const std::exception& e) {
    out = std::string("threw: ") + e.what();
  }
  ::unsetenv("SSH_AUTH_SOCK");
  std::system(("kill " + agent_pid).c_str());
  INFO(out);
  CHECK(out.find(fp) != std::string::npos);
  CHECK(out.find("1000 660\n") != std::string::npos);

  // Not forwarded: skipped unless required.
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=ssh,id=deploy,required=true true\n", BuildRequest{}),
                      Catch::StartsWith("Dockerfile:2: RUN --mount type=ssh,id=deploy,required=true: ssh deploy: not forwarded"));
}

TEST_CASE("build secrets cli: build.secrets from top-level file and environment secrets, build.ssh with a key, up --build") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("token.txt", kSecret);
  sb.write("compose.yaml",
           "name: demo\n"
           "services:\n"
           "  web:\n"
           "    build:\n"
           "      context: .\n"
           "      secrets: [tok, {source: apikey, target: api}]\n"
           "      dockerfile_inline: |\n"
           "        FROM busybox:test\n"
           "        RUN --mount=type=secret,id=tok --mount=type=secret,id=api,required cat /run/secrets/tok /run/secrets/api\n"
           "secrets:\n"
           "  tok: {file: ./token.txt}\n"
           "  apikey: {environment: MYCOMPOSE_TEST_API}\n");
  ::setenv("MYCOMPOSE_TEST_API", "-from-env", 1);
  auto r = run_cli(sb, {"build"});
  ::unsetenv("MYCOMPOSE_TEST_API");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find(std::string(kSecret) + "-from-env") != std::string::npos);
  CHECK(files_containing(sb.root, kSecret).empty());
  // The secret's file is read when a step asks: a missing environment variable of a required
  // secret fails with the id named.
  auto missing = run_cli(sb, {"build", "--no-cache"});
  CHECK(missing.status != 0);
  CHECK(missing.err.find("secret api: not found") != std::string::npos);
}
