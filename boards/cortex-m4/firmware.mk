# boards/cortex-m4/firmware.mk: the embedded size images, a make fragment
# included by the main Makefile (include boards/cortex-m4/firmware.mk). It
# needs nothing from the Makefile (make -f boards/cortex-m4/firmware.mk
# firmware works on its own) and does not change the default goal.
#
#   make firmware        Cortex-M4 and Cortex-M0+ bare-metal images
#                        (arm-none-eabi-gcc -Os, newlib-nano, --gc-sections,
#                        startup and linker script of this directory):
#                          empty  the startup and an empty main
#                          read   cpuser_client_init + cpuser_users_read
#                          all    every function of ampeco_users.h
#                        over a canned transport (stubs.c). Prints the size
#                        table (per cpuser object as linked, per image, each
#                        image minus empty), writes build/firmware.json, and
#                        fails if any image holds malloc & co.
#   make riscv           src/ for rv32imc (riscv64-unknown-elf-gcc
#                        -march=rv32imc -mabi=ilp32 -Os, picolibc): object
#                        sizes, and the same three images linked with
#                        picolibc's crt0; writes build/riscv.json.
#   make firmware-stack  the "all" app over TLS (mbedTLS, small-RAM config)
#                        over TCP (lwIP NO_SYS=1, raw API, through the shim
#                        full/lwip_raw.c), both built for Cortex-M4 from
#                        Debian's source packages under build/; prints the
#                        bill (cpuser, lwIP, mbedTLS, the rest) and writes
#                        build/firmware-stack.json. It links; it is not run.
#
# Each target installs its Debian packages when missing (dpkg-query, then
# apt-get, as `make deps` does). V=1 shows the commands.

FW_SAVED_GOAL := $(.DEFAULT_GOAL)
FW_TOP := $(firstword $(MAKEFILE_LIST))

FW_DIR   := boards/cortex-m4
FW_OUT   := build/firmware
FW_JSON  := build/firmware.json
FW_WARN  := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
FW_SRC   := $(wildcard src/*.c)
FW_HDRS  := $(wildcard include/cpuser/*.h src/*.h)
ifeq ($(V),1)
FW_Q :=
else
FW_Q := @
endif

# $(call fw_need,PACKAGES): install the Debian packages that are missing.
define fw_need
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: firmware firmware-deps firmware-images riscv riscv-deps riscv-images \
        firmware-stack firmware-stack-deps firmware-stack-image lwip-src

# ---- Cortex-M: the three images per CPU --------------------------------------
FW_ARM_CC   := arm-none-eabi-gcc
FW_ARM_AR   := arm-none-eabi-ar
FW_ARM_PKGS := gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi python3
FW_CFLAGS   := -mthumb -Os -std=c99 $(FW_WARN) -ffunction-sections -fdata-sections \
               --specs=nano.specs -Iinclude -idirafter /usr/include
FW_LDFLAGS  := -mthumb --specs=nano.specs -nostartfiles -Wl,--gc-sections \
               -T $(FW_DIR)/cortex-m.ld
FW_CPUS     := cm4 cm0plus
FW_MCPU_cm4     := -mcpu=cortex-m4
FW_MCPU_cm0plus := -mcpu=cortex-m0plus
FW_IMAGES   := empty read all
FW_OBJS_empty := startup app_empty
FW_OBJS_read  := startup app_read stubs
FW_OBJS_all   := startup app_all all_ops stubs

# $(call fw_cpu,CPU): the library and the images for one CPU under
# build/firmware/CPU/: obj/src/*.o (src/ as is), libcpuser.a, obj/board/*.o
# (this directory), and {empty,read,all}.elf with their .map.
define fw_cpu
$(FW_OUT)/$(1)/obj/src/%.o: src/%.c $(FW_HDRS)
	@mkdir -p $$(@D)
	@$$(if $(FW_Q),echo '  CC-$(1)  $$@')
	$(FW_Q)$(FW_ARM_CC) $(FW_MCPU_$(1)) $(FW_CFLAGS) -Isrc -c $$< -o $$@

$(FW_OUT)/$(1)/obj/board/%.o: $(FW_DIR)/%.c $(FW_HDRS) $(wildcard $(FW_DIR)/*.h)
	@mkdir -p $$(@D)
	@$$(if $(FW_Q),echo '  CC-$(1)  $$@')
	$(FW_Q)$(FW_ARM_CC) $(FW_MCPU_$(1)) $(FW_CFLAGS) $$(FW_XFLAGS) -I$(FW_DIR) -c $$< -o $$@

# The reset handler's copy and zero loops stay loops: GCC would otherwise
# turn them into memcpy/memset calls and the empty image would carry
# newlib's, hiding them from the "minus empty" figures.
$(FW_OUT)/$(1)/obj/board/startup.o: FW_XFLAGS := -fno-tree-loop-distribute-patterns

$(FW_OUT)/$(1)/libcpuser.a: $(FW_SRC:src/%.c=$(FW_OUT)/$(1)/obj/src/%.o)
	@rm -f $$@
	$(FW_Q)$(FW_ARM_AR) rcs $$@ $$^

$(foreach img,$(FW_IMAGES),$(call fw_image,$(1),$(img)))
endef

define fw_image
$(FW_OUT)/$(1)/$(2).elf: $(FW_OBJS_$(2):%=$(FW_OUT)/$(1)/obj/board/%.o) $(FW_OUT)/$(1)/libcpuser.a $(FW_DIR)/cortex-m.ld
	@$$(if $(FW_Q),echo '  LD-$(1)  $$@')
	$(FW_Q)$(FW_ARM_CC) $(FW_MCPU_$(1)) $(FW_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) \
	  $(FW_OBJS_$(2):%=$(FW_OUT)/$(1)/obj/board/%.o) $(FW_OUT)/$(1)/libcpuser.a -o $$@

endef

$(foreach cpu,$(FW_CPUS),$(eval $(call fw_cpu,$(cpu))))

FW_ELFS := $(foreach cpu,$(FW_CPUS),$(FW_IMAGES:%=$(FW_OUT)/$(cpu)/%.elf))

firmware-deps:
	$(call fw_need,$(FW_ARM_PKGS))

# Packages first, then the images in a make that starts after them.
firmware: firmware-deps
	@$(MAKE) --no-print-directory -f $(FW_TOP) firmware-images

firmware-images: $(FW_ELFS) $(FW_DIR)/size_table.py
	@python3 $(FW_DIR)/size_table.py --tool arm-none-eabi --json $(FW_JSON) \
	  --cpu "cm4=Cortex-M4 (-mcpu=cortex-m4 -mthumb -Os, newlib-nano, --gc-sections)" \
	  --cpu "cm0plus=Cortex-M0+ (-mcpu=cortex-m0plus -mthumb -Os, newlib-nano, --gc-sections)" \
	  $(FW_OUT)

# ---- RISC-V rv32imc ------------------------------------------------------------
# The same sources and apps; the images use picolibc's crt0 and linker
# script (picolibc.specs) instead of startup.c / cortex-m.ld, which are
# Cortex-M only. Object sizes are the figure the issue asks for; the images
# show what gc-sections keeps.
FW_RV_CC    := riscv64-unknown-elf-gcc
FW_RV_AR    := riscv64-unknown-elf-ar
FW_RV_PKGS  := gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf python3
FW_RV_OUT   := $(FW_OUT)/rv32imc
FW_RV_JSON  := build/riscv.json
FW_RV_CFLAGS := -march=rv32imc -mabi=ilp32 -Os -std=c99 $(FW_WARN) -ffunction-sections \
                -fdata-sections --specs=picolibc.specs -Iinclude -idirafter /usr/include
FW_RV_LDFLAGS := -march=rv32imc -mabi=ilp32 --specs=picolibc.specs -Wl,--gc-sections \
                 -Wl,--defsym=__flash=0x20000000 -Wl,--defsym=__flash_size=0x100000 \
                 -Wl,--defsym=__ram=0x80000000 -Wl,--defsym=__ram_size=0x40000 \
                 -Wl,--defsym=__stack_size=0x1000
FW_RV_OBJS_empty := app_empty
FW_RV_OBJS_read  := app_read stubs
FW_RV_OBJS_all   := app_all all_ops stubs

$(FW_RV_OUT)/obj/src/%.o: src/%.c $(FW_HDRS)
	@mkdir -p $(@D)
	@$(if $(FW_Q),echo '  CC-rv32 $@')
	$(FW_Q)$(FW_RV_CC) $(FW_RV_CFLAGS) -Isrc -c $< -o $@

$(FW_RV_OUT)/obj/board/%.o: $(FW_DIR)/%.c $(FW_HDRS) $(wildcard $(FW_DIR)/*.h)
	@mkdir -p $(@D)
	@$(if $(FW_Q),echo '  CC-rv32 $@')
	$(FW_Q)$(FW_RV_CC) $(FW_RV_CFLAGS) -I$(FW_DIR) -c $< -o $@

$(FW_RV_OUT)/libcpuser.a: $(FW_SRC:src/%.c=$(FW_RV_OUT)/obj/src/%.o)
	@rm -f $@
	$(FW_Q)$(FW_RV_AR) rcs $@ $^

define fw_rv_image
$(FW_RV_OUT)/$(1).elf: $(FW_RV_OBJS_$(1):%=$(FW_RV_OUT)/obj/board/%.o) $(FW_RV_OUT)/libcpuser.a
	@$$(if $(FW_Q),echo '  LD-rv32 $$@')
	$(FW_Q)$(FW_RV_CC) $(FW_RV_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) \
	  $(FW_RV_OBJS_$(1):%=$(FW_RV_OUT)/obj/board/%.o) $(FW_RV_OUT)/libcpuser.a -o $$@

endef
$(foreach img,$(FW_IMAGES),$(eval $(call fw_rv_image,$(img))))

riscv-deps:
	$(call fw_need,$(FW_RV_PKGS))

riscv: riscv-deps
	@$(MAKE) --no-print-directory -f $(FW_TOP) riscv-images

riscv-images: $(FW_RV_OUT)/libcpuser.a $(FW_IMAGES:%=$(FW_RV_OUT)/%.elf) $(FW_DIR)/size_table.py
	@echo "rv32imc -Os objects (riscv64-unknown-elf-size):"
	@riscv64-unknown-elf-size -t $(FW_SRC:src/%.c=$(FW_RV_OUT)/obj/src/%.o) | sed 's|$(FW_RV_OUT)/obj/src/||'
	@python3 $(FW_DIR)/size_table.py --tool riscv64-unknown-elf --json $(FW_RV_JSON) \
	  --cpu "rv32imc=RISC-V rv32imc (-march=rv32imc -mabi=ilp32 -Os, picolibc, --gc-sections)" \
	  $(FW_OUT)

include $(FW_DIR)/full/stack.mk

.DEFAULT_GOAL := $(FW_SAVED_GOAL)
