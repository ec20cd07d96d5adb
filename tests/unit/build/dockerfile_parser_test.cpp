// The Dockerfile grammar: every instruction, directives, continuations, heredocs, errors with
// their line.
#include <catch2/catch.hpp>

#include "mycompose/build/dockerfile.hpp"

using namespace mycompose::build;

namespace {

std::string error_of(const std::string& text, const std::string& file = "Dockerfile") {
  try {
    parse_dockerfile(text, file);
  } catch (const DockerfileError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("dockerfile: every instruction is recognised with its arguments") {
  auto df = parse_dockerfile(
      "ARG BASE=scratch\n"
      "FROM --platform=linux/amd64 $BASE AS build\n"
      "MAINTAINER someone\n"
      "RUN echo hi\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo json\"]\n"
      "CMD [\"run\"]\n"
      "ENTRYPOINT /bin/app --flag\n"
      "ENV A=1 B=\"two words\"\n"
      "ENV LEGACY value with spaces\n"
      "LABEL org.x=y\n"
      "EXPOSE 80/tcp 443\n"
      "WORKDIR /app\n"
      "USER 1000:1000\n"
      "COPY --from=build --chown=1:2 --chmod=644 --link a b /dst/\n"
      "ADD https://example.com/x.tgz /opt/\n"
      "VOLUME [\"/data\"]\n"
      "HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost\n"
      "SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\n"
      "STOPSIGNAL SIGTERM\n"
      "ONBUILD RUN echo later\n");
  std::vector<std::string> kws;
  for (const auto& i : df.instructions) kws.push_back(i.keyword);
  CHECK(kws == std::vector<std::string>{"ARG", "FROM", "MAINTAINER", "RUN", "RUN", "CMD", "ENTRYPOINT", "ENV", "ENV",
                                        "LABEL", "EXPOSE", "WORKDIR", "USER", "COPY", "ADD", "VOLUME", "HEALTHCHECK",
                                        "SHELL", "STOPSIGNAL", "ONBUILD"});
  const auto& from = df.instructions[1];
  REQUIRE(from.flag("platform"));
  CHECK(from.flag("platform")->value == "linux/amd64");
  CHECK(from.rest == "$BASE AS build");
  CHECK(!df.instructions[3].json_form);
  CHECK(df.instructions[3].rest == "echo hi");
  CHECK(df.instructions[4].json_form);
  CHECK(df.instructions[4].json_args == std::vector<std::string>{"/bin/sh", "-c", "echo json"});
  const auto& copy = df.instructions[13];
  CHECK(copy.flags.size() == 4);
  CHECK(copy.flag("from")->value == "build");
  CHECK(copy.flag("link")->has_value == false);
  CHECK(copy.rest == "a b /dst/");
  CHECK(df.instructions[16].flag("interval")->value == "5s");
  CHECK(df.instructions[16].rest == "CMD wget -q localhost");
  REQUIRE(df.instructions[19].onbuild.size() == 1);
  CHECK(df.instructions[19].onbuild[0].keyword == "RUN");
  CHECK(df.instructions[19].onbuild[0].rest == "echo later");
  CHECK(df.instructions[12].line == 13);
}

TEST_CASE("dockerfile: keywords are case-insensitive and an invalid JSON array is shell form") {
  auto df = parse_dockerfile("from scratch\nrun [not json\ncmd [\"a\", 1]\n");
  CHECK(df.instructions[0].keyword == "FROM");
  CHECK(df.instructions[1].keyword == "RUN");
  CHECK(!df.instructions[1].json_form);
  CHECK(df.instructions[1].rest == "[not json");
  CHECK(!df.instructions[2].json_form);  // a number is not a string
}

TEST_CASE("dockerfile: continuations join lines and skip comments and blank lines inside them") {
  auto df = parse_dockerfile("FROM scratch\nRUN echo a \\\n# a comment\n\n  && echo b \\\n  && echo c\nUSER x\n");
  REQUIRE(df.instructions.size() == 3);
  CHECK(df.instructions[1].rest == "echo a   && echo b   && echo c");
  CHECK(df.instructions[1].line == 2);
  CHECK(df.instructions[2].line == 7);
}

TEST_CASE("dockerfile: the escape directive changes the continuation character") {
  auto df = parse_dockerfile("# escape=`\n# syntax=docker/dockerfile:1\nFROM scratch\nRUN dir c:\\ `\n  /w\n");
  CHECK(df.escape == '`');
  CHECK(df.syntax == "docker/dockerfile:1");
  CHECK(df.instructions[1].rest == "dir c:\\   /w");
}

TEST_CASE("dockerfile: directives after the first comment are plain comments") {
  auto df = parse_dockerfile("# hello\n# escape=`\nFROM scratch\nRUN a \\\n b\n");
  CHECK(df.escape == '\\');
  CHECK(df.instructions[1].rest == "a  b");
}

TEST_CASE("dockerfile: a bad escape directive is an error on its line") {
  CHECK(error_of("# escape=x\nFROM scratch\n") == "Dockerfile:1: invalid escape token 'x' does not match ^[\\\\`]$");
}

TEST_CASE("dockerfile: heredocs for RUN and COPY, quoted and tab-stripped") {
  auto df = parse_dockerfile(
      "FROM scratch\n"
      "RUN <<EOF\n"
      "echo $HOME\n"
      "echo two\n"
      "EOF\n"
      "COPY <<-\"END\" /etc/motd\n"
      "\thello $NAME\n"
      "\tEND\n"
      "RUN cat <<A <<B > /x\n"
      "a\n"
      "A\n"
      "b\n"
      "B\n"
      "USER me\n");
  REQUIRE(df.instructions.size() == 5);
  const auto& run = df.instructions[1];
  REQUIRE(run.heredocs.size() == 1);
  CHECK(run.heredocs[0].name == "EOF");
  CHECK(run.heredocs[0].content == "echo $HOME\necho two\n");
  CHECK(run.heredocs[0].expand);
  CHECK(run.end_line == 5);
  const auto& copy = df.instructions[2];
  REQUIRE(copy.heredocs.size() == 1);
  CHECK(copy.heredocs[0].content == "hello $NAME\n");
  CHECK(!copy.heredocs[0].expand);
  CHECK(copy.heredocs[0].chomp_tabs);
  const auto& two = df.instructions[3];
  REQUIRE(two.heredocs.size() == 2);
  CHECK(two.heredocs[0].content == "a\n");
  CHECK(two.heredocs[1].content == "b\n");
  CHECK(df.instructions[4].line == 14);
}

TEST_CASE("dockerfile: an unterminated heredoc names its delimiter and line") {
  CHECK(error_of("FROM scratch\nRUN <<EOF\necho\n") == "Dockerfile:2: unterminated heredoc EOF");
}

TEST_CASE("dockerfile: a here-string is not a heredoc") {
  auto df = parse_dockerfile("FROM scratch\nRUN cat <<<word\n");
  CHECK(df.instructions[1].heredocs.empty());
}

TEST_CASE("dockerfile: errors name the file and line") {
  CHECK(error_of("FROM scratch\n\nFOO bar\n", "app.Dockerfile") == "app.Dockerfile:3: unknown instruction: FOO");
  CHECK(error_of("FROM a b\n") == "Dockerfile:1: FROM requires either one or three arguments (FROM <image> [AS <name>])");
  CHECK(error_of("FROM a\nRUN\n") == "Dockerfile:2: RUN requires at least one argument");
  CHECK(error_of("FROM a\nCOPY onlyone\n") == "Dockerfile:2: COPY requires at least two arguments, but only 1 provided");
  CHECK(error_of("FROM a\nENV\n") == "Dockerfile:2: ENV requires at least one argument");
  CHECK(error_of("FROM a\nENV A\n") == "Dockerfile:2: ENV must have two arguments");
  CHECK(error_of("FROM a\nLABEL a=1 b\n") == "Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value");
  CHECK(error_of("FROM a\nLABEL =1\n") == "Dockerfile:2: LABEL names can not be blank");
  CHECK(error_of("FROM a\nSHELL /bin/sh -c\n") == "Dockerfile:2: SHELL requires the arguments to be in JSON form");
  CHECK(error_of("FROM a\nHEALTHCHECK PING x\n") == "Dockerfile:2: Unknown type \"PING\" in HEALTHCHECK (try CMD)");
  CHECK(error_of("FROM a\nHEALTHCHECK CMD\n") == "Dockerfile:2: Missing command after HEALTHCHECK CMD");
  CHECK(error_of("FROM a\nUSER a b\n") == "Dockerfile:2: USER requires exactly one argument");
  CHECK(error_of("FROM a\nCOPY --form=x a b\n") == "Dockerfile:2: unknown flag: --form (COPY)");
  CHECK(error_of("FROM a\nONBUILD ONBUILD RUN x\n") == "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  CHECK(error_of("FROM a\nONBUILD FROM b\n") == "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger");
  CHECK(error_of("RUN x\nFROM a\n") == "Dockerfile:1: RUN before the first FROM: only ARG may come before FROM");
  CHECK(error_of("# only a comment\n\n") == "Dockerfile:1: the Dockerfile has no instructions");
  CHECK(error_of("ARG A=1\n") == "Dockerfile:1: no FROM instruction: nothing to build");
  CHECK(error_of("# escape=\\\n# escape=`\nFROM a\n") == "Dockerfile:2: only one escape parser directive can be used");
}

TEST_CASE("dockerfile: CRLF line endings") {
  auto df = parse_dockerfile("FROM scratch\r\nRUN a \\\r\n b\r\n");
  CHECK(df.instructions[1].rest == "a  b");
}

TEST_CASE("dockerfile: words keep their quotes for later expansion") {
  CHECK(split_words_keep_quotes("a=1 b=\"x y\" c='p q' d=e\\ f", '\\') ==
        std::vector<std::string>{"a=1", "b=\"x y\"", "c='p q'", "d=e\\ f"});
}
