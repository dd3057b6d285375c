# The commands a new user types. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build test test-unit test-sanitize test-devcloud demo bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: the normal build, then the suites that parse untrusted input
# (qcow2 images, hostile ones included; store paths) again under
# AddressSanitizer and UndefinedBehaviorSanitizer.
test: test-unit test-sanitize

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON

test-sanitize: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target qcow2_tests target_tests cairn-img
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L '^(qcow2|target)$$' --no-tests=error

# The tests against the devcloud, a real single-node OpenStack (docs/devcloud.md), in
# their own build directory: configure with CAIRN_DEVCLOUD_TESTS=ON, then ctest -L devcloud.
# Needs root. Set DEVCLOUD_KEEP=1 to leave the cloud running afterwards.
DEVCLOUD_BUILD ?= build-devcloud
test-devcloud: deps
	cmake -S . -B $(DEVCLOUD_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_DEVCLOUD_TESTS=ON
	cd $(DEVCLOUD_BUILD) && ctest -L devcloud --output-on-failure -V

# The main job: for now, cairn-img's self-demonstration.
demo: build
	scripts/demo.sh $(BUILD)

bench: build
	bench/convert_bench.sh $(BUILD)
	bench/datamover_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
