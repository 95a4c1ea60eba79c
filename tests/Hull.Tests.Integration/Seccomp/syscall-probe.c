/*
 * Makes one syscall the way the seccomp integration tests need and prints what the kernel
 * answered ("ok" or "errno N"), so a filter's effect on it can be checked:
 *
 *   syscall-probe mkdir x86_64|i386|x32 PATH   mkdir(PATH, 0700) through that syscall ABI
 *   syscall-probe nr N                          syscall(N) with no arguments
 *   syscall-probe thread-umask                  umask(022) on a second thread, then "survived"
 *
 * Compiled by the tests with the system's gcc (x86_64 only: int $0x80 is the i386 ABI, bit 30 of
 * the number the x32 ABI).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long rc)
{
    if (rc < 0 && rc > -4096) printf("errno %ld\n", -rc);
    else printf("ok\n");
    return 0;
}

static long raw_x86_64(long nr, const char *path, long mode)
{
    long rc;
    __asm__ volatile("syscall" : "=a"(rc) : "a"(nr), "D"(path), "S"(mode) : "rcx", "r11", "memory");
    return rc;
}

static long raw_i386(long nr, const char *path, long mode)
{
    /* int $0x80 takes 32-bit pointers: put the path below 4 GiB. */
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) { perror("mmap"); exit(2); }
    strncpy(low, path, 4095);
    long rc;
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(nr), "b"(low), "c"(mode) : "memory");
    return rc;
}

static void *call_umask(void *unused)
{
    (void)unused;
    umask(022);
    return NULL;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 4 && strcmp(argv[1], "mkdir") == 0) {
        if (strcmp(argv[2], "x86_64") == 0) return report(raw_x86_64(83, argv[3], 0700));
        if (strcmp(argv[2], "i386") == 0) return report(raw_i386(39, argv[3], 0700));
        if (strcmp(argv[2], "x32") == 0) return report(raw_x86_64(0x40000000 | 83, argv[3], 0700));
    }
    if (argc == 3 && strcmp(argv[1], "nr") == 0) return report(raw_x86_64(atol(argv[2]), NULL, 0));
    if (argc == 2 && strcmp(argv[1], "thread-umask") == 0) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, call_umask, NULL) != 0) { perror("pthread_create"); return 2; }
        pthread_join(thread, NULL);
        printf("survived\n");
        return 0;
    }
    fprintf(stderr, "usage: syscall-probe mkdir x86_64|i386|x32 PATH | nr N | thread-umask\n");
    return 2;
}
