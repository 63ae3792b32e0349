/* The lwIP port end to end: lwIP runs inside this process, attached to a
 * tap device, and cpuser talks through it to the simulator on the kernel
 * side of the tap:
 *
 *   cpuser -> port/lwip -> lwIP sockets -> lwIP TCP/IP -> tap (cptap0)
 *          -> kernel -> ampeco_sim.py on 10.77.0.1
 *
 * Run by tests/lwip/run_lwip_test.sh inside a network namespace of its own
 * (the tap, 10.77.0.1/24 on the kernel side, the simulators). lwIP reaches
 * the tap through tests/lwip/tap_netif.c, not Debian's tapif, whose
 * receive path overflows the heap (see tap_netif.h).
 *
 *   test_lwip TAP HTTP_PORT TLS_PORT CA_FILE v6|no-v6
 *
 * lwIP's netif is 10.77.0.2/24 (and fd77::2/64 with v6, the kernel being
 * fd77::1). The transport's error mapping is checked against kernel
 * sockets on the other side of the tap (refused, silent, closing and
 * resetting peers); ENOMEM back-pressure is injected by wrapping lwip_send
 * and lwip_connect at link time (-Wl,--wrap). The users lifecycle runs over
 * plain HTTP and over TLS, and the tap's kernel counters must grow by at
 * least the bytes cpuser sent and received: lwIP's own statistics are
 * compiled out of Debian's liblwip (LWIP_STATS 0). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "cpuser/ampeco_users.h"
#include "cpuser/lwip.h"
#include "cpuser/posix.h"
#include "cpuser/tls.h"

#include "tap.h" /* tests/tls: a transport that counts the bytes it carries */
#include "tap_netif.h"

#ifndef CPUSER_LWIP_WAIT
#define VARIANT "lwip (default wait)"
#elif CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_SOCKOPT
#define VARIANT "lwip (SO_RCVTIMEO, no poll/select)"
#elif CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_SELECT
#define VARIANT "lwip (select)"
#else
#define VARIANT "lwip (poll)"
#endif

#define HOST_V4 "10.77.0.1"  /* the kernel side of the tap */
#define LWIP_V4 "10.77.0.2"  /* lwIP's netif */
#define NOBODY_V4 "10.77.0.3" /* on the link, but no one answers ARP */
#define HOST_V6 "fd77::1"
#define LWIP_V6 "fd77::2"

static const char *tap_name;
static uint16_t http_port;
static uint16_t tls_port;
static const char *ca_file;
static bool with_v6;

/* ---- lwIP in this process ----------------------------------------------- */

static struct netif tap_netif;
static tap_netif_state tap_state;
static sys_sem_t stack_ready;
static volatile int stack_up;

/* Runs in the tcpip thread (core lock held): the netif on the tap. */
static void stack_init_done(void *arg)
{
    ip4_addr_t ip;
    ip4_addr_t mask;
    ip4_addr_t gw;
    (void)arg;
    if (!ip4addr_aton(LWIP_V4, &ip) || !ip4addr_aton("255.255.255.0", &mask) ||
        !ip4addr_aton(HOST_V4, &gw)) {
        sys_sem_signal(&stack_ready);
        return;
    }
    /* tap_netif_init attaches to the device and starts a reader thread,
     * which hands frames to tcpip_input */
    tap_state.ifname = tap_name;
    if (netif_add(&tap_netif, &ip, &mask, &gw, &tap_state, tap_netif_init, tcpip_input) != NULL) {
        netif_set_default(&tap_netif);
        netif_set_up(&tap_netif);
#if LWIP_IPV6
        if (with_v6) {
            ip6_addr_t a6;
            s8_t idx = -1;
            netif_create_ip6_linklocal_address(&tap_netif, 1);
            /* no duplicate detection: the namespace is ours alone */
            netif_ip6_addr_set_state(&tap_netif, 0, IP6_ADDR_PREFERRED);
            if (ip6addr_aton(LWIP_V6, &a6) &&
                netif_add_ip6_address(&tap_netif, &a6, &idx) == ERR_OK && idx >= 0) {
                netif_ip6_addr_set_state(&tap_netif, idx, IP6_ADDR_PREFERRED);
            }
        }
#endif
        stack_up = 1;
    }
    sys_sem_signal(&stack_ready);
}

static int start_lwip(void)
{
    if (sys_sem_new(&stack_ready, 0) != ERR_OK) {
        return -1;
    }
    tcpip_init(stack_init_done, NULL);
    if (sys_arch_sem_wait(&stack_ready, 5000) == SYS_ARCH_TIMEOUT || !stack_up) {
        return -1;
    }
    return 0;
}

/* ---- the tap's kernel counters ---------------------------------------- */

typedef struct {
    unsigned long long rx_bytes;   /* the kernel got from the tap: lwIP sent */
    unsigned long long tx_bytes;   /* the kernel put into the tap: lwIP got */
    unsigned long long rx_packets;
    unsigned long long tx_packets;
} tap_counters;

static unsigned long long read_counter(const char *name)
{
    char path[256];
    unsigned long long v = 0;
    FILE *f;
    snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", tap_name, name);
    f = fopen(path, "r");
    if (f == NULL) {
        fail_msg("cannot read %s (not inside the test's namespace?)", path);
    }
    if (fscanf(f, "%llu", &v) != 1) {
        fclose(f);
        fail_msg("no number in %s", path);
    }
    fclose(f);
    return v;
}

static void read_counters(tap_counters *c)
{
    c->rx_bytes = read_counter("rx_bytes");
    c->tx_bytes = read_counter("tx_bytes");
    c->rx_packets = read_counter("rx_packets");
    c->tx_packets = read_counter("tx_packets");
}

/* ---- peers on the kernel side of the tap ---------------------------- */

static uint32_t elapsed_ms(uint32_t since)
{
    return (uint32_t)(sys_now() - since);
}

/* A kernel TCP socket bound to addr, port 0 (*port: the one it got);
 * listening unless backlog < 0; rcvbuf > 0 shrinks its receive buffer
 * (inherited by accepted sockets). */
static int kernel_socket(const char *addr, int backlog, int rcvbuf, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1;
    int fd;
    memset(&ss, 0, sizeof ss);
    if (strchr(addr, ':') != NULL) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)&ss;
        a->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
        len = (socklen_t)sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)(void *)&ss;
        a->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, addr, &a->sin_addr), 1);
        len = (socklen_t)sizeof *a;
    }
    fd = socket(ss.ss_family, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, (socklen_t)sizeof one);
    if (rcvbuf > 0) {
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, (socklen_t)sizeof rcvbuf), 0);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
        int e = errno;
        close(fd);
        fail_msg("bind %s: %s", addr, strerror(e));
    }
    if (backlog >= 0) {
        assert_int_equal(listen(fd, backlog), 0);
    }
    len = (socklen_t)sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)(void *)&ss)->sin_port);
    return fd;
}

/* Accept within ms, or fail the test. */
static int kernel_accept(int lfd, int ms)
{
    struct pollfd p;
    int fd;
    p.fd = lfd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, ms) != 1) {
        fail_msg("the kernel side saw no connection from lwIP within %d ms", ms);
    }
    fd = accept(lfd, NULL, NULL);
    assert_true(fd >= 0);
    return fd;
}

/* Read exactly n bytes within ms. */
static void kernel_read(int fd, char *buf, size_t n, int ms)
{
    size_t have = 0;
    uint32_t t0 = sys_now();
    while (have < n) {
        struct pollfd p;
        ssize_t r;
        uint32_t spent = elapsed_ms(t0);
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (spent >= (uint32_t)ms || poll(&p, 1, ms - (int)spent) != 1) {
            fail_msg("the kernel side got %zu of %zu bytes", have, n);
        }
        r = read(fd, buf + have, n - have);
        if (r <= 0) {
            fail_msg("the kernel side's read ended after %zu bytes", have);
        }
        have += (size_t)r;
    }
}

/* ---- fault injection (linked with -Wl,--wrap=lwip_send,--wrap=lwip_connect) */

ssize_t __real_lwip_send(int s, const void *data, size_t size, int flags);
int __real_lwip_connect(int s, const struct sockaddr *name, socklen_t namelen);

static int send_enomem;     /* calls still to fail with ENOMEM; -1: all */
static int connect_enomem;
static unsigned injected;

ssize_t __wrap_lwip_send(int s, const void *data, size_t size, int flags);
ssize_t __wrap_lwip_send(int s, const void *data, size_t size, int flags)
{
    if (send_enomem != 0) {
        if (send_enomem > 0) {
            send_enomem--;
        }
        injected++;
        errno = ENOMEM; /* what lwIP says for ERR_MEM */
        return -1;
    }
    return __real_lwip_send(s, data, size, flags);
}

int __wrap_lwip_connect(int s, const struct sockaddr *name, socklen_t namelen);
int __wrap_lwip_connect(int s, const struct sockaddr *name, socklen_t namelen)
{
    if (connect_enomem != 0) {
        if (connect_enomem > 0) {
            connect_enomem--;
        }
        injected++;
        errno = ENOMEM;
        return -1;
    }
    return __real_lwip_connect(s, name, namelen);
}

/* ---- the transport's error mapping --------------------------------------- */

static cpuser_lwip_tcp tcp;
static cpuser_transport tcp_tp;

static void fresh_transport(void)
{
    cpuser_lwip_tcp_init(&tcp, &tcp_tp);
}

static void arguments_and_closed_socket(void **state)
{
    char b[4];
    size_t n = 99;
    (void)state;
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, NULL, 80, 1000), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(tcp_tp.connect(NULL, HOST_V4, 80, 1000), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(tcp_tp.send(&tcp, "x", 1, &n, 100), CPUSER_ERR_IO);
    assert_int_equal(n, 0);
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 100), CPUSER_ERR_IO);
    assert_int_equal(tcp_tp.send(&tcp, "x", 0, &n, 100), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(tcp_tp.recv(&tcp, b, 0, &n, 100), CPUSER_ERR_BAD_ARGUMENT);
    tcp_tp.close(&tcp);
    tcp_tp.close(&tcp);
    tcp_tp.close(NULL);
}

static void names_without_a_resolver(void **state)
{
    uint32_t t0 = sys_now();
    (void)state;
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, "no-such-host.invalid", 80, 2000), CPUSER_ERR_DNS);
#if !LWIP_DNS
    /* no resolver in this lwIP: only literals, so even localhost is a DNS error */
    assert_int_equal(tcp_tp.connect(&tcp, "localhost", 80, 2000), CPUSER_ERR_DNS);
    assert_int_equal(tcp_tp.connect(&tcp, "api.example.com", 443, 2000), CPUSER_ERR_DNS);
    assert_int_equal(tcp_tp.connect(&tcp, "10.77.0.1.example", 443, 2000), CPUSER_ERR_DNS);
    assert_true(elapsed_ms(t0) < 500);
#endif
    assert_int_equal(tcp.fd, -1);
}

static void refused_is_connect(void **state)
{
    uint16_t port;
    int fd;
    uint32_t t0;
    (void)state;
    fd = kernel_socket(HOST_V4, -1, 0, &port); /* bound, never listening */
    close(fd);
    fresh_transport();
    t0 = sys_now();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 5000), CPUSER_ERR_CONNECT);
    print_message("  refused: %u ms, lwIP errno %d (%s)\n", (unsigned)elapsed_ms(t0),
                  tcp.last_errno, strerror(tcp.last_errno));
    assert_true(elapsed_ms(t0) < 3000);
    assert_int_equal(tcp.fd, -1);
}

static void unreachable_ipv6_literal_is_not_a_name(void **state)
{
    cpuser_err err;
    (void)state;
    fresh_transport();
    /* A literal is never a DNS error. fd00::1 is off-link and lwIP has no
     * IPv6 router: without an IPv6 address lwIP has no route at all
     * (ERR_RTE, EHOSTUNREACH: CONNECT at once); with fd77::2 it tries the
     * netif, finds no next hop and never gets an answer (TIMEOUT). */
    err = tcp_tp.connect(&tcp, "fd00::1", 80, 300);
    if (with_v6) {
        assert_true(err == CPUSER_ERR_CONNECT || err == CPUSER_ERR_TIMEOUT);
    } else {
        assert_int_equal(err, CPUSER_ERR_CONNECT);
    }
    assert_int_equal(tcp.fd, -1);
}

static void connect_timeout(void **state)
{
    uint32_t t0;
    uint32_t spent;
    (void)state;
    fresh_transport();
    t0 = sys_now();
    assert_int_equal(tcp_tp.connect(&tcp, NOBODY_V4, 80, 300), CPUSER_ERR_TIMEOUT);
    spent = elapsed_ms(t0);
    print_message("  connect to a silent address: timeout after %u ms (asked 300)\n", (unsigned)spent);
    assert_true(spent >= 280 && spent < 1500);
    assert_int_equal(tcp.fd, -1);
}

static void recv_timeout_from_a_silent_peer(void **state)
{
    uint16_t port;
    int lfd = kernel_socket(HOST_V4, 4, 0, &port); /* the kernel completes the
                                                      handshake; no one answers */
    char b[16];
    size_t n = 1;
    uint32_t t0;
    uint32_t spent;
    (void)state;
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 3000), CPUSER_OK);
    t0 = sys_now();
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 250), CPUSER_ERR_TIMEOUT);
    spent = elapsed_ms(t0);
    assert_int_equal(n, 0);
    assert_true(spent >= 240 && spent < 1500);
    /* a zero timeout looks once and comes back at once */
    t0 = sys_now();
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 0), CPUSER_ERR_TIMEOUT);
    assert_true(elapsed_ms(t0) < 100);
    tcp_tp.close(&tcp);
    close(lfd);
}

static unsigned char big[256 * 1024];

static void partial_sends_then_send_timeout(void **state)
{
    uint16_t port;
    int lfd = kernel_socket(HOST_V4, 4, 4096, &port);
    int cfd;
    size_t n = 0;
    size_t total = 0;
    int calls = 0;
    cpuser_err err = CPUSER_OK;
    uint32_t t0 = 0;
    (void)state;
    memset(big, 'x', sizeof big);
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 3000), CPUSER_OK);
    cfd = kernel_accept(lfd, 2000); /* accepted, never read: the window closes */
    assert_int_equal(tcp_tp.send(&tcp, big, sizeof big, &n, 2000), CPUSER_OK);
    assert_true(n > 0 && n < sizeof big); /* lwIP took what fit: TCP_SND_BUF */
    print_message("  first send of %zu bytes: %zu accepted (partial)\n", sizeof big, n);
    total = n;
    while (calls++ < 200) {
        t0 = sys_now();
        err = tcp_tp.send(&tcp, big, sizeof big, &n, 300);
        if (err != CPUSER_OK) {
            break;
        }
        assert_true(n > 0 && n <= sizeof big);
        total += n;
    }
    assert_int_equal(err, CPUSER_ERR_TIMEOUT);
    assert_int_equal(n, 0);
    assert_true(elapsed_ms(t0) >= 280 && elapsed_ms(t0) < 800);
    print_message("  send buffer full after %zu bytes: timeout after %u ms (asked 300)\n",
                  total, (unsigned)elapsed_ms(t0));
    tcp_tp.close(&tcp);
    close(cfd);
    close(lfd);
}

static void orderly_close_is_closed(void **state)
{
    uint16_t port;
    int lfd = kernel_socket(HOST_V4, 4, 0, &port);
    int cfd;
    char b[16];
    size_t n = 0;
    (void)state;
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 3000), CPUSER_OK);
    cfd = kernel_accept(lfd, 2000);
    assert_int_equal(write(cfd, "bye\n", 4), 4);
    close(cfd); /* FIN after the data */
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 2000), CPUSER_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(b, "bye\n", 4);
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 2000), CPUSER_ERR_CLOSED);
    assert_int_equal(n, 0);
    tcp_tp.close(&tcp);
    close(lfd);
}

static void reset_is_io(void **state)
{
    uint16_t port;
    int lfd = kernel_socket(HOST_V4, 4, 0, &port);
    int cfd;
    struct linger lg;
    char b[16];
    size_t n = 0;
    (void)state;
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 3000), CPUSER_OK);
    cfd = kernel_accept(lfd, 2000);
    lg.l_onoff = 1;
    lg.l_linger = 0;
    assert_int_equal(setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, (socklen_t)sizeof lg), 0);
    close(cfd); /* RST */
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 2000), CPUSER_ERR_IO);
    print_message("  reset: recv is CPUSER_ERR_IO, lwIP errno %d (%s)\n", tcp.last_errno,
                  strerror(tcp.last_errno));
    assert_int_equal(tcp_tp.send(&tcp, "x", 1, &n, 500), CPUSER_ERR_IO);
    assert_int_equal(n, 0);
    tcp_tp.close(&tcp);
    close(lfd);
}

static void enomem_is_back_pressure(void **state)
{
    uint16_t port;
    int lfd = kernel_socket(HOST_V4, 4, 0, &port);
    int cfd;
    char b[8];
    size_t n = 0;
    uint32_t t0;
    uint32_t spent;
    (void)state;
    fresh_transport();
    /* connect: no memory for the SYN twice, then it goes */
    injected = 0;
    connect_enomem = 2;
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V4, port, 3000), CPUSER_OK);
    assert_int_equal(injected, 2);
    cfd = kernel_accept(lfd, 2000);
    /* send: three ENOMEM, then the bytes go */
    injected = 0;
    send_enomem = 3;
    assert_int_equal(tcp_tp.send(&tcp, "abc", 3, &n, 2000), CPUSER_OK);
    assert_int_equal(n, 3);
    assert_int_equal(injected, 3);
    kernel_read(cfd, b, 3, 2000);
    assert_memory_equal(b, "abc", 3);
    /* memory never comes back: a timeout, not an I/O error, and bounded */
    injected = 0;
    send_enomem = -1;
    t0 = sys_now();
    assert_int_equal(tcp_tp.send(&tcp, "def", 3, &n, 300), CPUSER_ERR_TIMEOUT);
    spent = elapsed_ms(t0);
    send_enomem = 0;
    print_message("  ENOMEM: retried %u times in %u ms (asked 300), then timeout\n", injected,
                  (unsigned)spent);
    assert_true(spent >= 280 && spent < 1500);
    assert_true(injected >= 3 && injected < 100); /* backed off, no busy loop */
    /* and the connection is still good */
    assert_int_equal(tcp_tp.send(&tcp, "ghi", 3, &n, 2000), CPUSER_OK);
    kernel_read(cfd, b, 3, 2000);
    assert_memory_equal(b, "ghi", 3);
    tcp_tp.close(&tcp);
    close(cfd);
    close(lfd);
}

static void ipv6_literal_round_trip(void **state)
{
    uint16_t port;
    int lfd;
    int cfd;
    char b[8];
    size_t n = 0;
    (void)state;
    if (!with_v6) {
        skip();
    }
    lfd = kernel_socket(HOST_V6, 4, 0, &port);
    fresh_transport();
    assert_int_equal(tcp_tp.connect(&tcp, HOST_V6, port, 5000), CPUSER_OK);
    cfd = kernel_accept(lfd, 2000);
    assert_int_equal(tcp_tp.send(&tcp, "ping", 4, &n, 2000), CPUSER_OK);
    assert_int_equal(n, 4);
    kernel_read(cfd, b, 4, 2000);
    assert_memory_equal(b, "ping", 4);
    assert_int_equal(write(cfd, "pong", 4), 4);
    assert_int_equal(tcp_tp.recv(&tcp, b, sizeof b, &n, 2000), CPUSER_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(b, "pong", 4);
    tcp_tp.close(&tcp);
    close(cfd);
    close(lfd);
}

/* ---- the users lifecycle through lwIP ------------------------------------ */

static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static cpuser_user user;
static tap wire; /* between cpuser (or TLS) and the lwIP transport */
static cpuser_transport wire_tp;

static const char *keep(cpuser_view v, char *into, size_t cap)
{
    assert_true(v.len < cap);
    memcpy(into, v.ptr, v.len);
    into[v.len] = '\0';
    return into;
}

typedef struct {
    const char *id;
    int seen;
} find_arg;

static cpuser_err find_user(void *arg, const cpuser_user *u)
{
    find_arg *f = arg;
    if (cpuser_view_eq(u->id, f->id)) {
        f->seen++;
    }
    return CPUSER_OK;
}

/* create, read, list, delete (and read again: 404) over `tp`, which sits on
 * the counting `wire` over the lwIP transport; then the tap's counters. */
static void lifecycle(const char *label, const cpuser_transport *tp, uint16_t port, bool https)
{
    cpuser_client_config cfg;
    cpuser_user_fields f;
    cpuser_user_filter filter;
    tap_counters before;
    tap_counters after;
    char email[96];
    char id[48];
    find_arg found;
    uint32_t total = 0;
    uint32_t t0 = sys_now();
    unsigned long long d_rx;
    unsigned long long d_tx;
    unsigned long long d_rxp;
    unsigned long long d_txp;

    snprintf(email, sizeof email, "lwip-%s-%ld@example.com", label, (long)getpid());
    read_counters(&before);

    memset(&cfg, 0, sizeof cfg);
    cfg.host = HOST_V4;
    cfg.port = port;
    cfg.https = https;
    cfg.token = "sim-token";
    cfg.token_len = strlen(cfg.token);
    cfg.connect_timeout_ms = 5000;
    cfg.io_timeout_ms = 5000;
    cfg.total_timeout_ms = 20000;
    assert_int_equal(cpuser_client_init(&client, &cfg, tp, &pf, work, sizeof work), CPUSER_OK);

    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, email);
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "s3cret-pw");
    cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Ana");
    cpuser_user_fields_set(&f, CPUSER_USER_LAST_NAME, "Ivanova");
    cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "BG");
    cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_ID, "charge-point-7");
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    keep(user.id, id, sizeof id);
    assert_true(cpuser_view_eq(user.email, email));

    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), NULL, &user), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(cpuser_view_eq(user.first_name, "Ana"));
    assert_true(cpuser_view_eq(user.external_id, "charge-point-7"));

    memset(&filter, 0, sizeof filter);
    filter.email = cpuser_view_of(email);
    found.id = id;
    found.seen = 0;
    assert_int_equal(cpuser_users_list_all(&client, &filter, 10, find_user, &found, &total), CPUSER_OK);
    assert_int_equal(found.seen, 1);
    found.seen = 0;
    assert_int_equal(cpuser_users_list_all(&client, NULL, 2, find_user, &found, &total), CPUSER_OK);
    assert_int_equal(found.seen, 1); /* several pages of 2 (the seeded users too) */
    assert_true(total >= 3);

    assert_int_equal(cpuser_users_delete(&client, cpuser_view_of(id)), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), NULL, &user),
                     CPUSER_ERR_HTTP_NOT_FOUND);
    cpuser_client_close(&client);

    read_counters(&after);
    d_rx = after.rx_bytes - before.rx_bytes;
    d_tx = after.tx_bytes - before.tx_bytes;
    d_rxp = after.rx_packets - before.rx_packets;
    d_txp = after.tx_packets - before.tx_packets;
    print_message("  %s lifecycle (create, read, list x2, delete, read 404) in %u ms, %d connect(s)\n",
                  label, (unsigned)elapsed_ms(t0), wire.connects);
    print_message("  cpuser through lwIP: sent %llu B, received %llu B%s\n",
                  (unsigned long long)wire.sent, (unsigned long long)wire.received,
                  https ? " (TLS records)" : "");
    print_message("  %s kernel counters: rx_bytes %llu -> %llu (+%llu, frames lwIP sent), "
                  "tx_bytes %llu -> %llu (+%llu, frames lwIP got), rx_packets +%llu, tx_packets +%llu\n",
                  tap_name, before.rx_bytes, after.rx_bytes, d_rx, before.tx_bytes, after.tx_bytes,
                  d_tx, d_rxp, d_txp);
    /* every byte cpuser sent left lwIP as a frame on the tap, and every byte
     * it received came in as one, each with its headers on top */
    assert_true(wire.sent > 0 && wire.received > 0);
    assert_true(d_rx >= wire.sent);
    assert_true(d_tx >= wire.received);
    assert_true(d_rxp >= 5 && d_txp >= 5); /* at least one frame per request */
}

static void lifecycle_http(void **state)
{
    static cpuser_lwip_tcp ltcp;
    static cpuser_transport ltp;
    (void)state;
    cpuser_lwip_tcp_init(&ltcp, &ltp);
    cpuser_posix_platform_init(&pf); /* clock, sleep and randomness only */
    tap_init(&wire, &ltp, &wire_tp);
    lifecycle("http", &wire_tp, http_port, false);
}

static unsigned char ca_pem[8192];

static void lifecycle_tls(void **state)
{
    static cpuser_lwip_tcp ltcp;
    static cpuser_transport ltp;
    static cpuser_tls tls;
    static cpuser_transport tls_tp;
    cpuser_tls_config tc;
    FILE *fp;
    size_t n;
    (void)state;
    fp = fopen(ca_file, "rb");
    if (fp == NULL) {
        fail_msg("cannot read %s", ca_file);
    }
    n = fread(ca_pem, 1, sizeof ca_pem - 1, fp);
    fclose(fp);
    assert_true(n > 0);
    ca_pem[n++] = '\0'; /* PEM: mbedTLS counts the NUL */

    cpuser_lwip_tcp_init(&ltcp, &ltp);
    cpuser_posix_platform_init(&pf);
    tap_init(&wire, &ltp, &wire_tp);
    memset(&tc, 0, sizeof tc);
    tc.ca = ca_pem;
    tc.ca_len = n;
    /* mbedTLS 2.28 matches DNS names only: we connect to 10.77.0.1, the
     * certificate says localhost */
    tc.server_name = "localhost";
    assert_int_equal(cpuser_tls_init(&tls, &tc, &wire_tp, &pf, &tls_tp), CPUSER_OK);
    lifecycle("tls", &tls_tp, tls_port, true);
    print_message("  TLS: %u handshake(s), %u full; certificate verified (flags 0x%x)\n",
                  (unsigned)tls.handshakes, (unsigned)tls.full_handshakes,
                  (unsigned)cpuser_tls_verify_flags(&tls));
    assert_true(tls.handshakes >= 1);
    assert_int_equal(cpuser_tls_verify_flags(&tls), 0);
    cpuser_tls_free(&tls);
}

/* ---- main ---------------------------------------------------------------- */

static uint16_t parse_port(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v <= 0 || v > 65535) {
        return 0;
    }
    return (uint16_t)v;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arguments_and_closed_socket),
        cmocka_unit_test(names_without_a_resolver),
        cmocka_unit_test(refused_is_connect),
        cmocka_unit_test(unreachable_ipv6_literal_is_not_a_name),
        cmocka_unit_test(connect_timeout),
        cmocka_unit_test(recv_timeout_from_a_silent_peer),
        cmocka_unit_test(partial_sends_then_send_timeout),
        cmocka_unit_test(orderly_close_is_closed),
        cmocka_unit_test(reset_is_io),
        cmocka_unit_test(enomem_is_back_pressure),
        cmocka_unit_test(ipv6_literal_round_trip),
        cmocka_unit_test(lifecycle_http),
        cmocka_unit_test(lifecycle_tls),
    };
    if (argc != 6 || (http_port = parse_port(argv[2])) == 0 ||
        (tls_port = parse_port(argv[3])) == 0) {
        fprintf(stderr, "usage: %s TAP HTTP_PORT TLS_PORT CA_FILE v6|no-v6\n"
                        "(run by tests/lwip/run_lwip_test.sh inside its network namespace)\n",
                argc > 0 ? argv[0] : "test_lwip");
        return 2;
    }
    tap_name = argv[1];
    ca_file = argv[4];
    with_v6 = strcmp(argv[5], "v6") == 0;
    /* LWIP_RAND is rand(): vary lwIP's local ports and ISNs between runs */
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    if (start_lwip() != 0) {
        fprintf(stderr, "test_lwip: lwIP did not come up on %s\n", tap_name);
        return 1;
    }
    printf("%s: lwIP %s, netif %s/24%s on %s; LWIP_STATS %d%s\n", VARIANT, LWIP_VERSION_STRING,
           LWIP_V4, with_v6 ? " + " LWIP_V6 "/64" : "", tap_name, LWIP_STATS,
           LWIP_STATS ? "" : " (lwIP's own counters compiled out: the tap's kernel counters are the evidence)");
    fflush(stdout);
    return cmocka_run_group_tests_name(VARIANT, tests, NULL, NULL);
}
