/* A container process with CAP_SYS_PTRACE takes over PID 1 (the container's init): seizes it,
 * and makes it call sethostname("ptraced") from the syscall instruction it is blocked in, as
 * an attacker would make it call anything. Prints the syscall's result ("0", or "-errno") or
 * the step that failed. x86_64; static, so it runs in any image. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

static int fail(const char* step) {
  printf("%s: %s\n", step, strerror(errno));
  return 1;
}

int main(void) {
  struct user_regs_struct saved, regs;
  int status;
  if (ptrace(PTRACE_SEIZE, 1, 0, 0) != 0) return fail("seize");
  if (ptrace(PTRACE_INTERRUPT, 1, 0, 0) != 0) return fail("interrupt");
  if (waitpid(1, &status, __WALL) != 1) return fail("wait");
  if (ptrace(PTRACE_GETREGS, 1, 0, &saved) != 0) return fail("getregs");
  errno = 0;
  long insn = ptrace(PTRACE_PEEKTEXT, 1, (void*)(saved.rip - 2), 0);
  if (errno != 0 || (insn & 0xffff) != 0x050f) return fail("not stopped after a syscall instruction");
  unsigned long long name_at = (saved.rsp - 1024) & ~7ULL;  /* below its stack, unused */
  long name = 0;
  memcpy(&name, "ptraced", 8);
  if (ptrace(PTRACE_POKEDATA, 1, (void*)name_at, (void*)name) != 0) return fail("poke");
  regs = saved;
  regs.orig_rax = ~0ULL; /* no restart of the interrupted syscall */
  regs.rip = saved.rip - 2;
  regs.rax = SYS_sethostname;
  regs.rdi = name_at;
  regs.rsi = 7;
  if (ptrace(PTRACE_SETREGS, 1, 0, &regs) != 0) return fail("setregs");
  if (ptrace(PTRACE_SINGLESTEP, 1, 0, 0) != 0) return fail("singlestep");
  if (waitpid(1, &status, __WALL) != 1) return fail("wait after the syscall");
  if (ptrace(PTRACE_GETREGS, 1, 0, &regs) != 0) return fail("getregs after the syscall");
  ptrace(PTRACE_SETREGS, 1, 0, &saved);
  ptrace(PTRACE_DETACH, 1, 0, 0);
  printf("%lld\n", (long long)regs.rax);
  return 0;
}
