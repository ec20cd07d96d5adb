#pragma once
// Random bytes from the kernel (getrandom), for ids and names another process must not guess
// or repeat. Never a seeded PRNG: two processes (or a fork) must not draw the same id.
#include <cstddef>
#include <string>

namespace mycompose {

// Fills buf; blocks only until the kernel's pool is initialised (early boot). Throws SystemError.
void random_bytes(void* buf, std::size_t len);
// 2 * bytes lower-case hex digits: random_hex(32) is a 64-digit id as Docker's.
std::string random_hex(std::size_t bytes);

}  // namespace mycompose
