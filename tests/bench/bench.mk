# Make fragment: `make bench`, the footprint and cost figures of issue 7.
# Included at the end of the main Makefile:
#
#   include tests/bench/bench.mk
#
# It uses the main Makefile's LIB, POSIX_LIB, WARN, SRC, Q and ARM_CC (built
# with gcc, no sanitizer: build/). Outputs go under build/bench/ and the
# summary to build/bench.json. Figures are printed, never asserted.
#
#   make bench         all of it (installs its Debian packages when missing)
#   make bench-stack   worst-case stack per public call, Cortex-M4
#   make bench-deps    apt-get install what bench needs, when missing
#   make bench-record  re-record tests/bench/fixtures/ from the simulator
#                      (not part of `make bench`: the fixtures are committed)

BENCH_DIR   := build/bench
BENCH_PKGS  := libcurl4-openssl-dev libcjson-dev valgrind gcc-arm-none-eabi \
               libnewlib-arm-none-eabi libjsmn-dev python3
BENCH_CFLAGS := -std=c99 -O2 -g -Wall -Wextra -Iinclude
BENCH_ARM_FLAGS := -mcpu=cortex-m4 -mthumb -Os -std=c99 $(WARN) -ffunction-sections \
                   -fdata-sections -Iinclude -Isrc -idirafter /usr/include
BENCH_CI_OBJ := $(SRC:src/%.c=$(BENCH_DIR)/ci/%.o)
# newlib-nano and libgcc of the Cortex-M4 multilib: frames of memcpy & co.
BENCH_MULTI  = $(shell $(ARM_CC) -mcpu=cortex-m4 -mthumb -print-multi-directory 2>/dev/null)
BENCH_LIBC   = $(shell $(ARM_CC) -mcpu=cortex-m4 -mthumb -print-file-name=libc_nano.a 2>/dev/null)
BENCH_LIBGCC = $(shell $(ARM_CC) -mcpu=cortex-m4 -mthumb -print-libgcc-file-name 2>/dev/null)

.PHONY: bench bench-deps bench-stack bench-measure bench-record

bench-deps:
	@missing=""; for p in $(BENCH_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "bench: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# ---- stack: -fcallgraph-info=su for every src/*.c, then the call graph ----------
$(BENCH_DIR)/ci/%.o: src/%.c $(wildcard include/cpuser/*.h src/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC-CI   $@')
	$(Q)cd $(dir $@) && $(ARM_CC) $(subst -Iinclude,-I$(CURDIR)/include,$(subst -Isrc,-I$(CURDIR)/src,$(BENCH_ARM_FLAGS))) \
	  -fcallgraph-info=su -c $(CURDIR)/$< -o $(notdir $@)

bench-stack: $(BENCH_CI_OBJ)
	@python3 tests/bench/stack.py --ci $(BENCH_DIR)/ci --src src --include include \
	  --libc "$(BENCH_LIBC)" --libc "$(BENCH_LIBGCC)" --objdump arm-none-eabi-objdump \
	  --json $(BENCH_DIR)/stack.json

# ---- RAM: struct sizes on the target, smallest working buffers on the host ------
$(BENCH_DIR)/sizes_m4.o: tests/bench/sizes_m4.c $(wildcard include/cpuser/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(BENCH_ARM_FLAGS) -fno-common -c $< -o $@

# cpuser_tls needs mbedTLS's headers (libmbedtls-dev); skipped without them.
$(BENCH_DIR)/sizes_tls_m4.o: tests/bench/sizes_tls_m4.c $(wildcard include/cpuser/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(BENCH_ARM_FLAGS) -fno-common -Iboards/mbedtls \
	  -DMBEDTLS_CONFIG_FILE='"cpuser_mbedtls_config.h"' -c $< -o $@ 2>/dev/null || \
	  { echo "bench: no sizeof(cpuser_tls) (mbedTLS headers missing)"; rm -f $@; }

$(BENCH_DIR)/minbuf: tests/bench/minbuf.c $(LIB) $(POSIX_LIB) tests/unit/peer.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -Itests/unit $< -o $@ $(POSIX_LIB) $(LIB)

# ---- instructions: cpuser and libcurl + cJSON under callgrind -------------------
$(BENCH_DIR)/insn_cpuser: tests/bench/insn_cpuser.c $(LIB) $(POSIX_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) $< -o $@ $(POSIX_LIB) $(LIB)

$(BENCH_DIR)/insn_curl: tests/bench/insn_curl.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) $< -o $@ -lcurl -lcjson

bench-measure: $(BENCH_DIR)/sizes_m4.o $(BENCH_DIR)/minbuf $(BENCH_DIR)/insn_cpuser $(BENCH_DIR)/insn_curl
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory $(BENCH_DIR)/sizes_tls_m4.o
	@mkdir -p $(BENCH_DIR)/sim
	@python3 tests/bench/run_bench.py

bench: bench-deps
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory CC=gcc SAN=0 bench-stack
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory CC=gcc SAN=0 bench-measure

bench-record:
	python3 tests/bench/record.py
