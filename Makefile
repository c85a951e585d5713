# libsac: the two commands of the README, and their parts.
#
#   make demo   build libsac.so (release, Swift runtime linked statically) and train the C demo
#   make test   the whole test suite: Swift unit, ABI and learning tests (release), the ABI check
#               of the built library, and the C demo as a smoke test
#   make bench  sac-bench (gradient updates per second, act latency)

SWIFT          ?= swift
CC             ?= cc
CXX            ?= c++
RELEASE_DIR    := .build/release
LIB            := $(RELEASE_DIR)/libsac.so
# Tests run in release (training is 10-50x slower in debug) from their own build folder: the
# library build links the Swift runtime statically, which the test bundle must not.
TEST_SCRATCH   := .build-test
C_BUILD        := .build/c
DEMO           := $(C_BUILD)/train_pendulum
APT_PACKAGES   := libjson-c-dev pkg-config locales
# A locale with a comma decimal separator: the JSON tests prove saved bytes do not depend on it.
TEST_LOCALE    := de_DE.UTF-8

.PHONY: all deps test-locale lib demo demo-build test test-swift test-abi test-c bench clean

all: lib

# Installs missing Debian packages (needs root or sudo); a no-op when everything is present.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Generates the comma-decimal test locale when it is missing (needs root or sudo).
test-locale: deps
	@locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$$' || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "generating the $(TEST_LOCALE) locale"; \
		$$SUDO localedef -i de_DE -f UTF-8 $(TEST_LOCALE); }

lib: deps
	$(SWIFT) build -c release -Xswiftc -static-stdlib --product sac
	ln -sf libsac.so $(RELEASE_DIR)/libsac.so.0

$(DEMO): bindings/c/examples/train_pendulum.c include/sac.h lib
	@mkdir -p $(C_BUILD)
	$(CC) -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Iinclude $< -o $@ \
		-L$(RELEASE_DIR) -lsac -lm -Wl,-rpath,'$$ORIGIN/../release'

demo-build: $(DEMO)

demo: demo-build
	$(DEMO)

test: test-swift test-abi test-c
	@echo "make test: all suites passed"

test-swift: deps test-locale
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests --scratch-path $(TEST_SCRATCH)
	SAC_REQUIRE_LOCALE=1 $(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --scratch-path $(TEST_SCRATCH)

test-abi: lib
	bash bindings/c/tests/check_abi.sh $(LIB)

# The demo, briefly: proves the released .so links and trains from plain C.
test-c: demo-build
	$(DEMO) 600 1 > $(C_BUILD)/demo-smoke.log || [ $$? = 1 ]
	grep -q "final evaluation" $(C_BUILD)/demo-smoke.log

bench: deps
	$(SWIFT) build -c release --product sac-bench
	$(RELEASE_DIR)/sac-bench

clean:
	rm -rf .build $(TEST_SCRATCH)
