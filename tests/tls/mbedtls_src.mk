# Make fragment, included by the main Makefile:
#
#   make mbedtls-src          Debian's mbedTLS source package, unpacked under
#                             build/mbedtls-src/ (adds a deb-src entry and
#                             installs dpkg-dev only when needed)
#   make mbedtls-small        that source built with the small-RAM config
#                             boards/mbedtls/cpuser_mbedtls_config.h into
#                             build/mbedtls-small/libmbedtls_small.a
#   make check-mbedtls-small  build and run tests/tls/small_ram.c: HTTPS to the
#                             simulator with mbedTLS living in one static buffer
#   make bench-tls            tests/tls/bench_tls.c against Debian's default
#                             mbedTLS build: heap peak, handshake counts, wire
#                             bytes (printed and written to build/bench-tls.json)
#
# The library rules are a template, so another toolchain can reuse them:
#   $(eval $(call mbedtls_small_lib,OUTDIR,CC,CFLAGS,AR))
# gives OUTDIR/libmbedtls_small.a (CFLAGS without commas: it is a call
# argument; inside `ifneq ($(MBS_LIB_SRC),)` like below); or override MBEDTLS_SMALL_CC,
# MBEDTLS_SMALL_CFLAGS, MBEDTLS_SMALL_AR and MBEDTLS_SMALL_OUT for the default
# instance. The library part needs nothing from the main Makefile
# (make -f tests/tls/mbedtls_src.mk mbedtls-small works on its own); the test
# and bench programs use its CC, CFLAGS, LDFLAGS, LIB, POSIX_LIB and TLS_LIB.
#
# The list of library/*.c files is only known once the source is unpacked,
# so the targets that compile it re-enter make (the top makefile) after the
# unpacking step; the re-entered make sees the files. Rules that need the
# tree are defined only when it exists. V=1 shows the commands.
#
# Include it after the main Makefile has defined BUILD, CC, CFLAGS, LDFLAGS,
# LIB, POSIX_LIB and TLS_LIB (at its end): rule lines use them as they are
# read. It does not change the default goal.

MBS_TOP := $(firstword $(MAKEFILE_LIST))
MBS_SAVED_GOAL := $(.DEFAULT_GOAL)
BUILD ?= build

MBEDTLS_SRC_DIR      ?= build/mbedtls-src
MBEDTLS_TREE         := $(MBEDTLS_SRC_DIR)/tree
MBEDTLS_SRC_STAMP    := $(MBEDTLS_SRC_DIR)/.unpacked
MBEDTLS_APT_SOURCES  ?= /etc/apt/sources.list.d/debian.sources
MBEDTLS_DEBSRC_FILE  ?= /etc/apt/sources.list.d/cpuser-deb-src.sources

MBEDTLS_SMALL_CONFIG_DIR := boards/mbedtls
MBEDTLS_SMALL_CONFIG := $(MBEDTLS_SMALL_CONFIG_DIR)/cpuser_mbedtls_config.h
MBEDTLS_SMALL_DEFS   := -DMBEDTLS_CONFIG_FILE='"cpuser_mbedtls_config.h"' \
                        -I$(MBEDTLS_SMALL_CONFIG_DIR)
MBEDTLS_SMALL_CC     ?= gcc
MBEDTLS_SMALL_CFLAGS ?= -O2
MBEDTLS_SMALL_AR     ?= ar
MBEDTLS_SMALL_OUT    ?= build/mbedtls-small

ifeq ($(V),1)
MBS_Q :=
else
MBS_Q := @
endif

.PHONY: mbedtls-src mbedtls-small mbedtls-small-test check-mbedtls-small bench-tls

# ---- the source package ----------------------------------------------------
# (a) `apt-get source` needs a deb-src entry. Only when it would fail, add
#     MBEDTLS_DEBSRC_FILE: each enabled "Types: deb" stanza of
#     MBEDTLS_APT_SOURCES again as "Types: deb-src", with the same URIs,
#     Suites, Components and Signed-By (continuation lines included), then
#     apt-get update.
# (b) dpkg-source (dpkg-dev) unpacks the package.
# (c) apt-get source in MBEDTLS_SRC_DIR; MBEDTLS_TREE links to the unpacked
#     directory. Nothing here is committed: it all lives under build/.
mbedtls-src: $(MBEDTLS_SRC_STAMP)

# deb822 paragraphs in, one deb-src paragraph out per enabled deb paragraph.
MBS_DEBSRC_AWK := BEGIN { RS = ""; FS = "\n" } \
  { t = ""; k = ""; f = ""; off = 0; \
    for (i = 1; i <= NF; i++) { l = $$i; \
      if (l ~ /^\#/) continue; \
      if (l ~ /^[ \t]/) { if (f ~ /^(uris|suites|components|signed-by)$$/) k = k "\n" l; continue } \
      f = tolower(substr(l, 1, index(l, ":") - 1)); v = substr(l, index(l, ":") + 1); \
      if (f == "types") t = v; \
      else if (f == "enabled" && v ~ /[Nn][Oo]/) off = 1; \
      else if (f ~ /^(uris|suites|components|signed-by)$$/) k = k "\n" l } \
    if (!off && k != "" && (" " t " ") ~ /[ \t]deb[ \t]/) printf "%sTypes: deb-src%s\n", (n++ ? "\n" : ""), k }

$(MBEDTLS_SRC_STAMP):
	@mkdir -p $(MBEDTLS_SRC_DIR)
	@set -e; SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	tree=$$(ls -d $(MBEDTLS_SRC_DIR)/mbedtls-*/library/ssl_tls.c 2>/dev/null | head -n 1); \
	if [ -n "$$tree" ]; then \
	  echo "mbedtls-src: already unpacked: $${tree%/library/ssl_tls.c}"; \
	else \
	  if ! apt-get source --print-uris -qq mbedtls >/dev/null 2>&1; then \
	    [ -r $(MBEDTLS_APT_SOURCES) ] || { echo "mbedtls-src: no $(MBEDTLS_APT_SOURCES) to derive a deb-src entry from"; exit 1; }; \
	    echo "mbedtls-src: adding $(MBEDTLS_DEBSRC_FILE) (deb-src of $(MBEDTLS_APT_SOURCES)), apt-get update"; \
	    tmp=$(MBEDTLS_SRC_DIR)/deb-src.sources; \
	    { echo "# Added by cpuser (tests/tls/mbedtls_src.mk, make mbedtls-src):"; \
	      echo "# the Types: deb entries of $(MBEDTLS_APT_SOURCES) as deb-src."; \
	      awk '$(MBS_DEBSRC_AWK)' $(MBEDTLS_APT_SOURCES); } > $$tmp; \
	    grep -q '^Types: deb-src' $$tmp || { echo "mbedtls-src: no Types: deb entry in $(MBEDTLS_APT_SOURCES)"; exit 1; }; \
	    $$SUDO cp $$tmp $(MBEDTLS_DEBSRC_FILE); \
	    $$SUDO apt-get update -qq >$(MBEDTLS_SRC_DIR)/apt-update.log 2>&1 || { cat $(MBEDTLS_SRC_DIR)/apt-update.log; exit 1; }; \
	  fi; \
	  if ! dpkg-query -W -f='$${Status}\n' dpkg-dev 2>/dev/null | grep -q "ok installed"; then \
	    echo "mbedtls-src: installing dpkg-dev"; \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends dpkg-dev \
	      >$(MBEDTLS_SRC_DIR)/apt-install.log 2>&1 || { cat $(MBEDTLS_SRC_DIR)/apt-install.log; exit 1; }; \
	  fi; \
	  echo "mbedtls-src: apt-get source mbedtls in $(MBEDTLS_SRC_DIR)"; \
	  ( cd $(MBEDTLS_SRC_DIR) && apt-get source -qq mbedtls ) >$(MBEDTLS_SRC_DIR)/apt-source.log 2>&1 \
	    || { cat $(MBEDTLS_SRC_DIR)/apt-source.log; exit 1; }; \
	  tree=$$(ls -d $(MBEDTLS_SRC_DIR)/mbedtls-*/library/ssl_tls.c 2>/dev/null | head -n 1); \
	  [ -n "$$tree" ] || { echo "mbedtls-src: no mbedtls-*/library after apt-get source"; exit 1; }; \
	fi; \
	dir=$${tree%/library/ssl_tls.c}; \
	ln -sfn $${dir##*/} $(MBEDTLS_TREE); \
	echo "mbedtls-src: $(MBEDTLS_TREE) -> $${dir##*/}"; \
	touch $@

# ---- the library with the small config -------------------------------------
# $(call mbedtls_small_lib,OUTDIR,CC,CFLAGS,AR): the rules for
# OUTDIR/libmbedtls_small.a, every library/*.c of the unpacked tree compiled
# with CC CFLAGS and the small config (all of mbedTLS in one archive: the
# crypto, X.509 and TLS parts). Only meaningful once the tree is unpacked;
# see mbedtls-small below for how that is ordered.
define mbedtls_small_lib
$(1)/libmbedtls_small.a: $$(patsubst $$(MBEDTLS_TREE)/library/%.c,$(1)/obj/%.o,$$(MBS_LIB_SRC))
	@rm -f $$@
	$$(MBS_Q)$(4) rcs $$@ $$^
	@echo "  AR      $$@ ($$(words $$^) mbedTLS sources; $(2) $(3))"

$(1)/obj/%.o: $$(MBEDTLS_TREE)/library/%.c $$(MBEDTLS_SMALL_CONFIG) $$(MBEDTLS_SRC_STAMP)
	@mkdir -p $$(@D)
	$$(MBS_Q)$(2) $(3) -I$$(MBEDTLS_TREE)/include -I$$(MBEDTLS_TREE)/library \
	  $$(MBEDTLS_SMALL_DEFS) $$(MBEDTLS_SMALL_EXTRA) -c $$< -o $$@
endef

# MBEDTLS_SMALL_EXTRA: more -D for the library AND the test program, e.g.
# -DCPUSER_MBEDTLS_IN_CONTENT_LEN=2048 -DCPUSER_MBEDTLS_OUT_CONTENT_LEN=2048
# with MBEDTLS_SMALL_OUT=build/mbedtls-small-2k to measure another size.
MBEDTLS_SMALL_EXTRA ?=
MBS_LIB_SRC := $(wildcard $(MBEDTLS_TREE)/library/*.c)
MBEDTLS_SMALL_LIB := $(MBEDTLS_SMALL_OUT)/libmbedtls_small.a

# Unpack first, then re-enter make, which now sees library/*.c.
mbedtls-small: $(MBEDTLS_SRC_STAMP)
	@$(MAKE) --no-print-directory -f $(MBS_TOP) $(MBEDTLS_SMALL_LIB)

ifneq ($(MBS_LIB_SRC),)
$(eval $(call mbedtls_small_lib,$(MBEDTLS_SMALL_OUT),$(MBEDTLS_SMALL_CC),$(MBEDTLS_SMALL_CFLAGS),$(MBEDTLS_SMALL_AR)))
endif

# ---- the small-RAM test ------------------------------------------------------
# tests/tls/small_ram.c and port/mbedtls/tls.c compiled against the unpacked
# tree's include/ (first, ahead of /usr/include/mbedtls) and the small
# config, linked with libmbedtls_small.a and the cpuser core and POSIX libs.
# malloc/calloc/realloc/free are wrapped to abort for these static objects:
# the run proves mbedTLS took all its memory from the static buffer.
MBS_TEST_DIR  := $(BUILD)/$(notdir $(MBEDTLS_SMALL_OUT))-test
MBS_TEST_BIN  := $(MBS_TEST_DIR)/small_ram
MBS_TEST_FLAGS = -I$(MBEDTLS_TREE)/include $(MBEDTLS_SMALL_DEFS) $(MBEDTLS_SMALL_EXTRA) \
                 $(CFLAGS) -Itests/unit -Itests/tls

ifneq ($(MBS_LIB_SRC),)
$(MBS_TEST_DIR)/tls.o: port/mbedtls/tls.c $(wildcard include/cpuser/*.h) $(MBEDTLS_SMALL_CONFIG) $(MBEDTLS_SRC_STAMP)
	@mkdir -p $(@D)
	@$(if $(MBS_Q),echo '  CC      $@ (small config)')
	$(MBS_Q)$(CC) $(MBS_TEST_FLAGS) -c $< -o $@

$(MBS_TEST_BIN): tests/tls/small_ram.c $(MBS_TEST_DIR)/tls.o $(MBEDTLS_SMALL_LIB) $(LIB) $(POSIX_LIB) tests/unit/peer.h
	@mkdir -p $(@D)
	@$(if $(MBS_Q),echo '  LD      $@')
	$(MBS_Q)$(CC) $(MBS_TEST_FLAGS) $< $(MBS_TEST_DIR)/tls.o -o $@ $(LDFLAGS) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	  $(POSIX_LIB) $(LIB) $(MBEDTLS_SMALL_LIB) -lcmocka
endif

mbedtls-small-test: mbedtls-small $(LIB) $(POSIX_LIB)
	@$(MAKE) --no-print-directory -f $(MBS_TOP) $(MBS_TEST_BIN)

check-mbedtls-small: mbedtls-small-test
	@sh tests/run_tests.sh $(MBS_TEST_BIN)

# ---- bench-tls: Debian's default mbedTLS build --------------------------------
# Linked statically against Debian's libmbed*.a (the system headers, the
# default config: 16 KB record buffers), with calloc and free wrapped by
# counters for the heap figures. Printed, and written as JSON.
MBEDTLS_DEB_LIBDIR ?= $(patsubst %/,%,$(dir $(firstword $(wildcard /usr/lib/*/libmbedtls.a))))
BENCH_TLS_BIN  := $(BUILD)/bench-tls/bench_tls
BENCH_TLS_JSON ?= build/bench-tls.json

$(BENCH_TLS_BIN): tests/tls/bench_tls.c $(LIB) $(POSIX_LIB) $(TLS_LIB) tests/unit/peer.h tests/tls/tap.h
	@mkdir -p $(@D)
	@[ -r "$(MBEDTLS_DEB_LIBDIR)/libmbedtls.a" ] || { echo "bench-tls: no libmbedtls.a (libmbedtls-dev)"; exit 1; }
	@$(if $(MBS_Q),echo '  LD      $@')
	$(MBS_Q)$(CC) $(CFLAGS) -Itests/unit -Itests/tls $< -o $@ $(LDFLAGS) -Wl,--wrap=calloc,--wrap=free \
	  $(TLS_LIB) $(POSIX_LIB) $(LIB) \
	  $(MBEDTLS_DEB_LIBDIR)/libmbedtls.a $(MBEDTLS_DEB_LIBDIR)/libmbedx509.a \
	  $(MBEDTLS_DEB_LIBDIR)/libmbedcrypto.a -lpthread

bench-tls: $(BENCH_TLS_BIN)
	@mkdir -p $(dir $(BENCH_TLS_JSON))
	@$(BENCH_TLS_BIN) $(BENCH_TLS_JSON)

.DEFAULT_GOAL := $(MBS_SAVED_GOAL)
