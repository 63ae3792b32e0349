/* Start and stop a peer process for tests (the simulator, openssl s_server).
 *
 * peer_start() runs argv with stdout/stderr sent to a log file, then waits
 * (bounded) until the peer has written its port into a file, or until a
 * given TCP port accepts connections. peer_stop() sends SIGTERM, waits a
 * bounded time, then SIGKILL. Header-only, test use only. */
#ifndef PEER_H
#define PEER_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    unsigned short port;
} peer;

static inline void peer_sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static inline int peer_port_open(unsigned short port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* A port that was free a moment ago (for peers that cannot take port 0). */
static inline unsigned short peer_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* Start argv. With port_file, wait until it holds a port number; else wait
 * until `port` accepts. Waits at most 10 s. Returns 0 on success. */
static inline int peer_start(peer *p, char *const argv[], const char *port_file,
                      unsigned short port, const char *log_file)
{
    int i;
    if (port_file != NULL) {
        unlink(port_file);
    }
    p->pid = fork();
    if (p->pid < 0) {
        return -1;
    }
    if (p->pid == 0) {
        int fd = open(log_file != NULL ? log_file : "/dev/null",
                      O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (nul >= 0) {
            dup2(nul, 0);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    for (i = 0; i < 200; i++) {
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = -1;
            return -1; /* it died */
        }
        if (port_file != NULL) {
            FILE *f = fopen(port_file, "r");
            unsigned v = 0;
            if (f != NULL) {
                int n = fscanf(f, "%u", &v);
                fclose(f);
                if (n == 1 && v > 0 && v < 65536) {
                    p->port = (unsigned short)v;
                    return 0;
                }
            }
        } else if (peer_port_open(port)) {
            p->port = port;
            return 0;
        }
        peer_sleep_ms(50);
    }
    return -1;
}

static inline void peer_stop(peer *p)
{
    int i;
    int status;
    if (p->pid <= 0) {
        return;
    }
    kill(p->pid, SIGTERM);
    for (i = 0; i < 60; i++) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = -1;
            return;
        }
        peer_sleep_ms(50);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    p->pid = -1;
}

/* Start a simulator script (tests/sim/<name>.py) on a free loopback port,
 * its port file, request log (dir/requests.log) and output (dir/sim.out) in
 * dir, with the extra arguments in `extra` (NULL-terminated; may be NULL).
 * Returns 0 when it listens (p->port set). */
static inline int peer_start_script(peer *p, const char *script, const char *dir,
                                    const char *const *extra)
{
    static char pf[512], lg[512], out[512];
    char *argv[40];
    int n = 0;
    snprintf(pf, sizeof pf, "%s/port", dir);
    snprintf(lg, sizeof lg, "%s/requests.log", dir);
    snprintf(out, sizeof out, "%s/sim.out", dir);
    unlink(lg);
    argv[n++] = (char *)"python3";
    argv[n++] = (char *)script;
    argv[n++] = (char *)"--port";
    argv[n++] = (char *)"0";
    argv[n++] = (char *)"--port-file";
    argv[n++] = pf;
    argv[n++] = (char *)"--log";
    argv[n++] = lg;
    while (extra != NULL && *extra != NULL && n < 38) {
        argv[n++] = (char *)*extra++;
    }
    argv[n] = NULL;
    return peer_start(p, argv, pf, 0, out);
}

/* The AMPECO simulator (tests/sim/ampeco_sim.py), as peer_start_script(). */
static inline int peer_start_sim(peer *p, const char *dir, const char *const *extra)
{
    return peer_start_script(p, "tests/sim/ampeco_sim.py", dir, extra);
}

/* Read a whole small file into buf (NUL-terminated); its length with the
 * NUL, or 0 on failure. */
static inline size_t peer_read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL || cap == 0) {
        if (f != NULL) {
            fclose(f);
        }
        return 0;
    }
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n + 1;
}

#endif /* PEER_H */
