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

/* synth.group_depth: how often the rows may be split into groups (0-3) */
extern int	synth_group_depth;
extern bool synth_fit_dependence;
extern bool synth_tail_groups;

/*
 * The dependence is learnt from at most this many rows, a random subset:
 * the choice of grouping columns and the order of categories from that
 * many of the fitting sample, and the copulas from about that many in all;
 * the column models from every row.  A correlation's standard error from
 * 20,000 rows is below 0.0071, which moves a pair's trend score
 * (1 - |difference| / 2) by less than 0.004, and the fit of a large table
 * spent most of its time on the dependence.
 *
 * The copulas share the budget: a group with a share s of the table's rows
 * learns its copula from s * DEPENDENCE_SAMPLE_ROWS of them, but at least
 * DEPENDENCE_GROUP_MIN_ROWS (standard error below 0.0142) or all it has.
 * Each group taking 20,000 rows of its own made the work grow with the
 * number of groups (64 leaves of 20,000 rows: more than the table itself).
 */
#define DEPENDENCE_SAMPLE_ROWS 20000
#define DEPENDENCE_GROUP_MIN_ROWS 5000
#define DEPENDENCE_SAMPLE_SEED UINT64CONST(0x646570656E64)

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
	bool		is_key;			/* integer or text with a one-column unique index */
	int			max_decimals;	/* over all rows read; -1 = more than 6 */
	int			query_position; /* 1-based in the SELECT list, 0 if not read */
	/* public bounds of a differentially private fit (synth_fit's bounds) */
	bool		has_bounds;
	double		bound_lo;
	double		bound_hi;
} FitColumn;

extern Relation open_readable_relation(Oid relid);
extern bool column_model_begin(ColumnModel *cm, const FitColumn *fc);

#endif							/* SYNTH_FIT_H */
