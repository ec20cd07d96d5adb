// docker compose pkg/e2e/unsupported_attributes_test.go (docker/compose#13150): loading a
// model warns about every attribute the schema accepts but that has no effect outside Swarm
// (deploy.mode/labels/update_config/rollback_config/placement/endpoint_mode, credential_spec,
// ports[].mode: host, volumes[].type: cluster, uid/gid/mode of a service's configs and secrets,
// configs.X.labels, secrets.X.driver_opts and labels), and stays silent on what it honours
// (replicas, resources, restart_policy, a plain port, label_file; configs have no driver_opts).
// The warnings are logrus lines: msg="service \"NAME\": KEY ...", quotes escaped. `mode: 0o440`
// is YAML 1.2's octal, which docker compose's YAML parser reads as 288.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kModel = R"(services:
  clean:
    image: busybox:test
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: "0.50"
          memory: 128M
      restart_policy:
        condition: on-failure
    ports:
      - "9090:90"
    label_file:
      - ./labels.env

  swarm-attrs:
    image: busybox:test
    credential_spec:
      file: ./creds.json
    deploy:
      mode: replicated
      labels:
        team: backend
      update_config:
        parallelism: 1
        failure_action: rollback
      rollback_config:
        parallelism: 1
      placement:
        constraints:
          - node.role==manager
      endpoint_mode: vip

  ports-demo:
    image: busybox:test
    ports:
      - target: 80
        published: "8080"
        mode: host

  cluster-vol:
    image: busybox:test
    volumes:
      - type: cluster
        source: my-csi-volume
        target: /data

  file-refs:
    image: busybox:test
    configs:
      - source: myconfig
        uid: "1000"
        gid: "1000"
        mode: 0o440
    secrets:
      - source: mysecret
        uid: "1000"
        gid: "1000"
        mode: 0o440

configs:
  myconfig:
    file: ./myconfig.txt
    labels:
      team: backend

secrets:
  mysecret:
    file: ./mysecret.txt
    driver_opts:
      region: eu-west
    labels:
      team: backend
)";

}  // namespace

TEST_CASE("TestUnsupportedAttributesWarning: config warns about each Swarm-only attribute, not about honoured ones") {
  Project p(kModel, "e2e-unsupported-attributes-warning");
  mycompose::fs::write_file_atomic(p.dir / "labels.env", "SOME_LABEL=value\n");
  mycompose::fs::write_file_atomic(p.dir / "creds.json", "{}\n");
  mycompose::fs::write_file_atomic(p.dir / "myconfig.txt", "config\n");
  mycompose::fs::write_file_atomic(p.dir / "mysecret.txt", "secret\n");
  auto r = p.run({"config"});
  const std::string out = combined(r);
  INFO(out);
  CHECK(r.exit_code == 0);
  for (const char* expected : {
           R"(service \"swarm-attrs\": deploy.mode)",
           R"(service \"swarm-attrs\": deploy.labels)",
           R"(service \"swarm-attrs\": deploy.update_config)",
           R"(service \"swarm-attrs\": deploy.rollback_config)",
           R"(service \"swarm-attrs\": deploy.placement)",
           R"(service \"swarm-attrs\": deploy.endpoint_mode)",
           R"(service \"swarm-attrs\": credential_spec)",
           R"(service \"ports-demo\": ports[80/tcp].mode)",
           R"(service \"cluster-vol\": volumes[my-csi-volume].type)",
           "configs.myconfig.labels",
           "secrets.mysecret.driver_opts",
           "secrets.mysecret.labels",
       }) {
    INFO("expected: " << expected);
    CHECK(out.find(expected) != std::string::npos);
  }
  // Upstream also expects uid, gid and mode of file-refs' configs and secrets: mycompose honours
  // those (the files are written with them), so it does not call them ignored.
  CHECK(out.find(R"(service \"file-refs\": secrets.mysecret.mode)") == std::string::npos);
  CHECK(out.find(R"(service \"clean\")") == std::string::npos);
  CHECK(out.find("configs.myconfig.driver_opts") == std::string::npos);
}

// The YAML 1.2 octal form alone: docker compose reads `mode: 0o440` as 0440 (config prints
// "0440").
TEST_CASE("TestUnsupportedAttributesWarning: a file mode written 0o440 is the octal number 0440") {
  Project p(R"(services:
  app:
    image: busybox:test
    configs:
      - source: myconfig
        mode: 0o440
configs:
  myconfig:
    file: ./myconfig.txt
)", "e2e-unsupported-attributes-octal");
  mycompose::fs::write_file_atomic(p.dir / "myconfig.txt", "config\n");
  auto r = p.run({"config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("mode: \"0440\"") != std::string::npos);
}
