# cpuser build. `make` builds the libraries; `make check` runs every test;
# `make demo` (boards/linux/board.mk) runs the CLI against the local
# simulator. See README.md.

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
SAN     ?= 0
AR      ?= ar
V       ?= 0
ifeq ($(V),0)
Q       := @
else
Q       :=
endif

ifeq ($(CC)-$(SAN),gcc-0)
BUILD   := build
else
BUILD   := build/$(notdir $(CC))-san$(SAN)
endif

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
CFLAGS  := -std=c99 $(WARN) -O2 -g -Iinclude
LDFLAGS :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

SRC       := $(wildcard src/*.c)
POSIX_SRC := $(wildcard port/posix/*.c)
TLS_SRC   := $(wildcard port/mbedtls/*.c)
OBJ       := $(SRC:%.c=$(BUILD)/obj/%.o)
POSIX_OBJ := $(POSIX_SRC:%.c=$(BUILD)/obj/%.o)
TLS_OBJ   := $(TLS_SRC:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libcpuser.a
POSIX_LIB := $(BUILD)/libcpuser_posix.a
TLS_LIB   := $(BUILD)/libcpuser_mbedtls.a
MBEDTLS_LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
PORT_SRC  := $(wildcard tests/port/test_*.c)
TLS_TEST_SRC := $(wildcard tests/tls/test_*.c)
E2E_SRC   := $(wildcard tests/e2e/test_*.c)
TEST_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) \
             $(PORT_SRC:tests/port/%.c=$(BUILD)/tests/%) \
             $(TLS_TEST_SRC:tests/tls/%.c=$(BUILD)/tests/%) \
             $(E2E_SRC:tests/e2e/%.c=$(BUILD)/tests/%)
NOHEAP_BIN := $(BUILD)/tests/noheap_request
LOG_BIN   := $(BUILD)/tests/test_log
TEST_BIN  += $(LOG_BIN) $(BUILD)/tests/test_faults
TEST_LIBS := -lcmocka -lpthread

.PHONY: all libs tests run-tests check deps cross clean heap-symbols static-analysis
all: libs

libs: $(LIB) $(POSIX_LIB) $(TLS_LIB)

$(BUILD)/obj/%.o: %.c $(wildcard include/cpuser/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(LIB): $(OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(POSIX_LIB): $(POSIX_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(TLS_LIB): $(TLS_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Test programs see src/ too, for internal helpers under test.
$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(POSIX_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -Itests/unit $< -o $@ $(LDFLAGS) $(POSIX_LIB) $(LIB) $(TEST_LIBS)

$(BUILD)/tests/%: tests/port/%.c $(LIB) $(POSIX_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -Itests/unit $< -o $@ $(LDFLAGS) $(POSIX_LIB) $(LIB) $(TEST_LIBS)

$(BUILD)/tests/%: tests/e2e/%.c $(LIB) $(POSIX_LIB) $(TLS_LIB) $(wildcard tests/unit/*.h)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -Itests/unit $< -o $@ $(LDFLAGS) $(TLS_LIB) $(POSIX_LIB) $(LIB) $(MBEDTLS_LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: tests/tls/%.c $(LIB) $(POSIX_LIB) $(TLS_LIB) $(wildcard tests/unit/*.h tests/tls/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -Itests/unit -Itests/tls $< -o $@ $(LDFLAGS) $(TLS_LIB) $(POSIX_LIB) $(LIB) $(MBEDTLS_LIBS) $(TEST_LIBS)

# The log hook is compiled out by default: this test builds the core with
# CPUSER_LOG_LEVEL=3 into the test program itself.
$(LOG_BIN): tests/log/test_log.c $(SRC) $(wildcard include/cpuser/*.h src/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -DCPUSER_LOG_LEVEL=3 -Isrc -Itests/unit $< $(SRC) -o $@ $(LDFLAGS) -lcmocka

# The zero-heap proof: malloc & co. wrapped to abort, core + POSIX port
# linked statically, a full request/response over a real socket.
$(NOHEAP_BIN): tests/noheap/noheap_request.c $(LIB) $(POSIX_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup \
	  $(POSIX_LIB) $(LIB) -lcmocka -lpthread

tests: $(TEST_BIN) $(NOHEAP_BIN)

run-tests: tests
	sh tests/run_tests.sh $(TEST_BIN) $(NOHEAP_BIN)

# No heap symbol may be referenced by the libraries.
heap-symbols: libs
	@if nm -u $(LIB) $(POSIX_LIB) $(TLS_LIB) | grep -E '\b(malloc|calloc|realloc|free|strdup|strndup)$$'; then \
	  echo "heap-symbols: FAILED: the libraries reference the heap"; exit 1; \
	else echo "heap-symbols: nm -u $(LIB) $(POSIX_LIB) $(TLS_LIB): no malloc/calloc/realloc/free/strdup"; fi

# ---- static analysis of src/ and port/ ---------------------------------------
# cppcheck (warnings, performance, portability) and clang-tidy (bugprone,
# cert, clang-analyzer), both clean. Not checked: clang-tidy's
# bugprone-easily-swappable-parameters (it flags API shapes such as
# (name, value) pairs, not defects). cppcheck cannot see MSG_NOSIGNAL in the
# system headers it does not read, hence the posix_tcp.c suppression.
TIDY_CHECKS := -*,bugprone-*,cert-*,clang-analyzer-*,-bugprone-easily-swappable-parameters
ANALYSED    := $(SRC) $(POSIX_SRC) $(TLS_SRC)

static-analysis:
	@cppcheck --quiet --enable=warning,performance,portability --std=c99 -Iinclude -Isrc -UCPUSER_CONFIG_FILE \
	  --suppress=missingIncludeSystem --suppress=preprocessorErrorDirective:port/posix/posix_tcp.c \
	  --error-exitcode=1 src port
	@echo "static-analysis: cppcheck clean over src/ port/"
	@mkdir -p build
	@printf '%s\n' $(ANALYSED) | xargs -P 2 -n 4 sh -c 'clang-tidy --quiet --warnings-as-errors="*" \
	  -checks="$(TIDY_CHECKS)" "$$@" -- -std=c99 -Iinclude -Isrc 2>&1 | grep -E "(warning|error):" || true' sh \
	  | tee build/clang-tidy.log; \
	  if [ -s build/clang-tidy.log ]; then echo "static-analysis: clang-tidy found problems"; exit 1; fi
	@echo "static-analysis: clang-tidy ($(TIDY_CHECKS)) clean over $(words $(ANALYSED)) files"

# ---- cross build of src/ for Cortex-M4 ------------------------------------
ARM_CC     := arm-none-eabi-gcc
ARM_FLAGS  := -mcpu=cortex-m4 -mthumb -Os -std=c99 $(WARN) -ffunction-sections \
              -fdata-sections -Iinclude -idirafter /usr/include
ARM_OBJ    := $(SRC:src/%.c=build/arm-cm4/%.o)

build/arm-cm4/%.o: src/%.c $(wildcard include/cpuser/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC-M4   $@')
	$(Q)$(ARM_CC) $(ARM_FLAGS) -Isrc -c $< -o $@

cross: $(ARM_OBJ)
	@echo "Cortex-M4 -Os objects (arm-none-eabi-size):"
	@arm-none-eabi-size -t $(ARM_OBJ)

# ---- the two commands ------------------------------------------------------
DEB_PKGS := build-essential clang libjsmn-dev libmbedtls-dev liblwip-dev \
            libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi python3 \
            valgrind openssl iproute2 binutils dpkg-dev qemu-system-arm \
            gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "make deps: all packages present"; fi

check: deps
	$(MAKE) CC=gcc SAN=$(SAN) libs tests heap-symbols lwip-tests lwip-heap-symbols
	$(MAKE) CC=clang SAN=1 libs tests lwip-tests
	$(MAKE) CC=gcc SAN=0 mbedtls-small-test build/cpuser
	$(MAKE) cross static-analysis riscv
	sh tests/run_tests.sh \
	  $(subst $(BUILD)/,$(if $(filter 1,$(SAN)),build/gcc-san1/,build/),$(TEST_BIN) $(NOHEAP_BIN)) \
	  $(subst $(BUILD)/,build/clang-san1/,$(TEST_BIN)) \
	  build/mbedtls-small-test/small_ram \
	  "sh tests/lwip/run_lwip_test.sh $(subst $(BUILD)/,$(if $(filter 1,$(SAN)),build/gcc-san1/,build/),$(LWIP_TEST_BIN)) $(subst $(BUILD)/,build/clang-san1/,$(LWIP_TEST_BIN))" \
	  "python3 tests/sim/test_sim.py" \
	  "python3 tests/sim/test_azure_apim_sim.py" \
	  "python3 tests/sim/test_contasimples_sim.py" \
	  "python3 tests/cli/test_cli.py" \
	  "python3 tests/cli/test_cli_azure.py" \
	  "python3 tests/cli/test_cli_contasimples.py" \
	  "python3 tests/cli/test_cli_resources.py" \
	  "$(MAKE) -s --no-print-directory check-qemu" \
	  "$(MAKE) --no-print-directory fuzz-smoke"

clean:
	rm -rf build
include tests/tls/mbedtls_src.mk
include boards/linux/board.mk
include tests/faults/faults.mk
include tests/lwip/lwip.mk
include tests/fuzz/fuzz.mk
include tests/qemu/qemu.mk
include boards/cortex-m4/firmware.mk
include tests/bench/bench.mk
