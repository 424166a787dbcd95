# Orderly: the two set-up commands are `make run` and `make test`; each
# installs what is missing (scripts/bootstrap), builds, and does its job.

PRESET ?= release
BUILD_DIR := build/$(PRESET)
ARGS ?=

.PHONY: all bootstrap build run test test-unit test-e2e test-web test-cluster test-ops image screenshots test-asan bench format clean fuzz fuzz-test fuzz-long

all: build

bootstrap:
	@scripts/bootstrap

# Configures on first use; the binary is linked at build/orderly.
build: bootstrap
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)
	@cmake --build $(BUILD_DIR)
	@ln -sfn $(PRESET)/src/orderly build/orderly

# The embedded platform on 0.0.0.0:8080 (API and the storefront) and 127.0.0.1:9090 (metrics), data in ./data.
run: build
	@echo "orderly: the storefront is at http://localhost:8080/ (the admin panel at http://localhost:8080/#/admin)"
	build/orderly serve $(ARGS)

# Every suite: unit tests and end-to-end tests against the real binary.
test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j2 --timeout 300
	@$(MAKE) --no-print-directory fuzz-test

# libFuzzer targets (fuzz/README.md): build, run each for 15 s, or one longer
# (its arguments, dictionary and corpus directories, are in build/fuzz/fuzz/TARGET.args).
fuzz: bootstrap
	@test -f build/fuzz/build.ninja || cmake --preset fuzz
	@cmake --build build/fuzz

fuzz-test: fuzz
	@ctest --test-dir build/fuzz --output-on-failure -L fuzz

TARGET ?= request_framing
SECONDS ?= 600
fuzz-long: fuzz
	nice -n 19 build/fuzz/fuzz/$(TARGET)_fuzz -max_total_time=$(SECONDS) $$(cat build/fuzz/fuzz/$(TARGET).args)

test-unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit

test-e2e: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e

# The browser suites alone (tests/web: Debian's chromium, playwright-core).
test-web: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L web

# The scale-out cluster suites alone (scripts/cluster up per suite).
test-cluster: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L cluster

# The operations checks alone: OpenAPI (lint, route contract, answers),
# Prometheus rules and their unit tests, Alertmanager, the live rule-metric
# scrape, Kubernetes manifests, yamllint, shellcheck.
test-ops: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L 'ops|openapi'

# The container image: pack build/orderly with podman and smoke-test it (size printed).
image: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -V -L image >$(BUILD_DIR)/image.log 2>&1; status=$$?; \
	  grep -E '^[0-9]+: image:|tests passed|tests failed' $(BUILD_DIR)/image.log; exit $$status

# The pages as the browser suites saw them (desktop and 375 px), into docs/screenshots/.
screenshots: test-web
	@mkdir -p docs/screenshots
	@cp $(BUILD_DIR)/web-screenshots/*.png docs/screenshots/
	@echo "screenshots: $$(ls $(BUILD_DIR)/web-screenshots/*.png | wc -l) files in docs/screenshots/"

# The same suites under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# Micro-benchmarks, then the side-by-side HTTP benchmark against nginx
# (see bench/README.md); each prints its figures.
bench: build
	@$(BUILD_DIR)/bench/orderly_benchmarks --benchmark_min_time=0.2
	@bench/http_plaintext.sh
	@bench/proxy.sh
	@bench/catalog.sh
	@bench/orders.sh
	@bench/login.sh
	@bench/store.sh
	@bench/broker.sh

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
