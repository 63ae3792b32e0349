# libFuzzer harnesses for cpuser (included by the top Makefile).
#
#   make fuzz [FUZZ_SECONDS=60]   build, then run each harness N seconds, two
#                                 at a time, on a copy of its seed corpus
#   make fuzz-smoke               each harness FUZZ_SMOKE_SECONDS (3) seconds
#   make fuzz-build               only build build/fuzz/fuzz_<harness>
#   FUZZ_NAMES="json list"        only these harnesses
#
# Harnesses (tests/fuzz/fuzz_<name>.c; seeds in tests/fuzz/corpus/<name>/):
#   response  the HTTP response parser, whole vs. random splits
#   chunked   the chunked decoder behind a fixed head, vs. a reference
#   json      the JSON reader, every getter on every token, and the users
#             decoder through client.c (200, 422 and export) over a
#             scripted transport, with a decode/encode/decode round trip
#   list      the streaming list scanner through a small buffer, and
#             cpuser_users_list over the scripted transport
#   request   the request builder and the users operations with random
#             field values: the bytes sent must be a clean HTTP/1.1 request
#   backends  one body served as payment-method steps 1 and 2, pages of
#             payment methods, id tags and groups, invoice details, a Conta
#             Simples error, an OAuth2 token answer and an Azure operation
#             status after a 202
#
# The library (src/*.c) is compiled here with the harnesses' own flags into
# build/fuzz/obj (never the archives of the normal build). New inputs land
# in build/fuzz/corpus/<name>, crashes in build/fuzz/artifacts/; the seed
# corpora in the repository are only read. Reproduce a crash with
#   build/fuzz/fuzz_<name> build/fuzz/artifacts/<name>-crash-<sha1>

# This file also works alone: make -f tests/fuzz/fuzz.mk fuzz
FUZZ_MK            := $(lastword $(MAKEFILE_LIST))
ifeq ($(origin Q),undefined)
Q                  := $(if $(filter-out 0,$(V)),,@)
endif

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_JOBS          ?= 2
FUZZ_EXTRA_CFLAGS  ?=
FUZZ_DIR           := build/fuzz
FUZZ_NAMES         ?= response chunked json list request backends
FUZZ_BINS          := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_LIB_SRC       := $(wildcard src/*.c)
FUZZ_LIB_OBJ       := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_HEADERS       := $(wildcard include/cpuser/*.h src/*.h)
FUZZ_SAN           := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS        := -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror \
                      -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -Iinclude -Isrc \
                      $(FUZZ_EXTRA_CFLAGS)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-flags-check

# Everything is rebuilt when the compiler or its flags change.
FUZZ_STAMP := $(FUZZ_DIR)/cflags
$(FUZZ_STAMP): fuzz-flags-check
	@mkdir -p $(dir $@)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' >$@

# keep the objects between builds (they are made through a pattern chain)
.SECONDARY: $(FUZZ_LIB_OBJ)

fuzz-build: $(FUZZ_BINS)

# Library objects: -fsanitize=fuzzer at compile time adds only the coverage
# instrumentation (libFuzzer's main comes in at link time).
$(FUZZ_DIR)/obj/%.o: src/%.c $(FUZZ_HEADERS) $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  FUZZCC  $@')
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ) $(wildcard tests/fuzz/*.h) $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  FUZZLD  $@')
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz $< $(FUZZ_LIB_OBJ) -o $@

# The build runs FUZZ_JOBS wide whatever -j the caller gave.
fuzz:
	@$(MAKE) --no-print-directory -f $(FUZZ_MK) -j$(FUZZ_JOBS) fuzz-build
	@sh tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)

fuzz-smoke:
	@$(MAKE) --no-print-directory -f $(FUZZ_MK) -j$(FUZZ_JOBS) fuzz-build
	@sh tests/fuzz/run_fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)
