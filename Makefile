# Tracejoin: `make run` starts the daemon on config/, `make test` runs every test.
SWIFT ?= swift
PYTHON ?= python3
BIN_RELEASE := .build/release/tracejoin
# Benchmarks and workload generators: an executable of their own, not part of the product.
BENCH_RELEASE := .build/release/tracejoin-bench

.PHONY: run demo test test-swift test-e2e bench protos build release deps e2e-deps apt-install python-deps clean fuzz fuzz-build fuzz-long fuzz-merge test-sanitize test-tsan tsan-build soak screenshots package

# No test runs with the Swift runtime's crash handler: after a trap under the sanitizers it can
# hang instead of ending the process (docs/reliability.md). Tests see a crash as an exit.
test-swift test-e2e test-tsan fuzz fuzz-long fuzz-merge soak: export SWIFT_BACKTRACE := enable=no

# System libraries the build links against (Debian package names); the end-to-end tests also
# start a headless browser (the web view is tested in chromium through Selenium).
DEB_PACKAGES := libpcre2-dev libsqlite3-dev libzstd-dev zstd pkg-config
# (chromium-driver provides chromedriver); the exporter's tests start clickhouse-server themselves.
E2E_DEB_PACKAGES := chromium chromium-driver clickhouse-server

deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(DEB_PACKAGES)"

e2e-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(DEB_PACKAGES) $(E2E_DEB_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
	fi

python-deps:
	$(PYTHON) -m pip install -q -r Tests/EndToEnd/requirements.txt

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Build and run the daemon in the foreground on the example configuration.
# In a second terminal: `make demo`.
run: release
	$(BIN_RELEASE) serve --config config

# The Debian package tracejoin_VERSION_ARCH.deb at the repository root (docs/packaging.md): a
# release build in .build-package/ with the Swift runtime linked statically, the configuration
# in /etc/tracejoin, the systemd unit, the tracejoin user. VERSION= overrides the version from
# `git describe`. `bash packaging/test-package.sh` (as root) installs, runs and purges it.
package: deps
	SWIFT=$(SWIFT) bash packaging/build-deb.sh

# Write a small traced workload to the running daemon and show the joined traces.
demo:
	@test -x $(BIN_RELEASE) || $(MAKE) release
	$(BIN_RELEASE) demo --config config

test: test-swift test-e2e

test-swift: deps
	@if grep -rln '@testable' Sources; then echo "Sources must not use @testable imports: the release build (make run) cannot compile them"; exit 1; fi
	$(SWIFT) build --build-tests $(ASAN_BUILD)
	$(LSAN_ENV) $(SWIFT) test --skip-build $(ASAN_BUILD)

# End-to-end tests start the real binary (TRACEJOIN_BIN) on temporary config directories: the
# AddressSanitizer build's, so that a memory error anywhere in the daemon under the real clients
# fails the test that caused it. One pytest worker per core (pytest-xdist; E2E_JOBS overrides):
# every test has its own directories, sockets and ports.
E2E_JOBS ?= auto
test-e2e: e2e-deps python-deps
	$(SWIFT) build --build-tests $(ASAN_BUILD)
	$(LSAN_ENV) TRACEJOIN_BIN=$(CURDIR)/$(ASAN_DIR)/debug/tracejoin $(PYTHON) -m pytest -q -n $(E2E_JOBS) --dist worksteal Tests/EndToEnd

# The web view's pictures in docs/images, taken by the browser test on the demo workload
# (Tests/EndToEnd/test_web_view.py writes them as demo-*.png).
screenshots: release e2e-deps python-deps
	TRACEJOIN_BIN=$(CURDIR)/$(BIN_RELEASE) TRACEJOIN_SCREENSHOTS=$(CURDIR)/docs/images-new $(PYTHON) -m pytest -q \
		Tests/EndToEnd/test_web_view.py -k demo_workload
	for f in docs/images-new/demo-*.png; do mv "$$f" docs/images/; done
	rm -rf docs/images-new

# Each measurement beside its reference in the same run (docs/benchmarks.md): the parser against
# a C loop over PCRE2 JIT; the index against the C SQLite row inserter and `zstd -1` (sealed
# blocks in segment files, then in the database); the daemon end to end; latency; span intake;
# the idle daemon following 1,000 files against `tail -F`.
bench: release
	@command -v syslog-ng >/dev/null || [ -x /usr/sbin/syslog-ng ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syslog-ng-core)
	$(BENCH_RELEASE) bench --lines 1000000 --rounds 5
	$(BENCH_RELEASE) bench-index --lines 1000000 --spans 100000 --queries 500
	$(BENCH_RELEASE) bench-index --lines 1000000 --spans 100000 --queries 200 --store database --no-compare
	$(PYTHON) Benchmarks/ingest.py --lines 1000000
	$(PYTHON) Benchmarks/container.py --lines 1000000
	$(PYTHON) Benchmarks/latency.py --rate 10000 --seconds 10
	$(PYTHON) Benchmarks/intake.py
	@command -v clickhouse-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server)
	$(PYTHON) Benchmarks/export.py --lines 1000000
	$(PYTHON) Benchmarks/fleet.py --lines 10000000 --spans 1000000 --queries 1000
	$(PYTHON) Benchmarks/idle.py --files 1000 --seconds 30

# The soak run (docs/reliability.md): the release daemon for SOAK_MINUTES (default 30) at a steady
# mixed load (5k lines/s over 20 rotating files, 2k spans/s over every intake protocol, a query
# every 100 ms, a rule edit every 2 minutes); writes docs/images/soak.png and prints the verdict.
SOAK_MINUTES ?= 30
soak: release python-deps
	$(PYTHON) Benchmarks/soak.py --minutes $(SOAK_MINUTES)

# One AddressSanitizer build (.build-asan/) serves `make test` (unit and end-to-end tests) and the
# fuzzer (docs/reliability.md): the code is built once with AddressSanitizer (LeakSanitizer at exit)
# and libFuzzer's coverage instrumentation. SwiftPM links an executable's main to the module's
# entry point, so libFuzzer's driver comes from its no-main runtime and is started by the fuzz
# executable (-D FUZZING). Leaks in dependencies are suppressed by name (Tests/lsan-suppressions.txt).
# UndefinedBehaviorSanitizer: swiftc refuses -sanitize=undefined on Linux; Swift's own checks
# (overflow, bounds, unwrapping: on in these debug builds) cover what it would check in Swift.
ASAN_DIR := .build-asan
FUZZER_RUNTIME = $(shell find $(dir $(shell readlink -f $$(command -v swiftc)))../lib/clang -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
ASAN_BUILD = --build-path $(ASAN_DIR) -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xswiftc -DFUZZING -Xlinker $(FUZZER_RUNTIME) -Xlinker -lstdc++
LSAN_ENV = LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt:print_suppressions=0

# Coverage-guided fuzzing: every target for FUZZ_SECONDS (default 60) from its seed corpus
# (Fuzz/corpus/); each finding is printed with its input and the first frames of its stack.
# Built as `make test` builds (with the tests' -enable-testing), so after it this is a no-op
# rather than a rebuild of the modules a product build compiles differently.
fuzz-build: deps
	$(SWIFT) build --build-tests $(ASAN_BUILD)
fuzz: fuzz-build
	$(PYTHON) Fuzz/run.py $(ASAN_DIR)/debug/tracejoin-fuzz $(or $(FUZZ_SECONDS),60)

# Long runs (FUZZ_SECONDS per target, default 600): the corpus each run grows is kept in
# .build-fuzz/corpus/ for the next; `make fuzz-merge` minimizes what adds coverage into Fuzz/corpus/.
fuzz-long: fuzz-build
	$(PYTHON) Fuzz/run.py $(ASAN_DIR)/debug/tracejoin-fuzz $(or $(FUZZ_SECONDS),600) --work .build-fuzz
fuzz-merge: fuzz-build
	$(PYTHON) Fuzz/run.py $(ASAN_DIR)/debug/tracejoin-fuzz 0 --work .build-fuzz --merge

# The unit tests under ThreadSanitizer, in a build directory of its own (`make test` runs them
# under AddressSanitizer); `make test-sanitize` runs both. Reports go to files that are printed
# after the run, so that they end the output (a CI log is read from its end); the one known false
# report of Swift's runtime is suppressed by name (Tests/tsan-suppressions.txt).
TSAN_DIR := .build-tsan
TSAN_LOG = $(CURDIR)/$(TSAN_DIR)/tsan-report
TSAN_ENV = TSAN_OPTIONS=suppressions=$(CURDIR)/Tests/tsan-suppressions.txt:history_size=7:log_path=$(TSAN_LOG)
tsan-build: deps
	$(SWIFT) build --build-tests --build-path $(TSAN_DIR) --sanitize=thread
test-tsan: tsan-build
	@rm -f $(TSAN_LOG).*
	@$(TSAN_ENV) $(SWIFT) test --skip-build --build-path $(TSAN_DIR) --sanitize=thread; rc=$$?; \
	for f in $(TSAN_LOG).*; do [ -f "$$f" ] || continue; echo "--- $$f"; cat "$$f"; \
	  if grep -q 'WARNING: ThreadSanitizer' "$$f"; then rc=1; fi; done; \
	exit $$rc
test-sanitize: test-swift test-tsan

# Regenerates the OTLP message code from Protos/ (needs protobuf-compiler; builds protoc-gen-swift
# from the swift-protobuf version Package.swift names). The generated file is committed.
# The generated code is committed: CI never builds the plugins. Both are built from one
# checkout of grpc-swift-protobuf (protoc-gen-swift comes from its swift-protobuf dependency).
PROTOC_PLUGINS := .build-protoc/.build/release
protos:
	@command -v protoc >/dev/null || apt-get install -y -qq protobuf-compiler
	rm -rf .build-protoc && git clone -q --depth 1 --branch 2.4.1 https://github.com/grpc/grpc-swift-protobuf.git .build-protoc
	cd .build-protoc && $(SWIFT) build -c release --product protoc-gen-grpc-swift-2 && $(SWIFT) build -c release --product protoc-gen-swift
	protoc --plugin=protoc-gen-swift=$(PROTOC_PLUGINS)/protoc-gen-swift --swift_out=Sources/Intake/OTLP \
	  --swift_opt=Visibility=Package -I Protos Protos/otlp_trace.proto Protos/otlp_logs.proto Protos/otlp_metrics.proto
	protoc --plugin=protoc-gen-grpc-swift-2=$(PROTOC_PLUGINS)/protoc-gen-grpc-swift-2 --grpc-swift-2_out=Sources/IntakeGRPC/Generated \
	  --grpc-swift-2_opt=Visibility=Internal,Server=true,Client=true,ProtoPathModuleMappings=Protos/module_mappings.asciipb \
	  -I Protos Protos/collector_trace_service.proto Protos/collector_logs_service.proto Protos/collector_metrics_service.proto

clean:
	rm -rf .build .build-asan .build-tsan var
