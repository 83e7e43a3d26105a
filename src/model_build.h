/*-------------------------------------------------------------------------
 *
 * model_build.h
 *	  Learn a model from the fitting sample.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_MODEL_BUILD_H
#define SYNTH_MODEL_BUILD_H

#include "portability/instr_time.h"

#include "fit.h"
#include "model.h"
#include "table_sample.h"

/*
 * Each column's model from the sample; with "keep_order", a numeric
 * column's rows in order of value stay in the sample for groups to split.
 * "parent" is the model this one is a group of (NULL for a table).
 */
extern SynthModel *build_model(FitColumn *cols, int ncols, TableSample *sample,
							   int64 rows_read, int min_group_size, bool keep_order,
							   const SynthModel *parent);

/*
 * Where the time of build_dependence() went, in milliseconds (synth_fit
 * reports it at DEBUG1, tests/bench/speed prints it).
 */
typedef struct DependenceTimings
{
	double		grouping;		/* choosing the grouping columns */
	double		splits;			/* handing rows to groups; copulas' row subsets */
	double		group_columns;	/* the groups' column models */
	double		orders;			/* the orders of categories */
	double		copulas;		/* the copulas */
} DependenceTimings;

/* the groups and copulas of a model build_model() made (keep_order) */
extern void build_dependence(SynthModel *model, FitColumn *cols, int ncols,
							 TableSample *sample, int min_group_size, int tail_column,
							 DependenceTimings *timings);

/* milliseconds since "start" */
static inline double
ms_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

#endif							/* SYNTH_MODEL_BUILD_H */
