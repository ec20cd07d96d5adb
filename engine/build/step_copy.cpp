// COPY and ADD: sources from the context, a stage, an image, heredocs or (ADD) URLs and local
// archives, copied inside the stage's root (in_root.hpp) as one layer.
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include "build_job.hpp"
#include "child_process.hpp"
#include "context.hpp"
#include "copy_files.hpp"
#include "fetch_url.hpp"
#include "in_root.hpp"
#include "mycompose/build/shell_lex.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "mycompose/runtime/spec_generator.hpp"

// Errors thrown here as plain Error are located (file:line) by Build::dispatch.
namespace mycompose::build::job {
using nlohmann::json;

namespace {

// The words after COPY/ADD, substituted.
std::vector<std::string> copy_words(const Instruction& ins, const VarLookup& vars, char escape) {
  std::vector<std::string> words = ins.json_form ? ins.json_args : expand_words(ins.rest, vars, escape);
  if (ins.json_form)
    for (auto& w : words) w = expand_word(w, vars, escape);
  return words;
}

struct Destination {
  std::string path;  // absolute, normalized, no trailing '/'
  bool dir = false;  // written with a trailing '/'
};

// Relative to WORKDIR, as Docker.
Destination destination(std::string dest, const StageState& s) {
  Destination d;
  d.dir = !dest.empty() && dest.back() == '/';
  if (dest.empty() || dest[0] != '/') {
    std::string wd = s.config.value("WorkingDir", "");
    dest = (wd.empty() ? "/" : wd) + "/" + dest;
  }
  dest = stdfs::path(dest).lexically_normal().string();
  if (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  d.path = dest;
  return d;
}

// Heredoc sources (<<EOF names an inline file: name, content) out of the source words.
std::vector<std::pair<std::string, std::string>> take_heredoc_sources(const Instruction& ins, std::vector<std::string>& words,
                                                                      const VarLookup& vars, char escape) {
  std::vector<std::pair<std::string, std::string>> inline_files;
  std::vector<std::string> sources;
  for (const auto& w : words) {
    bool heredoc = false;
    for (const auto& h : ins.heredocs)
      if (w == "<<" + h.name || w == "<<-" + h.name || w == "<<\"" + h.name + "\"" || w == "<<'" + h.name + "'") {
        inline_files.emplace_back(h.name, h.expand ? expand_word(h.content, vars, escape) : h.content);
        heredoc = true;
      }
    if (!heredoc) sources.push_back(w);
  }
  words = std::move(sources);
  return inline_files;
}

// --chmod, and the flags BuildKit has that are refused rather than ignored.
CopyOptions copy_options(const Instruction& ins) {
  CopyOptions opts;
  if (const auto* f = ins.flag("chmod")) {
    try {
      std::size_t used = 0;
      auto m = std::stoul(f->value, &used, 8);
      if (used != f->value.size() || m > 07777) throw Error("");
      opts.chmod = static_cast<mode_t>(m);
    } catch (const std::exception&) {
      throw Error("invalid chmod parameter " + f->value + ": use an octal mode such as 0755");
    }
  }
  for (const char* unsupported : {"parents", "exclude", "keep-git-dir"})
    if (ins.flag(unsupported)) throw Error(ins.keyword + " --" + unsupported + " is not supported yet");
  return opts;
}

struct Downloads {
  std::unique_ptr<StepDirs> dirs;
  std::vector<Fetched> files;
};

// ADD <url>: fetched now, since its content is part of the cache key; the URLs leave `sources`.
// ADD --checksum is checked here.
Downloads fetch_url_sources(const Instruction& ins, std::vector<std::string>& sources, const stdfs::path& tmp_root) {
  Downloads d;
  for (auto it = sources.begin(); it != sources.end();) {
    if (it->rfind("http://", 0) != 0 && it->rfind("https://", 0) != 0) {
      ++it;
      continue;
    }
    if (ins.keyword != "ADD") throw Error("COPY does not accept URLs (" + *it + "); use ADD");
    if (!d.dirs) d.dirs = std::make_unique<StepDirs>(tmp_root);
    d.files.push_back(fetch_url(*it, d.dirs->base / "url" / std::to_string(d.files.size())));
    it = sources.erase(it);
  }
  if (const auto* f = ins.flag("checksum")) {
    if (d.files.size() != 1 || !sources.empty()) throw Error("ADD --checksum needs exactly one URL source");
    if (f->value != "sha256:" + d.files[0].sha256)
      throw Error("ADD " + d.files[0].name + ": checksum mismatch: expected " + f->value + ", got sha256:" + d.files[0].sha256);
  }
  return d;
}

// What one COPY/ADD copies, and into where; read in the child that has the roots mounted.
struct CopyJob {
  const Instruction& ins;
  Destination dest;
  CopyOptions options;
  std::string chown;
  std::vector<std::pair<std::string, std::string>> inline_files;
  const std::vector<Fetched>* fetched = nullptr;
  std::vector<std::string> src_paths;  // inside the source root, "" = root
  Source::Kind from = Source::Context;
};

// A glob in the last component of a stage path, expanded in the source root.
std::vector<std::string> glob_in_root(int src, const std::string& p, const std::string& keyword) {
  std::vector<std::string> matches;
  auto [parent, pattern] = split_parent(p);
  UniqueFd dir = open_in_root_or_throw(src, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
  DIR* d = ::fdopendir(dir.release());
  while (dirent* de = d ? ::readdir(d) : nullptr)
    if (std::string(de->d_name) != "." && std::string(de->d_name) != ".." && ::fnmatch(pattern.c_str(), de->d_name, 0) == 0)
      matches.push_back(parent.empty() ? de->d_name : parent + "/" + de->d_name);
  if (d) ::closedir(d);
  if (matches.empty()) throw Error(keyword + " failed: no source files were specified matching " + p);
  return matches;
}

// In the child: every source of the job from src (a root fd) into dst (a root fd).
void copy_in_roots(const CopyJob& job, int src, int dst, const std::string& merged) {
  const std::string& dest = job.dest.path;
  const bool is_add = job.ins.keyword == "ADD";
  CopyOptions o = job.options;
  if (!job.chown.empty()) {
    auto u = runtime::resolve_image_user(merged, job.chown);
    o.uid = u.uid;
    o.gid = u.gid;
  }
  auto into_dir = [&](const std::string& name) {
    if (job.dest.dir) return dest == "/" ? "/" + name : dest + "/" + name;
    auto st = stat_in_root(dst, dest);
    if (st && S_ISDIR(st->st_mode)) return dest == "/" ? "/" + name : dest + "/" + name;
    return dest;
  };
  for (const auto& [name, content] : job.inline_files) write_file_in_root(dst, into_dir(name), content, 0644, o);
  for (const auto& f : *job.fetched) {  // saved 0600, as Docker's ADD <url> leaves them
    UniqueFd dl(::open(f.path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dl) throw SystemError("open " + f.path.parent_path().string(), errno);
    copy_path(dl.get(), f.name, dst, into_dir(f.name), o);
  }
  for (const auto& p : job.src_paths) {
    const std::vector<std::string> matches =
        job.from == Source::Layers && has_glob_chars(p) ? glob_in_root(src, p, job.ins.keyword) : std::vector<std::string>{p};
    for (const auto& m : matches) {
      auto st = stat_in_root(src, m.empty() ? "/" : m);
      if (!st) throw Error(job.ins.keyword + " failed: " + m + ": not found");
      if (S_ISDIR(st->st_mode)) {
        copy_path(src, m, dst, dest, o);
        continue;
      }
      if (is_add && job.from == Source::Context) {  // a local archive is extracted
        auto target_dir = job.dest.dir || (stat_in_root(dst, dest) && S_ISDIR(stat_in_root(dst, dest)->st_mode)) ? dest : "";
        if (!target_dir.empty() && extract_archive_if_any(src, m, dst, target_dir)) continue;
        if (target_dir.empty() && extract_archive_if_any(src, m, dst, dest)) continue;
      }
      copy_path(src, m, dst, into_dir(split_parent(m).second), o);
    }
  }
}

}  // namespace

void Build::do_copy(StageState& s, const Instruction& ins, const StageDef& def) {
  auto vars = s.lookup();
  std::vector<std::string> sources = copy_words(ins, vars, df_.escape);
  const Destination dest = destination(sources.back(), s);
  sources.pop_back();
  CopyJob job{ins, dest};
  job.inline_files = take_heredoc_sources(ins, sources, vars, df_.escape);
  const std::size_t nsources = sources.size() + job.inline_files.size();
  job.chown = ins.flag("chown") ? expand_word(ins.flag("chown")->value, vars, df_.escape) : "";
  job.options = copy_options(ins);
  const Downloads downloads = fetch_url_sources(ins, sources, root_ / "build" / "tmp");
  job.fetched = &downloads.files;

  // Sources and their checksum for the cache key.
  Source from;
  std::string checksum;
  if (const auto* f = ins.flag("from")) {
    from = source_named(expand_word(f->value, vars, df_.escape), def.index);
    for (const auto& src : sources) job.src_paths.push_back(clean_context_path(src, ins.keyword));
    checksum = from.identity;
    for (const auto& p : job.src_paths) checksum += "\n" + p;
  } else {
    from = Source{Source::Context, context_.get(), {}, ""};
    std::vector<const ContextEntry*> tops;
    for (const auto& src : sources)
      for (const auto* e : context_->resolve(src, ins.keyword)) {
        tops.push_back(e);
        job.src_paths.push_back(e->rel);
      }
    checksum = context_->checksum(tops);
  }
  job.from = from.kind;
  for (const auto& [name, content] : job.inline_files) checksum += "\ninline:" + name + ":" + sha256_hex(content);
  for (const auto& f : downloads.files) checksum += "\nurl:" + f.name + ":" + f.sha256;
  if ((job.src_paths.size() + job.inline_files.size() + downloads.files.size() > 1 || nsources > 1) && !dest.dir)
    throw Error("When using " + ins.keyword + " with more than one source file, the destination must be a directory and end with a /");

  std::string flags_text;
  for (const auto& f : ins.flags) flags_text += "--" + f.name + "=" + f.value + " ";
  std::string created_by = ins.keyword + " " + flags_text + (ins.json_form ? json(ins.json_args).dump() : ins.rest) + " # buildkit";
  auto key = cache_key(s, ins.keyword + " " + flags_text + json(sources).dump() + " " + dest.path + (dest.dir ? "/" : ""), checksum);
  if (try_cache(s, key, created_by, step_)) return;

  StepDirs dirs(root_ / "build" / "tmp");
  auto lowers = lower_dirs(s.layers);
  auto src_lowers = from.kind == Source::Layers ? lower_dirs(from.layers) : std::vector<std::string>{};
  std::string src_root_path = from.kind == Source::Context ? from.context->dir().string()
                             : src_lowers.size() == 1   ? src_lowers[0]
                                                        : (dirs.base / "src").string();
  job.options.ignore = from.kind == Source::Context ? &from.context->ignore() : nullptr;
  const std::string links = (root_ / "l").string();
  run_in_child([&] {
    runtime::mount_overlay(dirs.merged.string(), {lowers, dirs.upper.string(), dirs.work.string(), links});
    if (src_lowers.size() > 1) {
      fs::make_dirs(src_root_path, 0755);
      runtime::mount_overlay(src_root_path, {src_lowers, "", "", links});
    }
    UniqueFd dst(::open(dirs.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd src(::open(src_root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dst || !src) throw SystemError("open the roots of " + ins.keyword, errno);
    copy_in_roots(job, src.get(), dst.get(), dirs.merged.string());
  });
  commit_layer(s, key, dirs, created_by);
}

}  // namespace mycompose::build::job
