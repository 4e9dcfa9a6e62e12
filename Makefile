# The two commands of the README: `make chapter` and `make test`. Each installs what it needs.
SWIFT ?= swift
APT_PACKAGES = libcmark-dev libopenblas-dev libmimalloc-dev gnuplot-nox libjs-katex libjs-codemirror libzmq3-dev libssl-dev pkg-config
TEST_PACKAGES = chromium chromium-driver python3-venv nodejs

.PHONY: chapter serve test deps test-deps build build-bench bench bench-serve clean

# The runner: a debug build, as its own work (parse, weave, serve) takes milliseconds; the
# chapters it runs link against the release D2LSwift (see `build`).
RUNNER = .build/debug/d2l-run

## Runs the chapter and writes Output/rnn-scratch.html (plus .ipynb and figure files).
chapter: deps build
	$(RUNNER) Chapters/rnn-scratch.md

## Serves the chapter in the browser: prints the address to open.
serve: deps build
	$(RUNNER) serve Chapters/rnn-scratch.md

## Builds the tests (debug, on top of `build`) and runs the suite; chapter tests run `make build`'s runner.
# The tests are XCTest; Swift Testing is off so the run ends on XCTest's own count instead of
# an empty "0 tests" line from the second runner.
test: deps test-deps build
	$(SWIFT) test --disable-swift-testing
	$(MAKE) fuzz

## Fuzzes the chapter parser (libFuzzer) for FUZZ_SECONDS (60); fails on any crash, printing its input.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh

## Trains the chapter's model outside the notebook and prints speed figures.
bench: deps build-bench
	.build/release/d2l-bench --epochs 100

## Times d2l-run serve: start-up and five edited runs of an exercise.
bench-serve: deps build build-bench
	.build/release/d2l-bench --serve Chapters/rnn-scratch.md --runner $(RUNNER)

## Builds what `make chapter` runs: the library chapter programs link against, optimised (the
## only part whose speed the reader feels), and the runner in debug (minutes less to build:
## swift-syntax, SwiftNIO and Hummingbird are not optimised). `make test` builds the rest in
## debug on top of the same build.
build:
	$(SWIFT) build -c release --product D2LSwift
	$(SWIFT) build --product d2l-run

build-bench:
	$(SWIFT) build -c release --product d2l-bench

# Installs the Debian packages in $(1) that are missing (apt-get as root).
apt_install = missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

deps:
	@$(call apt_install,$(APT_PACKAGES))

test-deps:
	@$(call apt_install,$(TEST_PACKAGES))

clean:
	rm -rf .build Output/*.html Output/*.ipynb Output/*.svg Output/*.dat Output/*.gp Output/katex Output/.cache
