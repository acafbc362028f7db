# PGXS build of the lokbackup extension and of the lokbackup program.
#   make && make install     build and install both (against the pg_config on PATH, or PG_CONFIG=)
#   make installcheck        pg_regress tests in a temporary instance with the extension preloaded
#   make unit-test           core unit tests (GoogleTest through CTest)
#   make coverage            the same with gcov, and lcov's line and function figures of src/core
#   make tap-test            integration tests (prove, PostgreSQL::Test::Cluster)

EXTENSION = lokbackup
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" lokbackup.control)
MODULE_big = lokbackup
DATA = $(wildcard sql/lokbackup--*.sql)

# Build outputs go to build/, out of the source folders: src/LAYER/[FOLDER/]x.cpp is compiled to
# build/obj/LAYER/[FOLDER/]x.o, and the dashboard's generated source to build/gen/.
OBJ_DIR = build/obj
GEN_DIR = build/gen
layer_objs = $(patsubst src/%.cpp,$(OBJ_DIR)/%.o,$(wildcard src/$(1)/*.cpp src/$(1)/*/*.cpp))
CORE_OBJS = $(call layer_objs,core)
EXTENSION_OBJS = $(call layer_objs,extension)
ASSETS_OBJ = $(OBJ_DIR)/cli/web/web_assets_data.o
CLI_OBJS = $(call layer_objs,cli) $(ASSETS_OBJ)
OBJS = $(EXTENSION_OBJS) $(CORE_OBJS)

CORE_LIBS = -lzstd -lz -lcrypto -lcurl
SHLIB_LINK = $(CORE_LIBS) -lstdc++
PG_CPPFLAGS = -I$(CURDIR)/src

REGRESS = lokbackup_setup lokbackup_run lokbackup_list lokbackup_plan lokbackup_copies lokbackup_delete \
          lokbackup_permissions lokbackup_schedule
REGRESS_OPTS = --temp-instance=$(CURDIR)/tmp_check --temp-config=$(CURDIR)/test/regress/lokbackup.conf

# Set before PGXS is included, which tests it when it is read.
EXTRA_CLEAN = lokbackup build tmp_check test/tap/tmp_check

# The extension is C++; PGXS would otherwise try to emit LLVM bitcode for JIT inlining with clang.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# -Wno-register: PostgreSQL 15 headers use the register keyword, which C++17 removed.
CXXSTD = -std=c++17 -fPIC -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register
override CXXFLAGS += $(CXXSTD)

# Core is compiled without the server's include directory: a core file that includes a
# PostgreSQL server header does not compile.
CORE_CPPFLAGS = -I$(CURDIR)/src -D_GNU_SOURCE
$(OBJ_DIR)/core/%.o: src/core/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(CORE_CPPFLAGS) -c -o $@ $<

$(OBJ_DIR)/extension/%.o: src/extension/%.cpp
	@mkdir -p $(@D)
	$(COMPILE.cc) -o $@ $<

HTTPLIB_CFLAGS = $(shell pkg-config --cflags cpp-httplib)
HTTPLIB_LIBS = $(shell pkg-config --libs cpp-httplib)
$(OBJ_DIR)/cli/%.o: src/cli/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(CORE_CPPFLAGS) -I$(includedir) $(HTTPLIB_CFLAGS) -DLOKBACKUP_VERSION='"$(EXTVERSION)"' -c -o $@ $<

# Header dependencies, so that a changed header rebuilds what includes it.
override CXXFLAGS += -MMD -MP
-include $(CORE_OBJS:.o=.d) $(EXTENSION_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# The dashboard's files, compiled into the program (src/dashboard/embed-assets).
DASHBOARD_FILES = $(wildcard src/dashboard/public/* src/dashboard/app/*)
$(GEN_DIR)/web_assets_data.cpp: $(DASHBOARD_FILES) src/dashboard/embed-assets
	@mkdir -p $(@D)
	src/dashboard/embed-assets $(DASHBOARD_FILES) > $@
$(ASSETS_OBJ): $(GEN_DIR)/web_assets_data.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(CORE_CPPFLAGS) -c -o $@ $<

# The rpath: a server built into a prefix of its own (test/build-pg) has its libpq there.
lokbackup: $(CLI_OBJS) $(CORE_OBJS)
	$(CXX) $(CXXFLAGS) -o $@ $^ -L$(libdir) -Wl,-rpath,$(libdir) -lpq $(CORE_LIBS) $(HTTPLIB_LIBS) -lpthread

all: lokbackup
install: install-cli
install-cli: lokbackup
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) lokbackup '$(DESTDIR)$(bindir)/lokbackup'
uninstall: uninstall-cli
uninstall-cli:
	rm -f '$(DESTDIR)$(bindir)/lokbackup'

unit-test:
	cmake -S test/unit -B build/unit -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/unit -j2
	cd build/unit && ctest --output-on-failure

# Not part of the test suite: how much of src/core the unit tests run (gcov, lcov). Builds them
# with counters in build/coverage, runs them, and prints the figures per folder, per file and in
# all; the report to browse is build/coverage/html/index.html. Counters are reset before the
# build (a rebuilt object's old counters do not match it) and after it (the build runs the tests
# once, to list them).
COVERAGE_DIR = build/coverage
coverage:
	cmake -S test/unit -B $(COVERAGE_DIR) -DCMAKE_BUILD_TYPE=Debug -DLOKBACKUP_COVERAGE=ON >/dev/null
	lcov --quiet --zerocounters --directory $(COVERAGE_DIR)
	cmake --build $(COVERAGE_DIR) -j2
	lcov --quiet --zerocounters --directory $(COVERAGE_DIR)
	$(COVERAGE_DIR)/core_tests --gtest_brief=1
	lcov --quiet --capture --directory $(COVERAGE_DIR) --output-file $(COVERAGE_DIR)/all.info
	lcov --quiet --extract $(COVERAGE_DIR)/all.info '$(CURDIR)/src/core/*' --output-file $(COVERAGE_DIR)/core.info
	genhtml --quiet --title 'lokbackup core' --output-directory $(COVERAGE_DIR)/html $(COVERAGE_DIR)/core.info
	lcov --list $(COVERAGE_DIR)/core.info
	test/unit/coverage-by-folder $(COVERAGE_DIR)/core.info
	lcov --summary $(COVERAGE_DIR)/core.info

TAP_TESTS = test/tap/t/*.pl
tap-test:
	rm -rf test/tap/tmp_check
	PATH="$(bindir):$$PATH" TESTDIR=$(CURDIR)/test/tap PG_CONFIG=$(PG_CONFIG) \
	    TESTDATADIR=$(CURDIR)/test/tap/tmp_check TESTLOGDIR=$(CURDIR)/test/tap/tmp_check/log \
	    PG_REGRESS=$(pgxsdir)/src/test/regress/pg_regress \
	    prove -I test/tap -I $(pgxsdir)/src/test/perl --timer $(TAP_TESTS)

# Not part of the test suite: lokbackup against pg_dump and pg_dump | gzip -9 | aws s3 cp (bench/run).
bench: ; bench/run

.PHONY: install-cli uninstall-cli unit-test coverage tap-test bench
