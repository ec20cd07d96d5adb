/* Tries io_uring_setup inside a container and prints what the kernel (or seccomp) said:
 * "allowed" or the errno name. Static, so it runs in any image. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  unsigned char params[120];
  memset(params, 0, sizeof params);
  long fd = syscall(__NR_io_uring_setup, 1, params);
  if (fd >= 0) {
    puts("allowed");
    return 0;
  }
  puts(errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : strerror(errno));
  return 1;
}
