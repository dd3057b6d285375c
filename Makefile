# The commands a new user types. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps configure build test test-phases test-devcloud-all-phases test-unit test-sanitize test-devcloud test-devcloud-all devcloud-packages demo demo-datamover down bench clean

all: build

# Each step of a test run goes through scripts/test-phase.sh, which records its wall time and
# exit status in $(SUMMARY); the ctest steps also write their results there (JUnit XML, with
# the output of passed and skipped tests too, for the skip reasons). `make test` and
# `make test-devcloud-all` print them at the end (scripts/test-summary.py), also when a step
# failed; the run still fails as before.
SUMMARY     := $(abspath $(BUILD))/test-summary
PHASE        = scripts/test-phase.sh $(SUMMARY)
CTEST_RESULTS = --output-junit $(SUMMARY)/$(1).xml --test-output-size-passed 65536 --test-output-truncation middle
# run-with-summary(<title>,<phases>,<make goals>): a fresh summary, the goals, the summary, make's status.
define run-with-summary
@rm -rf $(SUMMARY) && mkdir -p $(SUMMARY) && date +%s > $(SUMMARY)/started; \
status=0; $(MAKE) --no-print-directory $(3) || status=$$?; \
python3 scripts/test-summary.py $(SUMMARY) "$(1)" $(2) || cat $(SUMMARY)/phases.tsv; \
exit $$status
endef

deps:
	@$(PHASE) deps scripts/install-deps.sh

# build/ registers the devcloud tests too (CAIRN_DEVCLOUD_TESTS=ON); `make test-unit`
# leaves them out. Configuring an existing build directory again takes a second.
configure:
	@$(PHASE) configure cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_DEVCLOUD_TESTS=ON >/dev/null

build: deps configure
	@$(PHASE) build cmake --build $(BUILD) -j $(JOBS)

# Every test: the unit and component suites on the normal build; the suites that parse
# untrusted input (qcow2 images, hostile ones included; store paths; API requests) again under
# AddressSanitizer and UndefinedBehaviorSanitizer; then the devcloud core cases, against a
# real single-node OpenStack that the run brings up itself (needs root). What CI runs.
test:
	$(call run-with-summary,make test,deps configure build unit-tests sanitize-configure sanitize-build sanitize-tests devcloud-tests,test-phases)

test-phases: devcloud-packages test-unit test-sanitize test-devcloud

# The devcloud's Debian packages (minutes of apt on a fresh machine) install in the
# background while the build and the first suites run; devcloud/up installs whatever is
# still missing itself, waiting for apt's lock (scripts/apt-install.sh).
devcloud-packages: deps
	@mkdir -p $(BUILD)
	@echo "devcloud packages: installing in the background, log in $(BUILD)/devcloud-packages.log"
	@nohup devcloud/lib/packages.sh > $(BUILD)/devcloud-packages.log 2>&1 < /dev/null &

test-unit: build
	@$(PHASE) unit-tests ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE devcloud $(call CTEST_RESULTS,unit-tests)

# The sanitizer build: Debug (asserts on) at -O1 with line tables, as the sanitizers' authors
# advise for speed (at -O0 the malformed-request corpus alone took 150 s); the reports keep
# their file:line stacks. Only the suites below and cairn-img are built.
$(ASAN_BUILD)/build.ninja:
	@$(PHASE) sanitize-configure cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1"

test-sanitize: deps $(ASAN_BUILD)/build.ninja
	@$(PHASE) sanitize-build cmake --build $(ASAN_BUILD) -j $(JOBS) --target qcow2_tests target_tests api_tests api_v1_tests rpc_tests cairn-img
	@$(PHASE) sanitize-tests ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L '^(qcow2|target|api|api_v1|rpc)$$' --no-tests=error $(call CTEST_RESULTS,sanitize-tests)

# The tests against the devcloud (docs/devcloud.md): ctest -L devcloud, one at a time;
# the ctest fixture brings the cloud up first and down afterwards. Needs root.
# Set DEVCLOUD_KEEP=1 to leave the cloud running afterwards.
test-devcloud: build
	@$(PHASE) devcloud-tests ctest --test-dir $(BUILD) -L devcloud -E '$(DEVCLOUD_LONG)' --output-on-failure -V $(call CTEST_RESULTS,devcloud-tests)

# The longest devcloud tests (about 9 minutes together: a resize back and forth, killed
# processes, the smoke test, the client layer's server life cycle, a cancel and a vanishing
# VM) stay out of `make test` so the CI run stays well under its hour; what they cover is
# also reached by tests that do run: the engine's workflow tests against the fake cloud
# (tests/engine: cancel at every step, a VM gone, a takeover, a VM that moved host) and
# the engine and CLI devcloud cases. `make test-devcloud-all` runs every devcloud test.
DEVCLOUD_LONG := ^(devcloud_smoke|EngineDevcloudTest\.NovaResizesAProtectedVmBackAndForth|EngineDevcloudTest\.CancelAndAVanishingVmLeaveNothingBehind|ProcessesDevcloudTest\..*|NovaServerDevcloudTest\.ServerLifecycleWithPortAndVolume)$$

test-devcloud-all:
	$(call run-with-summary,make test-devcloud-all,deps configure build devcloud-tests-all,test-devcloud-all-phases)

test-devcloud-all-phases: build
	@$(PHASE) devcloud-tests-all ctest --test-dir $(BUILD) -L devcloud --output-on-failure -V $(call CTEST_RESULTS,devcloud-tests-all)

# The main job (scripts/demo.sh, needs root): the devcloud and cairn-aio on the embedded
# defaults; two VMs protected, a full and an incremental snapshot, the database lost and
# imported back from the target, the VMs deleted and restored in one click, their data
# checked; a summary. The stack stays up: `make down` stops it.
demo: build
	scripts/demo.sh $(BUILD)

# cairn-img and cairn-datamover on a local disk, without a cloud (a minute, no root).
demo-datamover: build
	scripts/demo-datamover.sh $(BUILD)

# Stops what `make demo` left running: cairn-aio, then the devcloud.
down:
	@d=$${CAIRN_DEMO_DIR:-/var/tmp/cairn-demo}; pid=$$(cat $$d/cairn-aio.pid 2>/dev/null || true); \
	if [ -n "$$pid" ] && tr '\0' ' ' < /proc/$$pid/cmdline 2>/dev/null | grep -q cairn-aio; then \
	  kill $$pid; echo "cairn-aio stopped"; fi; rm -f $$d/cairn-aio.pid
	devcloud/down

bench: build
	bench/convert_bench.sh $(BUILD)
	bench/datamover_bench.sh $(BUILD)
	bench/api_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
