/*-------------------------------------------------------------------------
 *
 * model_build.h
 *	  Learn a model from the fitting sample.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_MODEL_BUILD_H
#define SYNTH_MODEL_BUILD_H

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

/* the groups and copulas of a model build_model() made (keep_order) */
extern void build_dependence(SynthModel *model, FitColumn *cols, int ncols,
							 TableSample *sample, int min_group_size, int tail_column);

#endif							/* SYNTH_MODEL_BUILD_H */
