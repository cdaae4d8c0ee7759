# Makefile — builds the evisa library, the `evisa` command, the unit tests,
# the fuzz targets and the benchmarks.  Plain GNU make; dependencies come
# from Debian packages found with pkg-config (zint has no .pc file).
#
#   make            release build in build/
#   make asan       AddressSanitizer + UBSan build in build-asan/
#   make test       everything the README's test command runs
#   make fuzz       libFuzzer targets (clang) in build-fuzz/
#   make valgrind   the unit tests under valgrind (memcheck)
#   make bench      benchmarks (bench/)
#   make format     clang-format every source file

BUILD    ?= build
CC       ?= cc
PKGS     := libcrypto jansson libpng libdmtx libjpeg libmicrohttpd sqlite3 libargon2 liboath \
            cairo pangocairo libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lzint -lpthread -lm

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Werror
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL  = -std=c17 -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) $(HARDEN) $(SAN) \
              -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now $(SAN) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/icao/*.c src/crypto/*.c src/render/*.c src/visa/*.c \
              src/store/*.c src/web/*.c src/auth/*.c src/signer/*.c src/notify/*.c \
              src/util/*.c src/verify/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz-*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
# The CLI's shared parts (everything but main.c), for fuzz targets of its parsers.
CLI_PARTS := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJ))
LIB      := $(BUILD)/libevisa.a
# Test tools (e.g. image generators for upload tests).
TOOLS    := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all asan fuzz bench test format tidy valgrind clean

all: $(BUILD)/evisa $(BUILD)/unit-tests $(BUILD)/fuzz-replay.stamp $(TOOLS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/evisa: $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD)/unit-tests: $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJ) $(LIB) $(PKG_LIBS)

# Fuzz targets built as plain programs that replay a corpus (fuzz/replay.c):
# the normal test run uses these, so no clang is needed to replay.
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: fuzz/%.c fuzz/replay.c $(CLI_PARTS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< fuzz/replay.c $(CLI_PARTS) $(LIB) $(PKG_LIBS)
$(BUILD)/fuzz-replay.stamp: $(FUZZ_REPLAY)
	@touch $@

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  HARDEN="-fPIE" SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all

# Real libFuzzer binaries (clang): make fuzz; then e.g.
#   build-fuzz/fuzz/fuzz-vds -max_total_time=60 fuzz/corpus/vds
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" HARDEN="-fPIE" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" build-fuzz/libevisa.a \
	  $(CLI_SRC:%.c=build-fuzz/%.o)
	@mkdir -p build-fuzz/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -std=c17 -D_POSIX_C_SOURCE=200809L -O1 -g -Isrc $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o build-fuzz/fuzz/$$n $$f \
	    $(filter-out build-fuzz/src/cli/main.o,$(CLI_SRC:%.c=build-fuzz/%.o)) build-fuzz/libevisa.a \
	    $(PKG_LIBS) || exit 1; done

BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

bench: $(BUILD)/evisa $(BENCH_BIN)
	scripts/bench

test:
	scripts/test

valgrind: $(BUILD)/unit-tests
	EVISA_SHARED=$${EVISA_SHARED:-../shared} valgrind --error-exitcode=1 --leak-check=full \
	  --errors-for-leak-kinds=definite $(BUILD)/unit-tests

format:
	clang-format -i $$(find src tests fuzz bench -name '*.[ch]')

tidy:
	clang-tidy $(LIB_SRC) $(CLI_SRC) -- -std=c17 -Isrc $(PKG_CFLAGS)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
