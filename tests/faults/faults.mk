# Fault injection: tests/faults/test_faults.c drives the library over the
# POSIX port against tests/faults/fault_server.py (started by the test).
# Included from the Makefile after its own rules, so $(BUILD), $(CFLAGS),
# $(LIB), $(POSIX_LIB) and the sanitizer flags are those of this build
# (build/tests/test_faults, build/clang-san1/tests/test_faults, ...).

FAULT_TEST_SRC := tests/faults/test_faults.c
FAULT_TEST_BIN := $(BUILD)/tests/test_faults

$(FAULT_TEST_BIN): $(FAULT_TEST_SRC) $(LIB) $(POSIX_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) -Isrc -Itests/unit $< -o $@ $(LDFLAGS) $(POSIX_LIB) $(LIB) $(TEST_LIBS)

.PHONY: faults run-faults
faults: $(FAULT_TEST_BIN)

run-faults: $(FAULT_TEST_BIN)
	sh tests/run_tests.sh $(FAULT_TEST_BIN)
