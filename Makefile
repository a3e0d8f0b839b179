# Lodestar: `make run` serves the product on http://127.0.0.1:3000, `make test` runs every test.
# Every target bootstraps what it needs first; each bootstrap step is skipped when present.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.4
WASM_BINDGEN_VERSION := 0.2.130
BINARYEN_VERSION := 132
TOOLS_DIR ?= $(HOME)/.cache/lodestar-tools
export PATH := $(HOME)/.cargo/bin:$(TOOLS_DIR)/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# The same value cargo-leptos sets, so `cargo test --release` reuses its build.
export LEPTOS_OUTPUT_NAME := lodestar

PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export LODESTAR_TEST_PG_URL ?= $(PG_ADMIN_URL)

step = printf '\033[1m==> %s\033[0m\n' "$(1)"
skip = printf '    %s: already there\n' "$(1)"

.PHONY: help run build dev test test-rust test-python python-sdk test-e2e check-bundle bench bootstrap \
        bootstrap-build bootstrap-test postgres clean-test-databases

help:
	@echo "make run        build the release and serve on http://127.0.0.1:3000 (SQLite under ./data)"
	@echo "make test       every test: Rust per package (SQLite + PostgreSQL), bundle checks, Playwright"
	@echo "make dev        cargo leptos watch (rebuild and reload on change)"
	@echo "make bench      benchmarks, written to BENCHMARKS.md"
	@echo "make bootstrap  install the build and test tools (idempotent)"

run: bootstrap-build build
	./target/release/lodestar serve

build: bootstrap-build
	@$(call step,cargo leptos build --release --split)
	cargo leptos build --release --split

dev: bootstrap-build
	cargo leptos watch

bootstrap: bootstrap-build bootstrap-test

bootstrap-build:
	@$(call step,bootstrap: build tools)
	@if rustup target list --installed | grep -qx wasm32-unknown-unknown; then \
	  $(call skip,rust target wasm32-unknown-unknown); \
	else $(call step,rustup target add wasm32-unknown-unknown); rustup target add wasm32-unknown-unknown; fi
	@if cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)"; then \
	  $(call skip,cargo-leptos $(CARGO_LEPTOS_VERSION)); \
	else $(call step,cargo install cargo-leptos $(CARGO_LEPTOS_VERSION) (about 12 minutes once)); \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --force; fi
	@if wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)"; then \
	  $(call skip,wasm-bindgen-cli $(WASM_BINDGEN_VERSION)); \
	else $(call step,cargo install wasm-bindgen-cli $(WASM_BINDGEN_VERSION)); \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi
	@if [ "$$(wasm-opt --version 2>/dev/null | grep -o 'version [0-9]*' | grep -o '[0-9]*' || echo 0)" -ge 123 ]; then \
	  $(call skip,wasm-opt >= 123); \
	else $(call step,npm install binaryen@$(BINARYEN_VERSION) into $(TOOLS_DIR)); \
	  mkdir -p $(TOOLS_DIR); npm install --no-audit --no-fund --prefix $(TOOLS_DIR) binaryen@$(BINARYEN_VERSION); fi

bootstrap-test:
	@$(call step,bootstrap: test tools)
	@if [ -x /usr/bin/chromium ]; then $(call skip,chromium); \
	else $(call step,apt-get install chromium); \
	  if [ "$$(id -u)" -ne 0 ]; then echo "Install Chromium as root: apt-get install -y chromium"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi
	@if [ -d end2end/node_modules/@playwright/test ]; then $(call skip,end2end node modules); \
	else $(call step,npm ci in end2end); (cd end2end && npm ci --no-audit --no-fund); fi

# PostgreSQL must be up: the suites fail, never skip, without it.
postgres:
	@$(call step,PostgreSQL on 127.0.0.1:5432)
	@if pg_isready -q -h 127.0.0.1 -p 5432; then $(call skip,PostgreSQL running); \
	elif command -v pg_ctlcluster >/dev/null; then \
	  echo "    starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL suite cannot run."; exit 1; }

# Databases a crashed test run left behind.
clean-test-databases: postgres
	@psql "$(PG_ADMIN_URL)" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'lodestar\_test\_%'" \
	  | while read -r db; do psql "$(PG_ADMIN_URL)" -qc "DROP DATABASE IF EXISTS \"$$db\" WITH (FORCE)"; done

test: bootstrap postgres clean-test-databases build test-rust test-python check-bundle test-e2e
	@$(call step,all tests passed)

# The server-side packages in one run, never --workspace (that would build app with ssr and
# hydrate at once). Together they resolve the same features as the server build, so release
# mode reuses every dependency `make build` compiled.
test-rust:
	@$(call step,cargo test -p migration -p app -p server)
	cargo test --release -p migration -p app -p server --features app/ssr

# The browser bundle must not link server-only crates, and must stay small.
check-bundle:
	@$(call step,wasm bundle: no server crates, size)
	@for crate in sea-orm sqlx tokio argon2 axum leptos_axum; do \
	  if cargo tree -p frontend --target wasm32-unknown-unknown -e normal -i $$crate 2>/dev/null | grep -q "^$$crate v"; then \
	    echo "the wasm build links $$crate:"; cargo tree -p frontend --target wasm32-unknown-unknown -e normal -i $$crate; exit 1; fi; \
	done; echo "    no server-only crate in the wasm build (sea-orm, sqlx, tokio, argon2, axum, leptos_axum)"
	@size=$$(gzip -9c target/site/pkg/lodestar.wasm | wc -c); \
	  echo "    lodestar.wasm: $$(stat -c %s target/site/pkg/lodestar.wasm) bytes, $$size gzipped (limit 358400)"; \
	  for chunk in target/site/pkg/split_*.wasm; do \
	    [ -e "$$chunk" ] && echo "    lazy chunk $$(basename $$chunk): $$(gzip -9c $$chunk | wc -c) gzipped"; \
	  done; \
	  [ $$size -lt 358400 ]

# The Python SDK and its CLI against the release binary (a venv under TOOLS_DIR, made once).
test-python: python-sdk
	@$(call step,pytest sdk/python against target/release/lodestar)
	LODESTAR_TOOLS_DIR=$(TOOLS_DIR) bash sdk/python/run-tests.sh

python-sdk:
	@LODESTAR_TOOLS_DIR=$(TOOLS_DIR) bash sdk/python/run-tests.sh --install-only

# The journeys drive the Python CLI too (`lodestar init`, installed by python-sdk).
test-e2e: python-sdk
	@$(call step,Playwright on $$(/usr/bin/chromium --version))
	cd end2end && LODESTAR_TOOLS_DIR=$(TOOLS_DIR) npx playwright test

# Measures the release build on this machine and rewrites BENCHMARKS.md: server memory and the
# wasm bundle, then ingest through lodestar-bench on SQLite and PostgreSQL (each on a fresh
# database of its own). Later issues add the search benchmarks here.
BENCH_PORT ?= 3190
bench: build postgres
	@$(call step,benchmarks: server memory, wasm bundle)
	@dir=$$(mktemp -d); url=http://127.0.0.1:$(BENCH_PORT); \
	LODESTAR_DATA_DIR=$$dir LODESTAR_ADDR=127.0.0.1:$(BENCH_PORT) LODESTAR_LOG=warn ./target/release/lodestar serve & pid=$$!; \
	for i in $$(seq 1 100); do curl -sf $$url/health >/dev/null && break; sleep 0.1; done; \
	sleep 5; idle=$$(awk '/VmRSS/{print $$2}' /proc/$$pid/status); \
	for i in $$(seq 1 500); do curl -sf -o /dev/null $$url/; curl -sf -o /dev/null $$url/health; done; \
	busy=$$(awk '/VmHWM/{print $$2}' /proc/$$pid/status); \
	kill -TERM $$pid; wait $$pid || true; rm -rf $$dir; \
	wasm=$$(stat -c %s target/site/pkg/lodestar.wasm); gz=$$(gzip -9c target/site/pkg/lodestar.wasm | wc -c); \
	{ echo "# Benchmarks"; echo; \
	  echo "Written by \`make bench\` on $$(date -u +%Y-%m-%d). Machine: $$(nproc) cores ($$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $$(free -g | awk '/Mem:/{print $$2}') GiB RAM, $$(uname -sr)."; echo; \
	  echo "| what | measured | target (DESIGN.md §7) |"; echo "| --- | --- | --- |"; \
	  echo "| server memory, idle (RSS 5 s after start, SQLite) | $$(( idle / 1024 )) MiB | < 40 MB |"; \
	  echo "| server memory, peak after 1,000 page and health requests (VmHWM) | $$(( busy / 1024 )) MiB | < 250 MB at peak ingest |"; \
	  echo "| wasm bundle (release, wasm-opt): what every page loads | $$wasm bytes, $$gz gzipped | < 350 KB gzipped |"; \
	  echo "| lazy route chunks, loaded when their page is visited | $$(for c in target/site/pkg/split_*.wasm; do n=$$(basename $$c .wasm | sed 's/^split___//; s/_route_view_.*//'); printf '%s %s B, ' $$n $$(gzip -9c $$c | wc -c); done | sed 's/, $$//') gzipped | |"; \
	  echo; echo "Then per engine: ingest, queries on 10M generated lines, and the live view's latency (\`lodestar-bench\`; see docs/development.md)."; \
	} > BENCHMARKS.md
	@$(call step,benchmarks: ingest on SQLite then PostgreSQL (lodestar-bench))
	cargo build --release -p server --bin lodestar-bench
	./target/release/lodestar-bench --server target/release/lodestar --engine sqlite --markdown-out BENCHMARKS.md
	@$(call step,benchmarks: ingest on SQLite with the pattern miner off, to compare)
	LODESTAR_PATTERNS=off ./target/release/lodestar-bench --server target/release/lodestar --engine sqlite --ingest-only --markdown-out BENCHMARKS.md
	./target/release/lodestar-bench --server target/release/lodestar --engine postgres --markdown-out BENCHMARKS.md
	@cat BENCHMARKS.md
