# PGXS build: the canonical way to build and install pg_webhook.
#   make && make install          (as root, or with write access to the PG dirs)
#   make WERROR=1                 (CI: warnings are errors)
EXTENSION  = pg_webhook
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

include sources.mk

MODULE_big = pg_webhook
OBJS       = $(PG_WEBHOOK_SOURCES:.cpp=.o)
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA       = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*--*.sql))

# -isystem: Postgres headers are not written for C++ -Wextra; our code is.
PG_CPPFLAGS = -I$(srcdir)/src -DPG_WEBHOOK_VERSION='"$(EXTVERSION)"' \
	-isystem $(shell $(PG_CONFIG) --includedir-server) \
	-isystem $(shell $(PG_CONFIG) --includedir)/internal
PG_CXXFLAGS = -std=c++17 -pthread -Wall -Wextra -Wno-missing-field-initializers
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK = -lstdc++ -lcurl -lcrypto -pthread

# The LLVM bitcode rule ignores PG_CXXFLAGS, so C++17 sources cannot be
# turned into JIT bitcode; JIT inlining of this module is not worth it anyway.
override with_llvm = no

# Rebuild an object when a header it includes changes (gcc -MMD via PGXS;
# its .deps/ files are named by basename, so source basenames stay unique).
override autodepend = yes

# pg_regress: the SQL tests live in test/sql with expected output in
# test/expected; tools/test runs them against a throwaway cluster.
REGRESS      = $(sort $(notdir $(basename $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --load-extension=pgtap
# isolationtester: races between sessions, each step run when the spec says
# (test/isolation/specs, expected output in test/isolation/expected).
ISOLATION      = $(sort $(notdir $(basename $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script is assembled from numbered parts so that each concern
# (schema, endpoints, publish, listing, dispatch) keeps its own file.
sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/src/*.sql))
	cat $^ > $@

.PHONY: format
format:
	clang-format -i $(wildcard src/*.cpp src/*/*.cpp src/*/*.hpp test/unit/*.cpp)
