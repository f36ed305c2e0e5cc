# The two commands a user needs: `make run` and `make test`.
# Both install missing Debian packages, configure and build (Release) first.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: all deps configure build run test clean sanitize install deb

all: build

deps:
	@bash scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The main job (scripts/run-main): verify, Table 1 and the theorem, into results/.
run: build
	@bash scripts/run-main $(BUILD)

# The whole suite, after a short fuzz run of every reader (TEST_FUZZ_SECONDS
# each; `make fuzz` is the longer run). The fuzz run goes first so that the
# suite's summary stays the last thing printed.
TEST_FUZZ_SECONDS ?= 10

test: build
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Install under PREFIX (headers, static libraries, the command, the CMake
# package and barriers.pc; docs/install.md), or build a .deb of the same.
PREFIX ?= /usr/local

install: build
	@cmake --install $(BUILD) --prefix "$(PREFIX)"

deb: build
	@cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer in its
# own tree (Release flags plus -fsanitize); tests/CMakeLists.txt sets the
# sanitizer options and BARRIERS_SANITIZE_PROFILE=1 (slow tests shrink).
SANITIZE_BUILD ?= build-sanitize

sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Release -DBARRIERS_SANITIZE=ON > /dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	@cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS)

# Fuzz every data reader with libFuzzer + ASan + UBSan (clang; docs/robustness.md):
# builds fuzz/ in $(FUZZ_BUILD) and runs each target for FUZZ_SECONDS.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 30

.PHONY: fuzz
fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DBARRIERS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	@bash fuzz/run-fuzzers $(FUZZ_BUILD)/fuzz $(FUZZ_SECONDS)
