/* Pushes a character into its stdin terminal's input queue (TIOCSTI), as a process in a
 * container would to type into the shell of the user who ran `exec`. Prints what happened. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void) {
  if (!isatty(0)) {
    puts("stdin is not a terminal");
    return 0;
  }
  char c = '#';
  if (ioctl(0, TIOCSTI, &c) == 0) {
    puts("injected");
    return 0;
  }
  printf("TIOCSTI: %s\n", strerror(errno));
  return 1;
}
