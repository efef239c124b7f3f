# test/fuzz/fuzz.mk - run by build.sh, which passes TOP, OUT, CC, CORE_SRCS,
# TARGETS, FZ_CPPFLAGS, FZ_SAN and FZ_LIBS.  Not meant to be run by hand.

COMMON_CFLAGS = -g -O1 -fsanitize=fuzzer-no-link $(FZ_SAN) $(FZ_CPPFLAGS) -MMD -MP
# The core's warnings are its own build's business (gcc, -Werror there):
# a clang-only warning in src/ must not stop the fuzzers from building.
CORE_CFLAGS = $(COMMON_CFLAGS) -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers
FUZZ_CFLAGS = $(COMMON_CFLAGS) -Wall -Wextra -Werror
# support.c replaces apr_palloc, which libapr calls through its PLT
FUZZ_LDFLAGS = -Wl,--export-dynamic-symbol=apr_palloc \
	-Wl,--export-dynamic-symbol=apr_pcalloc

OBJ = $(OUT)/obj
CORE_OBJS = $(patsubst %.c,$(OBJ)/%.o,$(CORE_SRCS))
SUPPORT_OBJS = $(OBJ)/test/fuzz/support.o
BINS = $(patsubst %,$(OUT)/fuzz_%,$(TARGETS)) $(OUT)/make_seeds

all: $(BINS)

# a change of compiler or flags rebuilds everything
$(OBJ)/flags: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(CC) $(CORE_CFLAGS) $(FUZZ_CFLAGS) $(FZ_LIBS)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(CORE_OBJS): $(OBJ)/%.o: $(TOP)/%.c $(OBJ)/flags
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(OBJ)/test/fuzz/%.o: $(TOP)/test/fuzz/%.c $(OBJ)/flags
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -c $< -o $@

$(OUT)/fuzz_%: $(OBJ)/test/fuzz/fuzz_%.o $(SUPPORT_OBJS) $(CORE_OBJS)
	$(CC) -fsanitize=fuzzer $(FZ_SAN) $(FUZZ_LDFLAGS) -o $@ $^ $(FZ_LIBS)

# the seed generator: a plain program over the same objects
$(OUT)/make_seeds: $(OBJ)/test/fuzz/make_seeds.o $(CORE_OBJS)
	$(CC) -fsanitize=fuzzer-no-link $(FZ_SAN) -o $@ $^ $(FZ_LIBS)

FORCE:
.PHONY: all FORCE
.SECONDARY:

-include $(CORE_OBJS:.o=.d) $(wildcard $(OBJ)/test/fuzz/*.d)
