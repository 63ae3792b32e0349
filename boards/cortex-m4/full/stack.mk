# boards/cortex-m4/full/stack.mk: `make firmware-stack`, included by
# boards/cortex-m4/firmware.mk (which defines FW_*). See there.
#
#   build/lwip-src/     Debian's lwIP source package (apt-get source lwip),
#                       with the deb-src entry tests/tls/mbedtls_src.mk adds;
#                       build/lwip-src/tree links to the unpacked directory
#   build/firmware/stack/
#     lwip/liblwip.a    lwIP core + IPv4 + Ethernet, full/lwipopts.h
#     mbedtls/libmbedtls_small.a
#                       every mbedTLS source with the small-RAM config
#                       (tests/tls/mbedtls_src.mk's template), seen through
#                       full/mbedtls/cpuser_mbedtls_config.h
#     stack.elf, .map   the image; the bill is printed and written to
#                       build/firmware-stack.json
#
# Like mbedtls-small, the source lists are known only after unpacking, so
# firmware-stack re-enters make once both trees are there.

ifndef MBEDTLS_SRC_STAMP
include tests/tls/mbedtls_src.mk
endif

FW_STK_OUT   := $(FW_OUT)/stack
FW_STK_JSON  := build/firmware-stack.json
FW_STK_PKGS  := $(FW_ARM_PKGS) dpkg-dev
FW_LWIP_DIR  := build/lwip-src
FW_LWIP_TREE := $(FW_LWIP_DIR)/tree
FW_LWIP_STAMP := $(FW_LWIP_DIR)/.unpacked
FW_M4        := -mcpu=cortex-m4 -mthumb
FW_STK_MBEDTLS_CFLAGS := $(FW_M4) -Os -ffunction-sections -fdata-sections --specs=nano.specs \
                         -I$(FW_DIR)/full/mbedtls

lwip-src: $(FW_LWIP_STAMP)

# The deb-src entry and dpkg-dev come with the mbedTLS source step.
$(FW_LWIP_STAMP): $(MBEDTLS_SRC_STAMP)
	@mkdir -p $(FW_LWIP_DIR)
	@set -e; \
	tree=$$(ls -d $(FW_LWIP_DIR)/lwip-*/src/core/tcp.c 2>/dev/null | head -n 1); \
	if [ -z "$$tree" ]; then \
	  echo "lwip-src: apt-get source lwip in $(FW_LWIP_DIR)"; \
	  ( cd $(FW_LWIP_DIR) && apt-get source -qq lwip ) >$(FW_LWIP_DIR)/apt-source.log 2>&1 \
	    || { cat $(FW_LWIP_DIR)/apt-source.log; exit 1; }; \
	  tree=$$(ls -d $(FW_LWIP_DIR)/lwip-*/src/core/tcp.c 2>/dev/null | head -n 1); \
	  [ -n "$$tree" ] || { echo "lwip-src: no lwip-*/src after apt-get source"; exit 1; }; \
	fi; \
	dir=$${tree%/src/core/tcp.c}; \
	ln -sfn $${dir##*/} $(FW_LWIP_TREE); \
	echo "lwip-src: $(FW_LWIP_TREE) -> $${dir##*/}"; \
	touch $@

firmware-stack-deps:
	$(call fw_need,$(FW_STK_PKGS))

firmware-stack: firmware-stack-deps
	@$(MAKE) --no-print-directory -f $(FW_TOP) $(MBEDTLS_SRC_STAMP) $(FW_LWIP_STAMP)
	@$(MAKE) --no-print-directory -f $(FW_TOP) firmware-stack-image

# ---- lwIP ------------------------------------------------------------------------
# The core (with IPv4, TCP, UDP, DNS, DHCP; the raw API), Ethernet/ARP, and
# api/err.c. The sockets and netconn files are not compiled: NO_SYS 1 has
# neither. lwIP's warnings are its own: no -Werror here.
FW_LWIP_SRCS := $(wildcard $(FW_LWIP_TREE)/src/core/*.c $(FW_LWIP_TREE)/src/core/ipv4/*.c) \
                $(if $(wildcard $(FW_LWIP_TREE)/src/core/tcp.c),$(FW_LWIP_TREE)/src/netif/ethernet.c)
FW_LWIP_INC  := -I$(FW_DIR)/full -isystem $(FW_LWIP_TREE)/src/include
FW_LWIP_HDRS := $(FW_DIR)/full/lwipopts.h $(FW_DIR)/full/arch/cc.h
FW_LWIP_OBJS := $(FW_LWIP_SRCS:$(FW_LWIP_TREE)/src/%.c=$(FW_STK_OUT)/lwip/obj/%.o)

$(FW_STK_OUT)/lwip/obj/%.o: $(FW_LWIP_TREE)/src/%.c $(FW_LWIP_HDRS) $(FW_LWIP_STAMP)
	@mkdir -p $(@D)
	@$(if $(FW_Q),echo '  CC-lwip $@')
	$(FW_Q)$(FW_ARM_CC) $(FW_M4) -Os -std=gnu99 -ffunction-sections -fdata-sections \
	  --specs=nano.specs $(FW_LWIP_INC) -c $< -o $@

$(FW_STK_OUT)/lwip/liblwip.a: $(FW_LWIP_OBJS)
	@rm -f $@
	$(FW_Q)$(FW_ARM_AR) rcs $@ $^

# ---- mbedTLS: the shared template, Cortex-M4 flags -------------------------------
FW_MBEDTLS_LIB := $(FW_STK_OUT)/mbedtls/libmbedtls_small.a
ifneq ($(MBS_LIB_SRC),)
$(eval $(call mbedtls_small_lib,$(FW_STK_OUT)/mbedtls,$(FW_ARM_CC),$(FW_STK_MBEDTLS_CFLAGS),$(FW_ARM_AR)))
# The template knows the shared config; these objects also see ours.
$(patsubst $(MBEDTLS_TREE)/library/%.c,$(FW_STK_OUT)/mbedtls/obj/%.o,$(MBS_LIB_SRC)): \
  $(FW_DIR)/full/mbedtls/cpuser_mbedtls_config.h
endif

# ---- cpuser's TLS port, the shim, the board, the app -------------------------------
FW_STK_INC := $(FW_M4) $(FW_CFLAGS) -I$(FW_DIR) $(FW_LWIP_INC) -I$(FW_DIR)/full/mbedtls \
              -isystem $(MBEDTLS_TREE)/include $(MBEDTLS_SMALL_DEFS)
FW_STK_BOARD := app_stack board lwip_raw

$(FW_STK_OUT)/obj/tls.o: port/mbedtls/tls.c $(FW_HDRS) $(MBEDTLS_SMALL_CONFIG) \
                         $(FW_DIR)/full/mbedtls/cpuser_mbedtls_config.h $(MBEDTLS_SRC_STAMP)
	@mkdir -p $(@D)
	@$(if $(FW_Q),echo '  CC-cm4  $@')
	$(FW_Q)$(FW_ARM_CC) $(FW_STK_INC) -c $< -o $@

$(FW_STK_OUT)/obj/%.o: $(FW_DIR)/full/%.c $(FW_HDRS) $(wildcard $(FW_DIR)/full/*.h) $(FW_LWIP_HDRS) \
                       $(FW_DIR)/full/mbedtls/cpuser_mbedtls_config.h $(FW_LWIP_STAMP)
	@mkdir -p $(@D)
	@$(if $(FW_Q),echo '  CC-cm4  $@')
	$(FW_Q)$(FW_ARM_CC) $(FW_STK_INC) -c $< -o $@

FW_STK_OBJS := $(FW_OUT)/cm4/obj/board/startup.o $(FW_OUT)/cm4/obj/board/all_ops.o \
               $(FW_STK_BOARD:%=$(FW_STK_OUT)/obj/%.o) $(FW_STK_OUT)/obj/tls.o

$(FW_STK_OUT)/stack.elf: $(FW_STK_OBJS) $(FW_OUT)/cm4/libcpuser.a $(FW_STK_OUT)/lwip/liblwip.a \
                         $(FW_MBEDTLS_LIB) $(FW_DIR)/cortex-m.ld
	@$(if $(FW_Q),echo '  LD-cm4  $@')
	$(FW_Q)$(FW_ARM_CC) $(FW_M4) $(FW_LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(FW_STK_OBJS) \
	  $(FW_OUT)/cm4/libcpuser.a $(FW_STK_OUT)/lwip/liblwip.a $(FW_MBEDTLS_LIB) -o $@

firmware-stack-image: $(FW_STK_OUT)/stack.elf $(FW_DIR)/size_table.py
	@python3 $(FW_DIR)/size_table.py --tool arm-none-eabi --json $(FW_STK_JSON) \
	  --stack $(FW_STK_OUT)/stack.elf \
	  --cpu "cm4=Cortex-M4 full stack: every users operation over mbedTLS (small-RAM config) over lwIP (NO_SYS 1, raw API)"
