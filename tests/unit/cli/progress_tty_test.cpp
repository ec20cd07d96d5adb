// The live TTY frame on a fake terminal (40 columns, a clock the test moves): the exact bytes
// written, cursor moves included, so a redraw provably lands on the frame it replaces.
#include <catch2/catch.hpp>

#include <sstream>

#include "progress/renderers.hpp"

using namespace mycompose::cli::progress;

namespace {

struct Fake {
  std::ostringstream out;
  double now = 0;
  TtyRenderer r;
  explicit Fake(bool colours = false) : r(out, options(colours, &now)) {}
  static TtyRenderer::Options options(bool colours, double* now) {
    TtyRenderer::Options o;
    o.title = "Running";
    o.width = 40;
    o.colours = colours;
    o.clock = [now] { return *now; };
    return o;
  }
  // What was written since the last call.
  std::string take() {
    std::string s = out.str();
    out.str("");
    return s;
  }
};

const std::string kHide = "\033[?25l", kShow = "\033[?25h", kClear = "\033[2K";

}  // namespace

TEST_CASE("progress tty: each event redraws the frame in place, spinner and timers move, a long error is cut to the width") {
  Fake f;
  f.r.event({"Network shop_default", "Creating", State::Working, ""});
  CHECK(f.take() == kHide + kClear + "[+] Running 0/1\n" +
                        kClear + " \u280b Network shop_default  Creating  0.0s\n" + kShow);

  f.now = 0.25;
  f.r.event({"Network shop_default", "Created", State::Done, ""});
  CHECK(f.take() == "\033[2A\r" + kHide + kClear + "[+] Running 1/1\n" +
                        kClear + " \u2714 Network shop_default  Created   0.2s\n" + kShow);

  f.now = 0.5;
  f.r.event({"Container shop-db-1", "Creating", State::Working, ""});
  CHECK(f.take() == "\033[2A\r" + kHide + kClear + "[+] Running 1/2\n" +
                        kClear + " \u2714 Network shop_default  Created   0.2s\n" +
                        kClear + " \u280b Container shop-db-1   Creating  0.0s\n" + kShow);

  // The ticker's redraw: the spinner turned five frames in 0.5 s, the done line kept its time.
  f.now = 1.0;
  f.r.redraw();
  CHECK(f.take() == "\033[3A\r" + kHide + kClear + "[+] Running 1/2\n" +
                        kClear + " \u2714 Network shop_default  Created   0.2s\n" +
                        kClear + " \u2834 Container shop-db-1   Creating  0.5s\n" + kShow);

  f.now = 1.5;
  f.r.event({"Container shop-db-1", "Error", State::Error, "exec failed"});
  CHECK(f.take() == "\033[3A\r" + kHide + kClear + "[+] Running 1/2\n" +
                        kClear + " \u2714 Network shop_default  Created   0.2s\n" +
                        kClear + " \u2718 Container shop-db-1   Error:... 1.0s\n" + kShow);

  // finish() draws the last frame once; nothing moves afterwards.
  f.now = 9;
  f.r.finish();
  CHECK(f.take() == "\033[3A\r" + kHide + kClear + "[+] Running 1/2\n" +
                        kClear + " \u2714 Network shop_default  Created   0.2s\n" +
                        kClear + " \u2718 Container shop-db-1   Error:... 1.0s\n" + kShow);
  f.r.redraw();
  f.r.finish();
  CHECK(f.take().empty());
}

TEST_CASE("progress tty: a warning goes above the frame, which is drawn again below it") {
  Fake f;
  f.r.event({"Container shop-db-1", "Started", State::Done, ""});
  f.take();
  f.r.event({"", "", State::Warning, "mem_limit is not supported yet"});
  CHECK(f.take() == "\033[2A\r\033[J" "WARN[0000] mem_limit is not supported yet               \n" + kHide + kClear + "[+] Running 1/1\n" +
                        kClear + " \u2714 Container shop-db-1  Started    0.0s\n" + kShow);
}

TEST_CASE("progress tty: colours do not count toward the width, the header turns blue when all is done") {
  Fake plain(false), coloured(true);
  for (Fake* f : {&plain, &coloured}) {
    f->r.event({"Container shop-db-1", "Starting", State::Working, ""});
    f->r.event({"Container shop-db-1", "Started", State::Done, ""});
    f->take();
    f->r.redraw();
  }
  CHECK(plain.take() == "\033[2A\r" + kHide + kClear + "[+] Running 1/1\n" + kClear + " \u2714 Container shop-db-1  Started    0.0s\n" + kShow);
  CHECK(coloured.take() == "\033[2A\r" + kHide + kClear + "\033[34m[+] Running 1/1\033[0m\n" + kClear +
                               " \033[32m\u2714\033[0m Container shop-db-1  Started    0.0s\n" + kShow);
  CHECK(columns(" \033[32m\u2714\033[0m Container") == 12);
}
