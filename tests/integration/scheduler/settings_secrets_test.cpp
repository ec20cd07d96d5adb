// Secrets and configs (root): files from `file` and `content` sources, at /run/secrets/<name>
// and /<name>, with the mode and owner the service asks for, made in the container's folder
// and never in its layers; a missing file source fails naming the secret and the path.
#include "settings_fixture.hpp"

using namespace settings_test;

TEST_CASE("settings: a secret from a file and a config from content, with mode and owner") {
  Root r;
  ContainerStore store(r.root());
  const stdfs::path out = out_dir(r);
  mycompose::fs::write_file_atomic(r.dir / "token.txt", "s3cret\n", 0600);
  const std::string yaml = R"(services:
  web:
    image: busybox:test
    network_mode: none
    command: ["sh", "-c", "busybox stat -c '%a %u %g' /run/secrets/token > /out/token.stat; cat /run/secrets/token > /out/token; busybox stat -c '%a %u %g' /motd > /out/motd.stat; cat /motd > /out/motd; cat /etc/app.conf > /out/app; echo x > /run/secrets/token || echo refused > /out/write; exec sleep 1000"]
    volumes: [")" + out.string() + R"(:/out"]
    secrets: [{source: token, uid: "1000", gid: "1001", mode: 0400}]
    configs: [motd, {source: app, target: /etc/app.conf}]
secrets:
  token: {file: )" + (r.dir / "token.txt").string() + R"(}
configs:
  motd: {content: "hello from a config"}
  app: {content: "port=80"}
)";
  auto rec = store.create(request_with_files(yaml));
  store.start(rec.id);
  CHECK(wait_for_file(out / "token.stat") == "400 1000 1001\n");
  CHECK(wait_for_file(out / "token") == "s3cret\n");
  CHECK(wait_for_file(out / "motd.stat") == "444 0 0\n");  // Docker's defaults
  CHECK(wait_for_file(out / "motd") == "hello from a config");
  CHECK(wait_for_file(out / "app") == "port=80");
  CHECK(wait_for_file(out / "write") == "refused\n");  // mounted read-only
  // The files live in the container's own folder (0700), not in its upper layer.
  const stdfs::path dir = r.root() / "containers" / rec.id;
  CHECK((stdfs::status(dir / "secrets").permissions() & stdfs::perms::all) == stdfs::perms(0700));
  const stdfs::path mount_point = dir / "upper/run/secrets/token";  // at most an empty mount point
  CHECK((!stdfs::exists(mount_point) || stdfs::file_size(mount_point) == 0));
  store.remove(rec.id, true);
  CHECK_FALSE(stdfs::exists(dir));
}

TEST_CASE("settings: a secret whose file is missing fails naming the secret and the path, leaving nothing") {
  Root r;
  ContainerStore store(r.root());
  const std::string missing = (r.dir / "nope.txt").string();
  auto req = request_with_files(R"(services:
  web:
    image: busybox:test
    network_mode: none
    command: ["sleep", "1000"]
    secrets: [db_pass]
secrets:
  db_pass: {file: )" + missing + "}\n");
  CHECK_THROWS_WITH(store.create(req), "service \"web\": secret \"db_pass\": file \"" + missing + "\": No such file or directory");
  std::error_code ec;
  CHECK(stdfs::is_empty(r.root() / "containers", ec));
  CHECK(store.runtime().list().empty());
}

TEST_CASE("settings: a secret from the project's environment") {
  Root r;
  ContainerStore store(r.root());
  const stdfs::path out = out_dir(r);
  const std::string yaml = R"(services:
  web:
    image: busybox:test
    network_mode: none
    command: ["sh", "-c", "cat /run/secrets/api_key > /out/key; exec sleep 1000"]
    volumes: [")" + out.string() + R"(:/out"]
    secrets: [api_key]
secrets:
  api_key: {environment: API_KEY}
)";
  auto req = request_with_files(yaml);
  CHECK_THROWS_WITH(store.create(req), "service \"web\": secret \"api_key\": environment variable \"API_KEY\" is not set");
  req.environment = {{"API_KEY", "k-123"}};
  auto rec = store.create(req);
  store.start(rec.id);
  CHECK(wait_for_file(out / "key") == "k-123");
}
