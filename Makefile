# zswift: the ZeroMQ Swiss-army knife.
#   make demo      install what is missing, build, and run a short live demo over loopback
#   make test      run every test (wrapper, core, black-box binary against pyzmq and JeroMQ peers)
#   make install   install the binary, man page and completions under PREFIX (default /usr/local)
#   make generate  regenerate man/ and completions/ (and README tables) from the flag table
#   make fuzz      run each libFuzzer target (Fuzz/) for FUZZ_SECONDS (default 60) seconds
SWIFT ?= swift
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all setup test-setup build demo test fuzz generate install bench clean

all: build

setup:
	@scripts/setup.sh

test-setup: setup
	@scripts/setup.sh --tests

# The Swift runtime is linked statically: start-up halves (no dynamic loading of the Swift
# libraries), which is most of what a one-shot `echo hi | zswift req ...` costs.
build: setup
	$(SWIFT) build -c release --product zswift --static-swift-stdlib

demo: build
	@scripts/demo.sh .build/release/zswift

test: test-setup
	$(SWIFT) build --build-tests
	$(SWIFT) test

# One target at a time, sanitized (fuzzer + address) in .build/fuzz; corpora in .build/fuzz-corpus.
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_TARGETS)

generate:
	$(SWIFT) build --product zswift
	@scripts/generate.sh .build/debug/zswift

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/zswift $(DESTDIR)$(PREFIX)/bin/zswift
	install -m 644 man/zswift.1 $(DESTDIR)$(PREFIX)/share/man/man1/zswift.1
	install -m 644 completions/zswift.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/zswift
	install -m 644 completions/_zswift $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_zswift
	install -m 644 completions/zswift.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/zswift.fish

# The performance yardstick lives beside the repository (../shared/bench) on the project's machines.
bench: build
	ZSWIFT=.build/release/zswift $(or $(BENCH),../shared/bench/compare.sh)

clean:
	rm -rf .build
