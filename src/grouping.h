/*-------------------------------------------------------------------------
 *
 * grouping.h
 *	  Choosing the column that splits a table into groups with models of
 *	  their own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_GROUPING_H
#define SYNTH_GROUPING_H

#include "model.h"
#include "table_sample.h"

extern int	grouping_choose(const SynthModel *model, const TableSample *sample,
							const TableSample *all, int min_rows,
							bool allow_numeric, int *row_group,
							int *all_group, int *ngroups);

#endif							/* SYNTH_GROUPING_H */
