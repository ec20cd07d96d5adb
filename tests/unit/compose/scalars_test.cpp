// The YAML core schema for untyped scalars (extension fields): which plain texts are floats.
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
json extension(const std::string& v) { return model("x-v: " + v + "\nservices:\n  web:\n    image: x\n")["x-v"]; }
}  // namespace

TEST_CASE("core scalars: floats", "[scalars]") {
  CHECK(extension("1.") == json(1.0));
  CHECK(extension(".5") == json(0.5));
  CHECK(extension("1e5") == json(100000.0));
  CHECK(extension("-0.5e-3") == json(-0.0005));
  CHECK(extension("+.5E+2") == json(50.0));
  CHECK(extension("3.25") == json(3.25));
  CHECK(extension("+1") == json(1));  // an integer, not a float
  CHECK(extension("-7") == json(-7));
}

TEST_CASE("core scalars: texts that are not floats stay strings", "[scalars]") {
  for (const char* s : {".", "+", "-.", "1e", "1e+", ".e5", "1.5.", "1_000.5", "e5", "1.2.3", "0x1F", ".inf", "1 ", "--1", "1e5x"})
    CHECK(extension(std::string("'") + s + "'") == json(s));  // quoted: always a string
  for (const char* s : {"1e", "1e+", ".e5", "1.5.", "1_000.5", "e5", "1.2.3", "0xZ", "0o8", "--1", "1e5x", "1.5e2.5"})
    CHECK(extension(s) == json(s));
}

TEST_CASE("core scalars: 0x, 0o and 0b integers, as go-yaml reads them", "[scalars]") {
  CHECK(extension("0x1F") == json(31));
  CHECK(extension("0o440") == json(288));
  CHECK(extension("-0b101") == json(-5));
  CHECK(extension("0440") == json(440));  // a leading 0 alone is decimal here (file modes read it as octal)
}
