// Push to and pull from a real registry (docker-registry 2.8) with no auth.
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"

using namespace registry_test;
using mycompose::image::Reference;

TEST_CASE("registry: push an imported busybox image, pull it into a fresh root, digests match") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/test/busybox:1.0";
  std::string id = make_busybox_image(a, ref);

  auto push = a.mycompose({"image", "push", ref});
  INFO(push.out << push.err);
  REQUIRE(push.rc == 0);
  CHECK(push.out.find("The push refers to repository [" + reg.host() + "/test/busybox]") != std::string::npos);
  CHECK(push.out.find(": Pushed") != std::string::npos);
  // The manifest digest the push printed is what the registry serves.
  auto pos = push.out.find("1.0: digest: sha256:");
  REQUIRE(pos != std::string::npos);
  std::string pushed_digest = push.out.substr(pos + 13, 71);

  auto pull = b.mycompose({"image", "pull", ref});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(pull.out.find("1.0: Pulling from test/busybox") != std::string::npos);
  CHECK(pull.out.find("Digest: " + pushed_digest) != std::string::npos);
  CHECK(pull.out.find("Status: Downloaded newer image for " + ref) != std::string::npos);
  CHECK(pull.out.substr(pull.out.rfind('\n', pull.out.size() - 2) + 1) == ref + "\n");

  auto sa = a.store(), sb = b.store();
  auto pulled = sb.resolve(Reference::parse(ref).str());
  REQUIRE(pulled);
  CHECK(*pulled == id);  // same config digest = same image id
  auto la = sa.image_layers(id), lb = sb.image_layers(*pulled);
  REQUIRE(la.size() == lb.size());
  for (std::size_t i = 0; i < la.size(); ++i) {
    CHECK(la[i].blob == lb[i].blob);
    CHECK(la[i].diff_id == lb[i].diff_id);
  }
  auto summary = sb.summary(*pulled);
  CHECK(std::find(summary.repo_digests.begin(), summary.repo_digests.end(),
                  reg.host() + "/test/busybox@" + pushed_digest) != summary.repo_digests.end());
  // The unpacked layer holds the very busybox binary.
  auto dirs = sb.layer_dirs(*pulled);
  REQUIRE(dirs.size() == 1);
  CHECK(mycompose::sha256_hex(mycompose::fs::read_file(dirs[0] / "bin/busybox")) ==
        mycompose::sha256_hex(mycompose::fs::read_file("/bin/busybox")));
  CHECK(leftovers(b.root()).empty());

  // Pulling again: nothing new.
  auto again = b.mycompose({"image", "pull", ref});
  REQUIRE(again.rc == 0);
  CHECK(again.out.find("Status: Image is up to date for " + ref) != std::string::npos);

  // Pushing again: every blob is already there.
  auto repush = a.mycompose({"image", "push", ref});
  REQUIRE(repush.rc == 0);
  CHECK(repush.out.find("Layer already exists") != std::string::npos);
  CHECK(repush.out.find(": Pushed") == std::string::npos);
}

TEST_CASE("registry: chunked upload (PATCH) of a layer, pulled back identical") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/chunked/busybox:latest";
  std::string id = make_busybox_image(a, ref);
  // 64 KiB chunks: the ~1 MB busybox layer goes up in many PATCH requests.
  auto push = a.mycompose({"image", "push", ref}, {{"MYCOMPOSE_PUSH_CHUNK_SIZE", "65536"}});
  INFO(push.out << push.err);
  REQUIRE(push.rc == 0);
  auto pull = b.mycompose({"image", "pull", "-q", ref});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(pull.out == Reference::parse(ref).str() + "\n");
  CHECK(b.store().resolve(Reference::parse(ref).str()) == id);
}

TEST_CASE("registry: pull by digest and push needs the local tag") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/bydigest/busybox:v1";
  std::string id = make_busybox_image(a, ref);
  REQUIRE(a.mycompose({"image", "push", ref}).rc == 0);
  auto repo_digests = a.store().summary(id).repo_digests;
  REQUIRE(repo_digests.size() == 1);
  std::string by_digest = repo_digests[0];
  auto pull = b.mycompose({"image", "pull", by_digest});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(b.store().resolve(id) == id);

  auto missing = a.mycompose({"image", "push", reg.host() + "/bydigest/busybox:nosuchtag"});
  CHECK(missing.rc == 1);
  CHECK(missing.err == "error: An image does not exist locally with the tag: " + reg.host() +
                           "/bydigest/busybox:nosuchtag\n");
}

TEST_CASE("registry: a layer that exists only unpacked is re-packed (tar+gzip) for push") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/repacked/busybox:latest";
  std::string id = make_busybox_image(a, ref);
  auto store = a.store();
  std::string blob = store.image_layers(id).at(0).blob;
  REQUIRE(stdfs::remove(store.blob_path(blob)));  // as for a layer only the builder's folder has

  auto push = a.mycompose({"image", "push", ref});
  INFO(push.out << push.err);
  REQUIRE(push.rc == 0);
  CHECK(push.out.find(": Pushed") != std::string::npos);
  CHECK_FALSE(store.has_blob(blob));
  auto pull = b.mycompose({"image", "pull", ref});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  auto pulled = b.store().resolve(Reference::parse(ref).str());
  REQUIRE(pulled);
  auto dirs = b.store().layer_dirs(*pulled);
  REQUIRE(dirs.size() == 1);
  CHECK(mycompose::sha256_hex(mycompose::fs::read_file(dirs[0] / "bin/busybox")) ==
        mycompose::sha256_hex(mycompose::fs::read_file("/bin/busybox")));
  CHECK(stdfs::read_symlink(dirs[0] / "bin/sh") == "busybox");
}
