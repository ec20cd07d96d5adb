// cp's tar streams (`cp SERVICE:SRC -`, `cp - SERVICE:DEST`) through libarchive.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

#include "copy_entries.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::scheduler::copy {
namespace {

std::string archive_message(archive* a, const std::string& what) {
  const char* m = archive_error_string(a);
  return what + ": " + (m ? m : "unknown error");
}

}  // namespace

TarWriter::TarWriter(int out_fd) : a_(archive_write_new()) {
  if (!a_) throw Error("tar: out of memory");
  if (archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK || archive_write_open_fd(a_, out_fd) != ARCHIVE_OK) {
    std::string m = archive_message(a_, "write a tar stream");
    archive_write_free(a_);
    throw Error(m);
  }
}

namespace {
// No exception may cross libarchive's C frames: a failing sink is a write error to it.
la_ssize_t to_sink(archive* a, void* sink, const void* buf, size_t n) {
  try {
    (*static_cast<std::function<void(const void*, size_t)>*>(sink))(buf, n);
    return static_cast<la_ssize_t>(n);
  } catch (const std::exception& e) {
    archive_set_error(a, EIO, "%s", e.what());
    return -1;
  }
}
}  // namespace

TarWriter::TarWriter(std::function<void(const void*, size_t)> sink) : a_(archive_write_new()), sink_(std::move(sink)) {
  if (!a_) throw Error("tar: out of memory");
  if (archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK || archive_write_set_bytes_in_last_block(a_, 1) != ARCHIVE_OK ||
      archive_write_open2(a_, &sink_, nullptr, to_sink, nullptr, nullptr) != ARCHIVE_OK) {
    std::string m = archive_message(a_, "write a tar stream");
    archive_write_free(a_);
    a_ = nullptr;
    throw Error(m);
  }
}

TarWriter::~TarWriter() {
  if (a_) archive_write_free(a_);
}

void TarWriter::put(const Entry& e) {
  if (e.path.empty()) return;  // "/.": the folder's content, not the folder
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> ae(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(ae.get(), S_ISDIR(e.mode) ? (e.path + "/").c_str() : e.path.c_str());
  archive_entry_set_mode(ae.get(), e.mode);
  archive_entry_set_uid(ae.get(), e.uid);
  archive_entry_set_gid(ae.get(), e.gid);
  archive_entry_set_mtime(ae.get(), e.mtime.tv_sec, e.mtime.tv_nsec);
  if (S_ISLNK(e.mode)) archive_entry_set_symlink(ae.get(), e.link.c_str());
  if (S_ISCHR(e.mode) || S_ISBLK(e.mode)) archive_entry_set_rdev(ae.get(), e.rdev);
  archive_entry_set_size(ae.get(), S_ISREG(e.mode) ? e.size : 0);
  if (archive_write_header(a_, ae.get()) != ARCHIVE_OK) throw Error(archive_message(a_, "tar header of " + e.path));
  if (!S_ISREG(e.mode)) return;
  // The header already holds the size: a file that changes meanwhile is cut or padded to it.
  char buf[65536];
  off_t left = e.size;
  while (left > 0) {
    ssize_t n = e.read ? e.read(buf, static_cast<size_t>(std::min<off_t>(left, sizeof buf))) : 0;
    if (n < 0) throw SystemError("read " + e.path, errno);
    if (n == 0) {
      std::fill(buf, buf + sizeof buf, 0);
      n = static_cast<ssize_t>(std::min<off_t>(left, sizeof buf));
    }
    if (archive_write_data(a_, buf, n) < 0) throw Error(archive_message(a_, "tar data of " + e.path));
    left -= n;
  }
}

void TarWriter::finish() {
  if (archive_write_close(a_) != ARCHIVE_OK) throw Error(archive_message(a_, "finish the tar stream"));
}

void read_tar(int in_fd, const Emit& emit) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_fd(a.get(), in_fd, 65536) != ARCHIVE_OK) throw Error(archive_message(a.get(), "read the tar stream"));
  archive_entry* ae;
  for (int rc; (rc = archive_read_next_header(a.get(), &ae)) != ARCHIVE_EOF;) {
    if (rc < ARCHIVE_WARN) throw Error(archive_message(a.get(), "read the tar stream"));
    Entry e;
    e.path = clean_relative(archive_entry_pathname(ae));
    e.mode = archive_entry_mode(ae);
    e.uid = archive_entry_uid(ae);
    e.gid = archive_entry_gid(ae);
    e.mtime = {archive_entry_mtime(ae), archive_entry_mtime_nsec(ae)};
    e.rdev = archive_entry_rdev(ae);
    e.size = archive_entry_size(ae);
    if (archive_entry_hardlink(ae)) throw Error(std::string("hard link ") + e.path + " in the tar stream: not supported");
    if (S_ISLNK(e.mode)) e.link = archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "";
    archive* raw = a.get();
    e.read = [raw](char* buf, size_t n) { return static_cast<ssize_t>(archive_read_data(raw, buf, n)); };
    emit(e);
  }
}

}  // namespace mycompose::scheduler::copy
