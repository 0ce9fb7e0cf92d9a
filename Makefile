# kinpipe: build, test, benchmark, install.
#
#   make            build every tool into bin/
#   make check      install missing dependencies, then unit + end-to-end
#                   tests, then the same again under ASan + UBSan
#   make demo       the whole notebook as a pipeline, locally
#   make bench      throughput figures as ratios against floors
#   make install / uninstall   (PREFIX, DESTDIR)
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man/man1
MANDIR7  = $(PREFIX)/share/man/man7

CC   ?= cc
OPT  ?= -O2 -g
SAN  ?=
# B is where objects go, BIN where the tools go; the sanitizer pass of
# `make check` points both elsewhere so the two builds never mix.
B    ?= build/release
BIN  ?= bin

PKGS     = jansson libcurl libmicrohttpd sqlite3 libsodium libxml-2.0 nettle \
           libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) -Icommon $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LDLIBS  = -Wl,--as-needed $(PKG_LIBS) -lm -lpthread

TOOLS      = $(sort $(basename $(notdir $(wildcard tools/*.c))))
TOOL_BINS  = $(TOOLS:%=$(BIN)/%)
COMMON_OBJ = $(patsubst common/%.c,$(B)/common/%.o,$(wildcard common/*/*.c))
LIB        = $(B)/libkinpipe.a
UNIT_BINS  = $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: tsan all check test unit e2e deps demo bench install uninstall clean fuzz fuzz-kpl fuzz-evs
all: $(TOOL_BINS)

$(B)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BIN)/%: $(B)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(B)/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -MMD -MP -c -o $@ $<

$(B)/unit/%: $(B)/unit/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CHECK_LIBS) $(LDLIBS)

-include $(wildcard $(B)/*/*.d $(B)/common/*/*.d)

deps:
	@sh mk/deps.sh

# Unit suites, then end-to-end tests, for one build (B, BIN).
test: $(TOOL_BINS) $(UNIT_BINS)
	@$(MAKE) --no-print-directory unit e2e

unit: $(UNIT_BINS)
	@sh mk/run-unit.sh $(UNIT_BINS)

e2e: $(TOOL_BINS)
	@KP_BIN=$(abspath $(BIN)) sh tests/e2e/run.sh

SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check: deps
	@sh mk/layers.sh
	@$(MAKE) --no-print-directory test
	@echo "== again under AddressSanitizer + UndefinedBehaviorSanitizer"
	@KP_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory test B=build/san BIN=build/san/bin OPT="-O1 -g" SAN="$(SANITIZE)"
	@echo "== the threaded tools again under ThreadSanitizer"
	@$(MAKE) --no-print-directory tsan

# The tools that share a backlog among threads, and the crew itself, under
# ThreadSanitizer: a data race is a failure (halt_on_error), not a line.
TSAN_TOOLS = json-project ts-parse window-avg
tsan:
	@$(MAKE) --no-print-directory B=build/tsan BIN=build/tsan/bin OPT="-O1 -g" \
	  SAN="-fsanitize=thread" build/tsan/unit/test_par $(TSAN_TOOLS:%=build/tsan/bin/%)
	@TSAN_OPTIONS=halt_on_error=1 sh mk/run-unit.sh build/tsan/unit/test_par
	@TSAN_OPTIONS=halt_on_error=1 KP_BIN=$(abspath build/tsan/bin) sh tests/e2e/run.sh test-threads.sh

demo: deps all
	@sh examples/demo.sh

bench: deps all
	@sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(MANDIR7)
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR7)

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(MANDIR)/%.1) \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR7)/%,$(wildcard man/*.7))

clean:
	rm -rf build bin

# libFuzzer run of rec against jansson (tests/fuzz/README).
FUZZ_SECONDS ?= 300
fuzz:
	@mkdir -p build/fuzz/corpus
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon \
	  tests/fuzz/fuzz_rec.c common/json/rec.c common/base/eb.c common/base/sb.c -ljansson -o build/fuzz/fuzz_rec
	cp tests/corpus/json/valid/* tests/corpus/json/invalid/* build/fuzz/corpus/
	cd build/fuzz && ./fuzz_rec -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=../../tests/fuzz/json.dict corpus

# libFuzzer run of the KPL aggregate decoder (tests/fuzz/README).
KPL_FUZZ_SRC = tests/fuzz/fuzz_kpl.c common/kinesis/kin_kpl.c \
  common/kinesis/kin_kpl_pack.c common/kinesis/kin_env.c common/json/rec.c \
  common/json/jx.c common/json/jx_double.c common/json/jx_float.c \
  common/time/tm.c common/base/sb.c common/base/eb.c
fuzz-kpl:
	@mkdir -p build/fuzz/corpus-kpl
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon \
	  $(KPL_FUZZ_SRC) -ljansson -lcrypto -lm -o build/fuzz/fuzz_kpl
	cp tests/corpus/kpl/* build/fuzz/corpus-kpl/
	cd build/fuzz && ./fuzz_kpl -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus-kpl

# libFuzzer run of the event-stream decoder against its own oracle.
fuzz-evs:
	@mkdir -p build/fuzz/corpus-evs
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon \
	  tests/fuzz/fuzz_evs.c common/kinesis/kin_evs.c common/base/sb.c common/base/eb.c \
	  -lz -o build/fuzz/fuzz_evs
	cp tests/corpus/evs/* build/fuzz/corpus-evs/
	cd build/fuzz && ./fuzz_evs -max_total_time=$(FUZZ_SECONDS) -max_len=8192 corpus-evs
