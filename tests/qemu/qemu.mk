# Make fragment, included by the main Makefile (after its own rules):
#
#   include tests/qemu/qemu.mk
#
#   make qemu-tests   the core unit tests cross-built for Cortex-M4 (arm-none-eabi-gcc
#                     -mcpu=cortex-m4 -mthumb -O2, full newlib), twice:
#                       build/qemu/<test>.elf       the Cortex-M4 as firmware runs it
#                                                   (unaligned word access allowed)
#                       build/qemu-trap/<test>.elf  CCR.UNALIGN_TRP set: any unaligned
#                                                   halfword/word access faults
#   make check-qemu   each image run under qemu-system-arm -M mps2-an386 (Cortex-M4)
#                     with a timeout; output and exit status via semihosting; ends
#                     with "N passed, N failed, N skipped" (tests/run_tests.sh)
#
# The tests are tests/unit/*.c unchanged. cmocka is compiled for the target
# from Debian's source package (apt-get source cmocka, unpacked under
# build/qemu/cmocka-src/, never committed); only its src/cmocka.c is used,
# configured by tests/qemu/cmocka_target.h instead of CMake's config.h.
# Board support, all in tests/qemu/: mps2_an386.ld (memory map), startup.c
# (vectors, reset, fault reports; integer division by zero traps),
# semihost.c (newlib's system calls and exit status over semihosting),
# c99_printf.c (%zu & co., which Debian's newlib lacks).
# Missing Debian packages (qemu-system-arm, gcc-arm-none-eabi,
# libnewlib-arm-none-eabi, and dpkg-dev for apt-get source) are installed
# with apt-get on first use.
#
# Knobs: QEMU_VARIANTS (default "qemu qemu-trap"; either alone is fine),
# QEMU_TESTS (default the seven core tests; test_client also runs there),
# QEMU_TIMEOUT (seconds per image, default 60), V=1 (show commands).
# Uses SRC and WARN of the main Makefile when set. Changes no default goal.

QEMU_TESTS    ?= test_http_request test_http_response test_json_reader test_json_writer \
                 test_ampeco_users test_list_scanner test_buffer \
                 test_json_fields
QEMU_VARIANTS ?= qemu qemu-trap
QEMU_TIMEOUT  ?= 60
QEMU_PKGS     := qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi dpkg-dev
QEMU_MACHINE  := mps2-an386
QEMU_RUN      := timeout $(QEMU_TIMEOUT) qemu-system-arm -M $(QEMU_MACHINE) -nographic \
                 -semihosting-config enable=on,target=native -kernel

QEMU_SRC      := $(if $(SRC),$(SRC),$(wildcard src/*.c))
QEMU_WARN     := $(if $(WARN),$(WARN),-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
QEMU_CC       := arm-none-eabi-gcc
QEMU_AR       := arm-none-eabi-ar
QEMU_M4       := -mcpu=cortex-m4 -mthumb
QEMU_V6M      := -mcpu=cortex-m0plus -mthumb
QEMU_COMMON   := -O2 -g -std=c99 $(QEMU_WARN) -ffunction-sections -fdata-sections \
                 -Iinclude -Isrc -idirafter /usr/include
# Debian's newlib has no C99 printf length modifiers (%zu prints "zu" and
# shifts the arguments): c99_printf.c rewrites formats in front of newlib.
QEMU_PRINTF_WRAP := $(foreach f,printf fprintf sprintf snprintf vprintf vfprintf vsprintf vsnprintf,-Wl,--wrap=$(f))
QEMU_LDCOMMON := -nostartfiles -T tests/qemu/mps2_an386.ld -Wl,--gc-sections $(QEMU_PRINTF_WRAP)
QEMU_BSP      := startup semihost c99_printf
QEMU_MK       := tests/qemu/qemu.mk

# Per variant: architecture flags, C defines, libraries.
# qemu: what a firmware build does. Default libraries (the v7e-m multilib).
QEMU_ARCH_qemu := $(QEMU_M4)
QEMU_DEFS_qemu := -DQEMU_UNALIGN_TRP=0
QEMU_LIBS_qemu := -Wl,--start-group -lc -lm -lgcc -Wl,--end-group
# qemu-trap: GCC may merge or inline byte accesses into unaligned word
# accesses on ARMv7-M (legal there, a fault under UNALIGN_TRP), hence
# -mno-unaligned-access: only an unaligned access the C source itself makes
# (through a cast pointer, say) traps. newlib's ARMv7-M memcpy reads and
# writes unaligned words on purpose, so this variant links newlib and libgcc
# of the ARMv6-M (Cortex-M0) multilib, whose Thumb code runs on the M4 and
# never accesses memory unaligned.
QEMU_ARCH_qemu-trap := $(QEMU_M4) -mno-unaligned-access
QEMU_DEFS_qemu-trap := -DQEMU_UNALIGN_TRP=1
QEMU_LIBS_qemu-trap  = -nodefaultlibs -Wl,--start-group \
                       $(shell $(QEMU_CC) $(QEMU_V6M) -print-file-name=libc.a 2>/dev/null) \
                       $(shell $(QEMU_CC) $(QEMU_V6M) -print-file-name=libm.a 2>/dev/null) \
                       $(shell $(QEMU_CC) $(QEMU_V6M) -print-libgcc-file-name 2>/dev/null) \
                       -Wl,--end-group

QEMU_CMOCKA_DIR   := build/qemu/cmocka-src
QEMU_CMOCKA_TREE  := $(QEMU_CMOCKA_DIR)/tree
QEMU_CMOCKA_STAMP := $(QEMU_CMOCKA_DIR)/.unpacked
# cmocka.c is third-party code: its own warnings are not ours to fix.
QEMU_CMOCKA_FLAGS := -O2 -g -std=gnu99 -ffunction-sections -fdata-sections -w \
                     -include tests/qemu/cmocka_target.h -I$(QEMU_CMOCKA_TREE)/include

ifeq ($(V),1)
QEMU_Q :=
else
QEMU_Q := @
endif

.PHONY: qemu-deps qemu-tests check-qemu

qemu-deps:
	@missing=""; for p in $(QEMU_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "qemu-deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# cmocka's source. `apt-get source` needs a deb-src entry; when there is
# none, add /etc/apt/sources.list.d/cpuser-deb-src.sources (the same file
# tests/tls/mbedtls_src.mk adds): the Types: deb stanzas of debian.sources
# again as Types: deb-src, then apt-get update.
QEMU_APT_SOURCES := /etc/apt/sources.list.d/debian.sources
QEMU_DEBSRC_FILE := /etc/apt/sources.list.d/cpuser-deb-src.sources

$(QEMU_CMOCKA_STAMP): | qemu-deps
	@mkdir -p $(QEMU_CMOCKA_DIR)
	@set -e; SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if ! ls -d $(QEMU_CMOCKA_DIR)/cmocka-*/src/cmocka.c >/dev/null 2>&1; then \
	  if ! apt-get source --print-uris -qq cmocka >/dev/null 2>&1; then \
	    [ -r $(QEMU_APT_SOURCES) ] || { echo "qemu: no deb-src entry and no $(QEMU_APT_SOURCES) to derive one from"; exit 1; }; \
	    echo "qemu: adding $(QEMU_DEBSRC_FILE) (deb-src of $(QEMU_APT_SOURCES)), apt-get update"; \
	    { echo "# Added by cpuser (tests/qemu/qemu.mk): the Types: deb entries of $(QEMU_APT_SOURCES) as deb-src."; \
	      sed -e 's/^Types:.*\bdeb\b.*$$/Types: deb-src/' $(QEMU_APT_SOURCES); } > $(QEMU_CMOCKA_DIR)/deb-src.sources; \
	    $$SUDO cp $(QEMU_CMOCKA_DIR)/deb-src.sources $(QEMU_DEBSRC_FILE); \
	    $$SUDO apt-get update -qq; \
	  fi; \
	  echo "qemu: apt-get source cmocka in $(QEMU_CMOCKA_DIR)"; \
	  ( cd $(QEMU_CMOCKA_DIR) && apt-get source -qq cmocka ) >$(QEMU_CMOCKA_DIR)/apt-source.log 2>&1 \
	    || { cat $(QEMU_CMOCKA_DIR)/apt-source.log; exit 1; }; \
	fi; \
	src=$$(ls -d $(QEMU_CMOCKA_DIR)/cmocka-*/src/cmocka.c | head -n 1); \
	dir=$${src%/src/cmocka.c}; \
	ln -sfn $${dir##*/} $(QEMU_CMOCKA_TREE); \
	touch $@

# $(call qemu_variant,NAME): the rules for build/NAME/: library archive,
# board support, cmocka, one .elf per test.
define qemu_variant
QEMU_FLAGS_$(1) := $$(QEMU_ARCH_$(1)) $$(QEMU_COMMON) $$(QEMU_DEFS_$(1))
QEMU_LIBOBJ_$(1) := $$(QEMU_SRC:src/%.c=build/$(1)/obj/src/%.o)
QEMU_BSPOBJ_$(1) := $$(QEMU_BSP:%=build/$(1)/obj/%.o) build/$(1)/obj/cmocka.o
QEMU_ELF_$(1) := $$(QEMU_TESTS:%=build/$(1)/%.elf)

build/$(1)/obj/src/%.o: src/%.c $$(wildcard include/cpuser/*.h src/*.h) $$(QEMU_MK) | qemu-deps
	@mkdir -p $$(@D)
	@$$(if $$(QEMU_Q),echo '  CC-QEMU $$@')
	$$(QEMU_Q)$$(QEMU_CC) $$(QEMU_FLAGS_$(1)) -c $$< -o $$@

build/$(1)/obj/%.o: tests/qemu/%.c tests/qemu/semihost.h $$(QEMU_MK) | qemu-deps
	@mkdir -p $$(@D)
	@$$(if $$(QEMU_Q),echo '  CC-QEMU $$@')
	$$(QEMU_Q)$$(QEMU_CC) $$(QEMU_FLAGS_$(1)) -c $$< -o $$@

build/$(1)/obj/cmocka.o: $$(QEMU_CMOCKA_STAMP) tests/qemu/cmocka_target.h $$(QEMU_MK) | qemu-deps
	@mkdir -p $$(@D)
	@$$(if $$(QEMU_Q),echo '  CC-QEMU $$@')
	$$(QEMU_Q)$$(QEMU_CC) $$(QEMU_ARCH_$(1)) $$(QEMU_CMOCKA_FLAGS) -c $$(QEMU_CMOCKA_TREE)/src/cmocka.c -o $$@

build/$(1)/libcpuser.a: $$(QEMU_LIBOBJ_$(1))
	$$(QEMU_Q)rm -f $$@ && $$(QEMU_AR) rcs $$@ $$^

# The test sources are the host's, unchanged: they see include/, src/ and
# tests/unit/ as on the host, and cmocka's own header.
build/$(1)/%.elf: tests/unit/%.c build/$(1)/libcpuser.a $$(QEMU_BSPOBJ_$(1)) \
                  tests/qemu/mps2_an386.ld $$(wildcard tests/unit/*.h) | qemu-deps
	@$$(if $$(QEMU_Q),echo '  LD-QEMU $$@')
	$$(QEMU_Q)$$(QEMU_CC) $$(QEMU_FLAGS_$(1)) -Itests/unit -I$$(QEMU_CMOCKA_TREE)/include $$< \
	  $$(QEMU_BSPOBJ_$(1)) build/$(1)/libcpuser.a -o $$@ \
	  $$(QEMU_ARCH_$(1)) $$(QEMU_LDCOMMON) -Wl,-Map=$$(@:.elf=.map) $$(QEMU_LIBS_$(1))

# Named as targets so make keeps them (otherwise they are only pattern-rule
# prerequisites, which make deletes as intermediates).
$$(QEMU_BSPOBJ_$(1)): | qemu-deps
endef

$(foreach v,$(QEMU_VARIANTS),$(eval $(call qemu_variant,$(v))))

QEMU_ELF := $(foreach v,$(QEMU_VARIANTS),$(QEMU_ELF_$(v)))

qemu-tests: $(QEMU_ELF)

# Each image under QEMU, bounded by QEMU_TIMEOUT; stdin from /dev/null so
# QEMU never touches the terminal. tests/run_tests.sh prints each output and
# counts the cmocka summaries; a timeout (124), a fault report (3), a QEMU
# abort or any other non-zero exit without a reported failure counts as one
# failure. Every test runs once per variant.
check-qemu: qemu-tests
	@sh tests/run_tests.sh $(foreach e,$(QEMU_ELF),"$(QEMU_RUN) $(e) </dev/null")
