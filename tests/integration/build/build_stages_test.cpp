// Multi-stage builds: COPY --from, only the stages the target needs, --target.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

namespace {

const char* kStages =
    "FROM busybox:test AS builder\n"
    "RUN mkdir -p /out && echo compiled > /out/app && echo note > /out/notes.txt\n"
    "FROM busybox:test AS broken\n"
    "RUN echo broken stage ran; exit 1\n"
    "FROM builder AS tested\n"
    "RUN test -f /out/app && echo tested > /out/tested\n"
    "FROM scratch\n"
    "COPY --from=builder /out/app /bin/app\n"
    "COPY --from=0 /out/*.txt /docs/\n";

}  // namespace

TEST_CASE("build stages: COPY --from takes files of an earlier stage, unneeded stages are not built") {
  Sandbox sb;
  sb.import_busybox();
  auto r = sb.build_text(kStages);
  CHECK(r.output().find("broken stage ran") == std::string::npos);
  CHECK(sb.image_file(r.id, "/bin/app") == "compiled\n");
  CHECK(sb.image_file(r.id, "/docs/notes.txt") == "note\n");
  CHECK(!sb.image_file(r.id, "/bin/busybox"));  // the final stage is FROM scratch
  CHECK(sb.store.image_layers(r.id).size() == 2);
}

TEST_CASE("build stages: --target builds that stage and what it depends on") {
  Sandbox sb;
  sb.import_busybox();
  BuildRequest q;
  q.target = "tested";
  auto r = sb.build_text(kStages, q);
  CHECK(sb.image_file(r.id, "/out/tested") == "tested\n");
  CHECK(sb.image_file(r.id, "/bin/busybox"));
  q.target = "nope";
  REQUIRE_THROWS_WITH(sb.build_text(kStages, q), "target stage \"nope\" could not be found");
}

TEST_CASE("build stages: heredocs in RUN and COPY") {
  Sandbox sb;
  sb.import_busybox();
  auto r = sb.build_text(
      "FROM busybox:test\n"
      "ENV WHO=heredoc\n"
      "COPY <<EOF /greeting\n"
      "hello $WHO\n"
      "EOF\n"
      "RUN <<EOF\n"
      "cat /greeting\n"
      "echo second line\n"
      "EOF\n");
  CHECK(r.output() == "hello heredoc\nsecond line\n");
}
