// Hostile tarballs through `image import` and `image load`: refused naming the entry (or the
// layer), nothing written outside the store, nothing stored.
#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/image/cli_helper.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image::test;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

struct Case {
  TempDir t;
  stdfs::path root = t.path / "root";
  stdfs::path input = t.path / "input.tar";
  RunResult import(const std::string& tar) {
    mycompose::fs::write_file_atomic(input, tar);
    return run_mycompose(root, "image import " + shell_quote(input.string()) + " evil:1");
  }
  bool nothing_stored() {
    return list_tree(root / "layers").empty() && list_tree(root / "content/sha256").empty() &&
           temporaries().empty() && run_mycompose(root, "image ls -q").out.empty();
  }
  // content/tmp without the lock file that import and load share with the registry client.
  std::vector<std::string> temporaries() {
    auto all = list_tree(root / "content/tmp");
    all.erase(std::remove(all.begin(), all.end(), ".pull.lock"), all.end());
    return all;
  }
  std::string label() { return "import of " + input.string(); }
};

}  // namespace

TEST_CASE("malicious import: ../x is refused naming the entry") {
  Case c;
  auto r = c.import(make_tar({file("ok", "1"), file("../x", "pwned")}));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + c.label() + ": entry \"../x\": path leads outside the layer\n");
  CHECK_FALSE(stdfs::exists(c.root / "layers/x"));
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious import: an entry named /etc/x is refused and never reaches the host /etc") {
  Case c;
  const std::string name = "mycompose-image-test-" + std::to_string(::getpid());
  auto r = c.import(make_tar({file("/etc/" + name, "inside")}));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + c.label() + ": entry \"/etc/" + name + "\": absolute path in a layer\n");
  CHECK_FALSE(stdfs::exists("/etc/" + name));
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious import: a symlink out of the layer, then a write through it, is refused") {
  Case c;
  auto r = c.import(make_tar({symlink_entry("escape", "../../../../../../../tmp"), file("escape/pwned", "x")}));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + c.label() + ": entry \"escape\": symlink to \"../../../../../../../tmp\" leads outside the layer\n");
  CHECK_FALSE(stdfs::exists("/tmp/pwned"));
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious import: an absolute symlink to a host folder cannot be written through") {
  Case c;
  auto victim = c.t.path / "victim";
  stdfs::create_directories(victim);
  // Resolved inside the layer, the link points at a folder the layer does not have.
  auto r = c.import(make_tar({symlink_entry("escape", victim.string()), file("escape/pwned", "x")}));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + c.label() + ": entry \"escape/pwned\": open folder \"escape\": No such file or directory\n");
  CHECK(list_tree(victim).empty());
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious import: a hardlink to a file outside the layer is refused") {
  Case c;
  auto r = c.import(make_tar({hardlink_entry("passwd", "../../../../../../etc/passwd")}));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + c.label() + ": entry \"passwd\": hardlink to \"../../../../../../etc/passwd\" leads outside the layer\n");
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious import: a truncated gzip fails naming the input and leaves nothing") {
  Case c;
  std::string big(2 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  auto tgz = make_tar({file("big", big)}, "gzip");
  auto r = c.import(tgz.substr(0, tgz.size() / 2));
  CHECK(r.status == 1);
  CHECK(r.err.rfind("error: " + c.label() + ": ", 0) == 0);
  CHECK(c.nothing_stored());
}

TEST_CASE("malicious load: a docker save tarball with an escaping layer, or a truncated gzip layer, stores nothing") {
  auto good = make_tar({file("a", "1")});
  for (const auto& [name, layer, diff] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"dotdot", make_tar({file("../../x", "pwned")}), ""},
           {"truncated", make_tar({file("a", std::string(1 << 20, 'z'))}, "gzip").substr(0, 600), ""}}) {
    INFO(name);
    Case c;
    auto diff_id = "sha256:" + mycompose::sha256_hex(name == "dotdot" ? layer : good);
    json config = {{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + mycompose::sha256_hex(good), diff_id}}}}};
    auto cfg = config.dump();
    auto cfg_hex = mycompose::sha256_hex(cfg);
    json manifest = json::array({{{"Config", cfg_hex + ".json"}, {"RepoTags", {"evil:1"}}, {"Layers", {"l1/layer.tar", "l2/layer.tar"}}}});
    auto tar = make_tar({file("manifest.json", manifest.dump()), file(cfg_hex + ".json", cfg), dir("l1"), file("l1/layer.tar", good),
                         dir("l2"), file("l2/layer.tar", layer)});
    mycompose::fs::write_file_atomic(c.input, tar);
    auto r = run_mycompose(c.root, "image load -i " + shell_quote(c.input.string()));
    CHECK(r.status == 1);
    std::string prefix = "error: " + c.input.string() + ": image " + cfg_hex.substr(0, 12) + ": layer 2 (sha256:" + mycompose::sha256_hex(layer) + "): ";
    CHECK(r.err.rfind(prefix, 0) == 0);
    if (name == "dotdot") CHECK(r.err == prefix + "entry \"../../x\": path leads outside the layer\n");
    CHECK(c.nothing_stored());
  }
}
