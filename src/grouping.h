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

/* a tail split's share of rows at each end: the lowest and highest 5% */
#define GROUP_TAIL_SHARE 0.05

/* how a grouping column's rows are split */
typedef enum GroupSplit
{
	GROUP_SPLIT_DISCRETE,		/* by its levels (categories, a coded column) */
	GROUP_SPLIT_QUARTILES,		/* a continuous column by its quartiles */
	GROUP_SPLIT_TAILS			/* a continuous column's tails from its middle */
} GroupSplit;

extern bool grouping_has_tails(const ColumnModel *cm);
extern int	grouping_choose(const SynthModel *model, const TableSample *sample,
							const TableSample *all, int min_rows,
							int tail_min_rows, int tail_column,
							bool allow_numeric, int *row_group,
							int *all_group, int *ngroups, GroupSplit *split);

#endif							/* SYNTH_GROUPING_H */
