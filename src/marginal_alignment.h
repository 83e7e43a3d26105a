/*-------------------------------------------------------------------------
 *
 * marginal_alignment.h
 *	  Making a mixture's groups sample each column, together, with the
 *	  table's own distribution of it.
 *
 * A model with groups draws each row's values from one group's column
 * models.  Every group learns its columns from its own rows, with cuts of
 * at least min_group_size rows, pooled rare values and, for a group
 * within a group, fewer rows still, so the groups' models mixed in their
 * shares only come close to the table's model of a column.  These
 * functions, run when sampling starts, move each group's column onto the
 * table's distribution without changing what the model stores: a number
 * is read through the mixture's distribution function and the table's
 * quantile function (order within the group kept), the shares of a
 * category are adjusted by iterative proportional fitting (the groups'
 * shares and the categories' ratios between groups kept).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_MARGINAL_ALIGNMENT_H
#define SYNTH_MARGINAL_ALIGNMENT_H

#include "model.h"

/*
 * Intervals of a group's numeric alignment map (u = k / intervals): at most
 * ALIGNMENT_GRID, fewer when a model has so many groups and number columns
 * that the maps of one call would pass ALIGNMENT_BUDGET values (16 MB), but
 * never fewer than ALIGNMENT_GRID_MIN.
 */
#define ALIGNMENT_GRID 1024
#define ALIGNMENT_GRID_MIN 64
#define ALIGNMENT_BUDGET (2 * 1024 * 1024)

extern bool synth_align_marginals;

/*
 * The same distribution as qf, as a quantile function that never decreases:
 * pieces in order of value, none overlapping (quantile_fit() may place an
 * atom inside a range).  One of no positive, finite mass is returned as it
 * is.  Allocates in the current memory context.
 */
extern void quantile_monotone(const QuantileFunction *qf, QuantileFunction *out);

/*
 * The distribution function of a mixture: the groups' monotone quantile
 * functions mono[] (NULL or weight 0: the group draws no value of the
 * column) with weights weight[] (the group's share of rows times its share
 * of non-NULL values), at the n ends of all their pieces: below[k] the
 * probability of values under x[k], upto[k] of values up to it.  Linear
 * between them.
 */
typedef struct MixtureCdf
{
	int			n;
	double	   *x;
	double	   *below;
	double	   *upto;
} MixtureCdf;

extern MixtureCdf *alignment_mixture(const QuantileFunction *const *mono,
									 const double *weight, int nleaves);

/*
 * For a group with monotone quantile function "own", the mixture's
 * distribution function at the group's value for u = k / intervals,
 * k = 0 .. intervals, nondecreasing (at an atom, spread over the
 * mixture's mass there as u is over the group's).  The group's value for u
 * is then the table's quantile at the linear interpolation of these.
 * Allocates in the current memory context.
 */
extern double *alignment_numeric_grid(const MixtureCdf *mix, const QuantileFunction *own,
									  int intervals);

/*
 * Adjust the category shares of the groups' models leaf[] (copies the
 * caller owns: their category_cum is replaced and other_prob set) so that
 * mixed with weights weight[] they give the table's shares of model
 * "table", as far as the categories each group has allow.  A category a
 * group does not have stays absent from it.  A group with nothing to fit
 * (or no finite result) gets its stored shares back.  table_category[l],
 * for a group of weight > 0, says where each of its categories is in the
 * table's model (-1: not there); its pooled share is the table's.
 */
extern void alignment_categorical(const ColumnModel *table, ColumnModel **leaf,
								  const double *weight, int nleaves,
								  const int *const *table_category);

#endif							/* SYNTH_MARGINAL_ALIGNMENT_H */
