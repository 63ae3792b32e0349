# boards/linux/board.mk: the Linux board, included by the main Makefile.
#
#   make build/cpuser     the cpuser CLI
#   make demo             a user lifecycle over TLS against the simulator, then
#                         the client's RAM and heap figures (boards/linux/demo.sh)
#   make check-cli        tests/cli/test_cli.py, test_cli_resources.py, test_cli_azure.py
#                         and test_cli_contasimples.py: the CLI end to end (http and TLS)
#
# The CLI is built with its own limits (boards/linux/cpuser_config.h), which
# size arrays inside cpuser_client; so it compiles the library sources itself
# with that config, into build/linux/obj/, instead of linking build/*.a (built
# with the defaults: a struct-size mismatch would not even be a link error).
#
# build/linux/cpuser-heapcount is the same program linked for the heap audit:
# every malloc/calloc/realloc/free/strdup/strndup reference of the statically
# linked cpuser and CLI objects is wrapped (-Wl,--wrap=...) and counted, and
# mbedTLS is linked statically from copies of Debian's libmbed*.a whose
# calloc/free references are renamed (objcopy --redefine-sym) to counters of
# their own, so its allocations are counted separately and exactly.

LINUX_DIR     := boards/linux
LINUX_OUT     := build/linux
LINUX_CC      ?= gcc
LINUX_WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
LINUX_CFLAGS  := -std=c99 $(LINUX_WARN) -O2 -g -Iinclude -I$(LINUX_DIR) \
                 -DCPUSER_CONFIG_FILE='"cpuser_config.h"'
LINUX_LIBS    := -lmbedtls -lmbedx509 -lmbedcrypto
LINUX_MBEDTLS_LIBDIR ?= /usr/lib/$(shell $(LINUX_CC) -print-multiarch 2>/dev/null)

LINUX_LIB_SRC := $(wildcard src/*.c) $(wildcard port/posix/*.c) $(wildcard port/mbedtls/*.c)
LINUX_APP_SRC := $(filter-out $(LINUX_DIR)/heapcount.c,$(wildcard $(LINUX_DIR)/*.c))
LINUX_LIB_OBJ := $(LINUX_LIB_SRC:%.c=$(LINUX_OUT)/obj/%.o)
LINUX_APP_OBJ := $(LINUX_APP_SRC:%.c=$(LINUX_OUT)/obj/%.o)
LINUX_HEAP_OBJ := $(LINUX_OUT)/obj/$(LINUX_DIR)/heapcount.o
LINUX_HEADERS := $(wildcard include/cpuser/*.h src/*.h $(LINUX_DIR)/*.h)
LINUX_MBEDTLS_COPIES := $(addprefix $(LINUX_OUT)/heap/,libmbedtls.a libmbedx509.a libmbedcrypto.a)
LINUX_HEAP_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup

# Keep the main Makefile's default goal: this file defines targets.
LINUX_SAVED_GOAL := $(.DEFAULT_GOAL)

.PHONY: demo check-cli

$(LINUX_OUT)/obj/%.o: %.c $(LINUX_HEADERS)
	@mkdir -p $(dir $@)
	@echo '  CC      $@'
	@$(LINUX_CC) $(LINUX_CFLAGS) -Isrc -c $< -o $@

build/cpuser: $(LINUX_APP_OBJ) $(LINUX_LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo '  LD      $@'
	@$(LINUX_CC) -o $@ $^ $(LINUX_LIBS)

# mbedTLS copies whose heap references go to heapcount.c's counters.
$(LINUX_OUT)/heap/%.a: $(LINUX_MBEDTLS_LIBDIR)/%.a
	@mkdir -p $(dir $@)
	@echo '  OBJCOPY $@'
	@objcopy --redefine-sym calloc=cpuser_heapcount_mbedtls_calloc \
	         --redefine-sym free=cpuser_heapcount_mbedtls_free \
	         --redefine-sym malloc=cpuser_heapcount_mbedtls_malloc \
	         --redefine-sym realloc=cpuser_heapcount_mbedtls_realloc $< $@

$(LINUX_OUT)/cpuser-heapcount: $(LINUX_APP_OBJ) $(LINUX_LIB_OBJ) $(LINUX_HEAP_OBJ) $(LINUX_MBEDTLS_COPIES)
	@echo '  LD      $@'
	@$(LINUX_CC) -o $@ $(LINUX_APP_OBJ) $(LINUX_LIB_OBJ) $(LINUX_HEAP_OBJ) $(LINUX_HEAP_WRAP) \
	  $(LINUX_MBEDTLS_COPIES) -lpthread

demo: deps
	@$(MAKE) --no-print-directory -s build/cpuser $(LINUX_OUT)/cpuser-heapcount
	@sh $(LINUX_DIR)/demo.sh

check-cli: build/cpuser
	python3 tests/cli/test_cli.py
	python3 tests/cli/test_cli_resources.py
	python3 tests/cli/test_cli_azure.py
	python3 tests/cli/test_cli_contasimples.py

.DEFAULT_GOAL := $(LINUX_SAVED_GOAL)
