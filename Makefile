# synth: PGXS build.  The version lives once, in synth.control.
EXTENSION = synth
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = synth
OBJS = \
	src/synth.o \
	src/numerics.o \
	src/column_types.o \
	src/column_model.o \
	src/string_shape.o \
	src/dependence.o \
	src/category_order.o \
	src/latent_correlation.o \
	src/conditional.o \
	src/grouping.o \
	src/hierarchy.o \
	src/model.o \
	src/model_store.o \
	src/model_json.o \
	src/fit.o \
	src/model_build.o \
	src/table_sample.o \
	src/dp_fit.o \
	src/condition.o \
	src/marginal_alignment.o \
	src/sampler.o \
	src/sampler_cache.o \
	src/sample.o \
	src/populate.o \
	src/populate_workers.o \
	src/privacy.o

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
# the install scripts of earlier versions and the upgrade scripts
DATA = $(filter-out $(DATA_built), $(wildcard sql/$(EXTENSION)--*.sql))

REGRESS = setup types fit_sample errors storage statistics dependence alignment hierarchy evaluate conditional populate privacy dp keys access sampler_cache
REGRESS_OPTS = --inputdir=. --encoding=UTF8 --no-locale

PG_CONFIG ?= pg_config
PG_CPPFLAGS += $(shell pkg-config --cflags gsl) -I$(srcdir)/src
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK += $(shell pkg-config --libs gsl)

EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# after PGXS, which sets its own default
CONTRIB_TESTDB = synth_regression

# every object depends on every header (PGXS tracks no header dependencies)
$(OBJS): $(wildcard src/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@
