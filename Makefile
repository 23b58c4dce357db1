# Tracejoin: `make run` starts the daemon on config/, `make test` runs every test.
SWIFT ?= swift
PYTHON ?= python3
BIN_RELEASE := .build/release/tracejoin
BIN_DEBUG := .build/debug/tracejoin

.PHONY: run demo test test-swift test-e2e bench protos build release deps e2e-deps apt-install python-deps clean fuzz fuzz-build test-sanitize

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

# Write a small traced workload to the running daemon and show the joined traces.
demo:
	@test -x $(BIN_RELEASE) || $(MAKE) release
	$(BIN_RELEASE) demo --config config

test: test-swift test-e2e

test-swift: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# End-to-end tests start the real binary (TRACEJOIN_BIN) on temporary config directories.
test-e2e: e2e-deps python-deps
	$(SWIFT) build
	TRACEJOIN_BIN=$(CURDIR)/$(BIN_DEBUG) $(PYTHON) -m pytest -q Tests/EndToEnd

# Each measurement beside its reference in the same run (docs/benchmarks.md): the parser against
# a C loop over PCRE2 JIT; the index against the C SQLite row inserter and `zstd -1` (sealed
# blocks in segment files, then in the database); the daemon end to end; latency; span intake;
# the idle daemon following 1,000 files against `tail -F`.
bench: release
	@command -v syslog-ng >/dev/null || [ -x /usr/sbin/syslog-ng ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syslog-ng-core)
	$(BIN_RELEASE) bench --lines 1000000 --rounds 5
	$(BIN_RELEASE) bench-index --lines 1000000 --spans 100000 --queries 500
	$(BIN_RELEASE) bench-index --lines 1000000 --spans 100000 --queries 200 --store database --no-compare
	$(PYTHON) Benchmarks/ingest.py --lines 1000000
	$(PYTHON) Benchmarks/latency.py --rate 10000 --seconds 10
	$(PYTHON) Benchmarks/intake.py
	@command -v clickhouse-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server)
	$(PYTHON) Benchmarks/export.py --lines 1000000
	$(PYTHON) Benchmarks/idle.py --files 1000 --seconds 30

# Coverage-guided fuzzing (docs/reliability.md): the fuzz executable built with AddressSanitizer
# and libFuzzer's coverage in a build directory of its own, then every target for FUZZ_SECONDS
# from its seed corpus (Fuzz/corpus/). SwiftPM links an executable's main to the module's entry
# point, so libFuzzer's driver comes from its no-main runtime and is started by the target.
FUZZ_SECONDS ?= 60
FUZZER_RUNTIME = $(shell find $(dir $(shell readlink -f $$(command -v swiftc)))../lib/clang -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
fuzz-build: deps
	$(SWIFT) build --build-path .build-fuzz --product tracejoin-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=address \
	  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xlinker $(FUZZER_RUNTIME) -Xlinker -lstdc++
fuzz: fuzz-build
	$(PYTHON) Fuzz/run.py .build-fuzz/debug/tracejoin-fuzz $(FUZZ_SECONDS)

# The unit tests under AddressSanitizer (with LeakSanitizer; Tests/lsan-suppressions.txt names
# the dependencies' leaks), then under ThreadSanitizer, each in a build directory of its own.
# UndefinedBehaviorSanitizer: swiftc refuses -sanitize=undefined on Linux; Swift's own checks
# (overflow, bounds, unwrapping: on in these debug builds) cover what it would check in Swift.
test-sanitize: deps
	$(SWIFT) build --build-tests --build-path .build-asan --sanitize=address
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt:print_suppressions=1 \
	  $(SWIFT) test --skip-build --build-path .build-asan --sanitize=address
	$(SWIFT) build --build-tests --build-path .build-tsan --sanitize=thread
	$(SWIFT) test --skip-build --build-path .build-tsan --sanitize=thread

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
	rm -rf .build var
