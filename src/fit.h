/*-------------------------------------------------------------------------
 *
 * fit.h
 *	  Settings of the fitting step.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_FIT_H
#define SYNTH_FIT_H

#include "utils/relcache.h"

#include "column_types.h"

/* synth.fit_sample_rows: the most rows a fit learns from */
extern int	synth_fit_sample_rows;

/* synth.group_depth: how often the rows may be split into groups (0-2) */
extern int	synth_group_depth;
extern bool synth_fit_dependence;

#define SYNTH_DEFAULT_MIN_GROUP_SIZE 5
#define SYNTH_DEFAULT_DP_DELTA 1e-6

/* a column of the table being fitted, as planned before reading it */
typedef struct FitColumn
{
	char	   *name;
	Oid			typid;
	int32		typmod;
	TypeInfo	type;
	bool		excluded;
	bool		not_null;
	bool		is_key;			/* integer with a one-column unique index */
	int			max_decimals;	/* over all rows read; -1 = more than 6 */
	int			query_position; /* 1-based in the SELECT list, 0 if not read */
} FitColumn;

extern Relation open_readable_relation(Oid relid);
extern bool column_model_begin(ColumnModel *cm, const FitColumn *fc);

#endif							/* SYNTH_FIT_H */
