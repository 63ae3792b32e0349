# tests/lwip/lwip.mk: the lwIP port, a make fragment included by the main
# Makefile (after it has defined BUILD, CC, CFLAGS, LDFLAGS, Q, LIB,
# POSIX_LIB, TLS_LIB and MBEDTLS_LIBS; it does not change the default goal):
#
#   make build/libcpuser_lwip.a  port/lwip/lwip_tcp.c against Debian's
#                                liblwip-dev headers ($(BUILD)/ for variants)
#   make lwip-tests              the test programs, and compile-only builds of
#                                the port for lwIP configurations Debian's
#                                library lacks (LWIP_DNS 1; select, no poll;
#                                IPv4 only)
#   make check-lwip              lwip-tests, the heap check of the library,
#                                then tests/lwip/run_lwip_test.sh: as root, in
#                                a network namespace of its own, lwIP in the
#                                test process on a tap device (else: SKIPPED)
#
# Two test programs run, each with its own build of the port: the default
# (lwip_poll) and CPUSER_LWIP_WAIT_SOCKOPT (what a board without poll and
# select gets: SO_RCVTIMEO). Both link Debian's liblwip (NO_SYS 0) and wrap
# lwip_send / lwip_connect (-Wl,--wrap) to inject ENOMEM.

LWIP_SAVED_GOAL := $(.DEFAULT_GOAL)

# lwIP's headers: pkg-config when it is there (it is not in `make deps`).
LWIP_INC_DIR := $(patsubst -I%,%,$(filter -I%,$(shell pkg-config --cflags lwip 2>/dev/null)))
ifeq ($(strip $(LWIP_INC_DIR)),)
LWIP_INC_DIR := /usr/include/lwip
endif
LWIP_LDLIBS := $(or $(shell pkg-config --libs lwip 2>/dev/null),-llwip)
# Debian's lwIP (the GNU Hurd build) takes its socket types from glibc
# (LWIP_SOCKET_EXTERNAL_HEADERS) and, without SSIZE_MAX from a POSIX
# <limits.h>, its arch.h redefines ssize_t as int: hence _POSIX_C_SOURCE.
# Its headers are system headers (-isystem): their warnings are not ours.
LWIP_CFLAGS := -D_POSIX_C_SOURCE=200809L -isystem $(LWIP_INC_DIR)
LWIP_MBEDTLS := $(or $(MBEDTLS_LIBS),-lmbedtls -lmbedx509 -lmbedcrypto)

LWIP_OUT      := $(BUILD)/lwip
LWIP_PORT_LIB := $(BUILD)/libcpuser_lwip.a
LWIP_PORT_OBJ := $(LWIP_OUT)/obj/lwip_tcp.o
LWIP_SOCKOPT_OBJ := $(LWIP_OUT)/obj/lwip_tcp_sockopt.o
LWIP_CHECK_OBJ := $(LWIP_OUT)/obj/lwip_tcp_dns.o $(LWIP_OUT)/obj/lwip_tcp_select.o \
                  $(LWIP_OUT)/obj/lwip_tcp_ipv4.o
LWIP_TEST_BIN := $(LWIP_OUT)/test_lwip $(LWIP_OUT)/test_lwip_sockopt
LWIP_HEADERS  := $(wildcard include/cpuser/*.h)
LWIP_TEST_DEPS := tests/lwip/test_lwip.c tests/lwip/tap_netif.c tests/lwip/tap_netif.h \
                  tests/tls/tap.h $(LIB) $(POSIX_LIB) $(TLS_LIB)
LWIP_TEST_LINK := -Wl,--wrap=lwip_send,--wrap=lwip_connect
LWIP_TEST_LIBS := $(TLS_LIB) $(POSIX_LIB) $(LIB) $(LWIP_MBEDTLS) -lcmocka $(LWIP_LDLIBS) -lpthread
# The configurations only compiled: an lwipopts.h that includes Debian's
# and changes a switch (tests/lwip/opts/lwipopts.h).
LWIP_CHECK_FLAGS := -Itests/lwip/opts -DCPUSER_LWIP_BASE_OPTS='"$(LWIP_INC_DIR)/lwipopts.h"'

.PHONY: lwip-tests check-lwip lwip-heap-symbols

$(LWIP_PORT_OBJ): port/lwip/lwip_tcp.c $(LWIP_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_SOCKOPT_OBJ): port/lwip/lwip_tcp.c $(LWIP_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (SO_RCVTIMEO)')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CFLAGS) -DCPUSER_LWIP_WAIT=CPUSER_LWIP_WAIT_SOCKOPT -c $< -o $@

$(LWIP_OUT)/obj/lwip_tcp_dns.o: port/lwip/lwip_tcp.c tests/lwip/opts/lwipopts.h $(LWIP_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (LWIP_DNS 1, compile only)')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CHECK_FLAGS) -DCPUSER_LWIP_CHECK_DNS $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_OUT)/obj/lwip_tcp_select.o: port/lwip/lwip_tcp.c tests/lwip/opts/lwipopts.h $(LWIP_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (select, compile only)')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CHECK_FLAGS) -DCPUSER_LWIP_CHECK_SELECT $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_OUT)/obj/lwip_tcp_ipv4.o: port/lwip/lwip_tcp.c tests/lwip/opts/lwipopts.h $(LWIP_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (LWIP_IPV6 0, compile only)')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CHECK_FLAGS) -DCPUSER_LWIP_CHECK_IPV4 $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_PORT_LIB): $(LWIP_PORT_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LWIP_OUT)/test_lwip: $(LWIP_TEST_DEPS) $(LWIP_PORT_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CFLAGS) -Itests/tls -Itests/lwip tests/lwip/test_lwip.c \
	  tests/lwip/tap_netif.c -o $@ $(LDFLAGS) $(LWIP_TEST_LINK) $(LWIP_PORT_LIB) $(LWIP_TEST_LIBS)

$(LWIP_OUT)/test_lwip_sockopt: $(LWIP_TEST_DEPS) $(LWIP_SOCKOPT_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(LWIP_CFLAGS) -DCPUSER_LWIP_WAIT=CPUSER_LWIP_WAIT_SOCKOPT -Itests/tls \
	  -Itests/lwip tests/lwip/test_lwip.c tests/lwip/tap_netif.c -o $@ $(LDFLAGS) $(LWIP_TEST_LINK) \
	  $(LWIP_SOCKOPT_OBJ) $(LWIP_TEST_LIBS)

lwip-tests: $(LWIP_PORT_LIB) $(LWIP_TEST_BIN) $(LWIP_CHECK_OBJ)

# The port's library references no heap function (lwIP's own allocations
# are lwIP's: see port/lwip/README.md).
lwip-heap-symbols: $(LWIP_PORT_LIB)
	@if nm -u $(LWIP_PORT_LIB) | grep -E '\b(malloc|calloc|realloc|free|strdup|strndup)$$'; then \
	  echo "heap-symbols: FAILED: $(LWIP_PORT_LIB) references the heap"; exit 1; \
	else echo "heap-symbols: nm -u $(LWIP_PORT_LIB): no malloc/calloc/realloc/free/strdup"; fi

check-lwip: lwip-tests lwip-heap-symbols
	@sh tests/run_tests.sh "sh tests/lwip/run_lwip_test.sh $(LWIP_TEST_BIN)"

.DEFAULT_GOAL := $(LWIP_SAVED_GOAL)
