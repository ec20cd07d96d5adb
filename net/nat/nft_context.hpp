#pragma once
// libnftables rather than running nft: one in-process transaction per change, its errors
// as text we can put in our message, no dependency on a binary on PATH.
#include <nftables/libnftables.h>

#include <memory>
#include <string>

#include "mycompose/common/error.hpp"

namespace mycompose::net::nft {

class Context {
 public:
  explicit Context(bool json = false) : ctx_(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free) {
    if (!ctx_) throw Error("nftables: cannot create a context");
    nft_ctx_buffer_output(ctx_.get());
    nft_ctx_buffer_error(ctx_.get());
    if (json) nft_ctx_output_set_flags(ctx_.get(), NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
  }
  // Runs a script atomically; throws Error "<what>: <nft error>".
  std::string run(const std::string& script, const std::string& what) {
    if (nft_run_cmd_from_buffer(ctx_.get(), script.c_str()) != 0) {
      std::string err = nft_ctx_get_error_buffer(ctx_.get());
      while (!err.empty() && err.back() == '\n') err.pop_back();
      throw Error(what + ": " + err);
    }
    return nft_ctx_get_output_buffer(ctx_.get());
  }

 private:
  std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx_;
};

}  // namespace mycompose::net::nft
