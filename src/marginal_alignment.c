/*-------------------------------------------------------------------------
 *
 * marginal_alignment.c
 *	  Making a mixture's groups sample each column, together, with the
 *	  table's own distribution of it (see marginal_alignment.h).
 *
 * Numbers.  Let F_g be group g's distribution function of a column, w_g
 * its weight (its share of rows times its share of non-NULL values) and
 * M = sum w_g F_g / sum w_g the mixture's.  A value x drawn from group g
 * at uniform u has M(x) uniform over all rows, so Q(M(x)), with Q the
 * table's quantile function, follows the table's distribution while the
 * values keep their order within each group.  Where the group's value x is
 * one of its atoms, M is taken between its limits below and at x at the
 * place u holds within the group's atom (the atoms of all groups at x are
 * spread alike); elsewhere at their middle (another group's atom exactly
 * at x).  This map of u is computed once per call on a grid of
 * ALIGNMENT_GRID + 1 points (fewer for very large models) and
 * interpolated linearly between them.
 *
 * Categories.  The groups' weighted shares of each category are scaled,
 * column by column to the table's shares and row by row back to each
 * group's weight, until both hold (iterative proportional fitting): the
 * adjustment that keeps every ratio between groups' odds of categories.
 *
 * Both read only what the model stores: no new information about any row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "column_model.h"
#include "marginal_alignment.h"
#include "numerics.h"

bool		synth_align_marginals = true;

#define IPF_MAX_ITERATIONS 200
#define IPF_TOLERANCE 1e-12

/* index of value in the ascending distinct knots[0 .. n) (it is one of them) */
static int
knot_index(const double *knots, int n, double value)
{
	int			lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (knots[mid] < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
quantile_monotone(const QuantileFunction *qf, QuantileFunction *out)
{
	int			np = qf->npieces;
	double	   *knots = palloc(sizeof(double) * Max(2 * np, 1));
	double	   *atom;
	ValueIndex *ranges;
	int		   *open;
	QuantilePiece *pieces;
	int			nknots = 0,
				npieces = 0,
				nranges = 0,
				nopen = 0,
				next = 0,
				i,
				k;
	double		acc = 0.0;

	out->npieces = 0;
	out->pieces = NULL;
	if (np == 0)
		return;
	/*
	 * The pieces' starts, then their ends: each run is in order already for
	 * a model as fitted (qsort checks that first), and merging the two is
	 * linear.
	 */
	{
		double	   *ends = palloc(sizeof(double) * np);
		int			a = 0,
					b = 0;

		for (i = 0; i < np; i++)
		{
			knots[np + i] = qf->pieces[i].lo;
			ends[i] = qf->pieces[i].hi;
		}
		qsort(knots + np, np, sizeof(double), compare_doubles);
		qsort(ends, np, sizeof(double), compare_doubles);
		while (a < np || b < np)
			knots[nknots++] = (b == np || (a < np && knots[np + a] <= ends[b])) ?
				knots[np + a++] : ends[b++];
		pfree(ends);
	}
	for (i = 1, k = 1; i < nknots; i++)
		if (knots[i] != knots[k - 1])
			knots[k++] = knots[i];
	nknots = k;

	/*
	 * Atoms by knot; range pieces by start.  Sweeping the knots, a segment
	 * between two knots takes from every range piece open over it the
	 * share of its mass that the segment's width is of the piece's: ratios
	 * at most 1, so no density overflows or cancels, and a segment no piece
	 * covers gets nothing.  A fitted model has a piece or two open at a
	 * time.
	 */
	atom = palloc0(sizeof(double) * nknots);
	ranges = palloc(sizeof(ValueIndex) * np);
	open = palloc(sizeof(int) * np);
	for (i = 0; i < np; i++)
	{
		const QuantilePiece *p = &qf->pieces[i];
		double		mass = p->cum - (i > 0 ? qf->pieces[i - 1].cum : 0.0);

		if (!(mass > 0.0))
			continue;
		if (p->hi <= p->lo)
			atom[knot_index(knots, nknots, p->lo)] += mass;
		else
		{
			ranges[nranges].value = p->lo;
			ranges[nranges].index = i;
			nranges++;
		}
	}
	sort_value_indexes(ranges, nranges);

	pieces = palloc(sizeof(QuantilePiece) * 2 * nknots);
	for (k = 0; k < nknots; k++)
	{
		double		mass = 0.0;
		int			j,
					kept;

		if (atom[k] > 0.0)
		{
			acc += atom[k];
			pieces[npieces].lo = pieces[npieces].hi = knots[k];
			pieces[npieces].cum = acc;
			npieces++;
		}
		if (k + 1 == nknots)
			break;
		/* open the pieces starting here, close those ending here */
		while (next < nranges && ranges[next].value <= knots[k])
			open[nopen++] = ranges[next++].index;
		for (j = 0, kept = 0; j < nopen; j++)
		{
			const QuantilePiece *p = &qf->pieces[open[j]];

			if (p->hi > knots[k])
			{
				double		pm = p->cum - (open[j] > 0 ? qf->pieces[open[j] - 1].cum : 0.0);

				mass += pm * ((knots[k + 1] - knots[k]) / (p->hi - p->lo));
				open[kept++] = open[j];
			}
		}
		nopen = kept;
		if (mass > 0.0)
		{
			acc += mass;
			pieces[npieces].lo = knots[k];
			pieces[npieces].hi = knots[k + 1];
			pieces[npieces].cum = acc;
			npieces++;
		}
	}
	if (npieces == 0 || !(acc > 0.0) || !isfinite(acc))
	{
		/* nothing of positive, finite mass: keep it as it was */
		*out = *qf;
		pfree(pieces);
	}
	else
	{
		for (i = 0; i < npieces; i++)
			pieces[i].cum = Min(pieces[i].cum / acc, 1.0);
		pieces[npieces - 1].cum = 1.0;
		out->npieces = npieces;
		out->pieces = pieces;
	}
	pfree(knots);
	pfree(atom);
	pfree(ranges);
	pfree(open);
}

/*
 * Where value x stands in monotone quantile function qf: *below the
 * probability of values under x, *upto of values up to x (more by x's atom).
 * Values come in ascending order; *cursor walks the pieces.
 */
static inline void
walk_cdf(const QuantileFunction *qf, double x, int *cursor, double *below, double *upto)
{
	const QuantilePiece *p = qf->pieces;
	int			n = qf->npieces;
	int			i = *cursor;
	double		before;

	/* pass the pieces wholly below x (a range ending at x is, an atom there is not) */
	while (i < n && (p[i].hi < x || (p[i].hi == x && p[i].lo < p[i].hi)))
		i++;
	*cursor = i;
	before = i > 0 ? p[i - 1].cum : 0.0;
	if (i == n)
		*below = *upto = 1.0;
	else if (p[i].lo == p[i].hi && p[i].lo == x)
	{
		*below = before;
		*upto = p[i].cum;
	}
	else if (p[i].lo < x)
		*below = *upto = before + (p[i].cum - before) * (x - p[i].lo) / (p[i].hi - p[i].lo);
	else
		*below = *upto = before;
}

MixtureCdf *
alignment_mixture(const QuantileFunction *const *mono, const double *weight, int nleaves)
{
	MixtureCdf *mix = palloc0(sizeof(MixtureCdf));
	int			nknots = 0,
				k,
				m;
	double		total = 0.0;

	for (m = 0; m < nleaves; m++)
		if (mono[m] != NULL && mono[m]->npieces > 0 && weight[m] > 0.0)
			nknots += 2 * mono[m]->npieces;
	/*
	 * The ends of every group's pieces, in order: a monotone quantile
	 * function's are in order already, so each group's are merged in.
	 */
	mix->x = palloc(sizeof(double) * Max(nknots, 1));
	{
		double	   *merged = palloc(sizeof(double) * Max(nknots, 1));

		for (m = 0; m < nleaves; m++)
		{
			const QuantileFunction *q = mono[m];
			int			a = 0,
						b = 0,
						nb,
						out = 0;
			double	   *swap;

			if (q == NULL || q->npieces == 0 || weight[m] <= 0.0)
				continue;
			nb = 2 * q->npieces;
			while (a < mix->n || b < nb)
			{
				double		y = b < nb ? (b % 2 == 0 ? q->pieces[b / 2].lo : q->pieces[b / 2].hi) : 0.0;
				double		next;

				if (b == nb || (a < mix->n && mix->x[a] <= y))
					next = mix->x[a++];
				else
				{
					next = y;
					b++;
				}
				if (out == 0 || next != merged[out - 1])
					merged[out++] = next;
			}
			swap = mix->x;
			mix->x = merged;
			merged = swap;
			mix->n = out;
		}
		pfree(merged);
	}
	mix->below = palloc0(sizeof(double) * Max(mix->n, 1));
	mix->upto = palloc0(sizeof(double) * Max(mix->n, 1));

	for (m = 0; m < nleaves; m++)
	{
		int			cursor = 0;

		if (mono[m] == NULL || mono[m]->npieces == 0 || weight[m] <= 0.0)
			continue;
		CHECK_FOR_INTERRUPTS();
		total += weight[m];
		for (k = 0; k < mix->n; k++)
		{
			double		below,
						upto;

			walk_cdf(mono[m], mix->x[k], &cursor, &below, &upto);
			mix->below[k] += weight[m] * below;
			mix->upto[k] += weight[m] * upto;
		}
	}
	for (k = 0; k < mix->n; k++)
	{
		mix->below[k] = total > 0.0 ? Min(1.0, mix->below[k] / total) : 0.0;
		mix->upto[k] = total > 0.0 ? Min(1.0, mix->upto[k] / total) : 0.0;
	}
	return mix;
}

double *
alignment_numeric_grid(const MixtureCdf *mix, const QuantileFunction *own, int intervals)
{
	int			npoints = intervals + 1;
	double	   *v = palloc(sizeof(double) * npoints);
	double		high = 0.0;
	int			piece = 0,
				knot = 0,
				k;

	Assert(own->npieces > 0);
	for (k = 0; k < npoints; k++)
	{
		double		u = Min((double) k / intervals, SYNTH_U_MAX);
		const QuantilePiece *p;
		double		start,
					x,
					theta,
					below,
					upto,
					p_v;

		/* the group's value at u, and where u lies within an atom of it */
		while (piece < own->npieces - 1 && own->pieces[piece].cum <= u)
			piece++;
		p = &own->pieces[piece];
		start = piece > 0 ? own->pieces[piece - 1].cum : 0.0;
		if (p->lo == p->hi)
		{
			x = p->lo;
			theta = p->cum > start ? Min(1.0, (u - start) / (p->cum - start)) : 0.5;
		}
		else
		{
			x = p->lo + (p->hi - p->lo) * (p->cum > start ? (u - start) / (p->cum - start) : 0.0);
			theta = 0.5;
		}

		/* the mixture there: at a knot its two limits, between two linear */
		while (knot < mix->n && mix->x[knot] < x)
			knot++;
		if (knot < mix->n && mix->x[knot] == x)
		{
			below = mix->below[knot];
			upto = mix->upto[knot];
		}
		else if (knot == 0)
			below = upto = 0.0;
		else if (knot == mix->n)
			below = upto = 1.0;
		else
		{
			double		a = mix->x[knot - 1],
						b = mix->x[knot];

			below = upto = mix->upto[knot - 1] +
				(mix->below[knot] - mix->upto[knot - 1]) * (x - a) / (b - a);
		}
		p_v = below + theta * (upto - below);

		/* within [0, 1] and nondecreasing whatever the rounding */
		p_v = Max(0.0, Min(1.0, p_v));
		high = Max(high, p_v);
		v[k] = high;
	}
	return v;
}

/* the share of category k of a categorical model (k == ncategories: other) */
static inline double
category_share(const ColumnModel *cm, int k)
{
	if (k == cm->ncategories)
		return cm->other_prob;
	return cm->category_cum[k] - (k > 0 ? cm->category_cum[k - 1] : 0.0);
}

void
alignment_categorical(const ColumnModel *table, ColumnModel **leaf,
					  const double *weight, int nleaves,
					  const int *const *table_category)
{
	int			ntable = table->ncategories;
	int			ncols = ntable + 1; /* the table's categories, then other */
	double	   *target = palloc0(sizeof(double) * ncols);
	double	   *colsum = palloc(sizeof(double) * ncols);
	bool	   *present = palloc0(sizeof(bool) * ncols);
	int		  **col = palloc0(sizeof(int *) * nleaves);
	double	  **cell = palloc0(sizeof(double *) * nleaves);
	double	   *rowfree = palloc0(sizeof(double) * nleaves);
	double		tsum = 0.0,
				free_mass = 0.0;
	int			l,
				k,
				j,
				iter = 0;

	for (k = 0; k <= ntable; k++)
		target[k] = category_share(table, k);
	/* without made-up strings the last category takes the pooled share */
	if (table->shape == NULL && ntable > 0)
	{
		target[ntable - 1] += target[ntable];
		target[ntable] = 0.0;
	}

	/* each group's cells: weight times share, and the table column of each */
	for (l = 0; l < nleaves; l++)
	{
		ColumnModel *cm = leaf[l];
		int			n;

		if (cm == NULL || weight[l] <= 0.0)
			continue;
		n = cm->ncategories;
		col[l] = palloc(sizeof(int) * (n + 1));
		cell[l] = palloc(sizeof(double) * (n + 1));
		for (k = 0; k < n; k++)
		{
			col[l][k] = table_category[l][k];
			cell[l][k] = weight[l] * category_share(cm, k);
		}
		col[l][n] = ntable;
		cell[l][n] = weight[l] * cm->other_prob;
		if (cm->shape == NULL && n > 0)
		{
			cell[l][n - 1] += cell[l][n];
			cell[l][n] = 0.0;
		}
		for (k = 0; k <= n; k++)
			if (col[l][k] >= 0)
			{
				rowfree[l] += cell[l][k];
				if (cell[l][k] > 0.0)
					present[col[l][k]] = true;
			}
		free_mass += rowfree[l];
	}
	for (j = 0; j < ncols; j++)
		if (present[j])
			tsum += target[j];
	if (!(tsum > 0.0) || !(free_mass > 0.0))
		iter = IPF_MAX_ITERATIONS;	/* nothing to fit: shares as stored */
	else
		for (j = 0; j < ncols; j++)
			target[j] = present[j] ? target[j] / tsum * free_mass : 0.0;

	for (; iter < IPF_MAX_ITERATIONS; iter++)
	{
		double		worst = 0.0;

		CHECK_FOR_INTERRUPTS();
		memset(colsum, 0, sizeof(double) * ncols);
		for (l = 0; l < nleaves; l++)
			if (cell[l] != NULL)
				for (k = 0; k <= leaf[l]->ncategories; k++)
					if (col[l][k] >= 0)
						colsum[col[l][k]] += cell[l][k];
		for (j = 0; j < ncols; j++)
			if (present[j])
				worst = Max(worst, fabs(colsum[j] - target[j]));
		if (worst <= IPF_TOLERANCE * free_mass)
			break;
		for (l = 0; l < nleaves; l++)
		{
			double		s = 0.0;

			if (cell[l] == NULL)
				continue;
			for (k = 0; k <= leaf[l]->ncategories; k++)
				if (col[l][k] >= 0 && colsum[col[l][k]] > 0.0)
				{
					/* (a ratio at most 1 first: nothing overflows) */
					cell[l][k] = cell[l][k] / colsum[col[l][k]] * target[col[l][k]];
					s += cell[l][k];
				}
			/* back to the group's own mass */
			if (s > 0.0)
				for (k = 0; k <= leaf[l]->ncategories; k++)
					if (col[l][k] >= 0)
						cell[l][k] = cell[l][k] / s * rowfree[l];
		}
	}

	/* the groups' new shares, in their own order of categories */
	for (l = 0; l < nleaves; l++)
	{
		ColumnModel *cm = leaf[l];
		int			n;
		double	   *cum;
		double		acc = 0.0,
					total;

		if (cell[l] == NULL)
			continue;
		n = cm->ncategories;
		total = 0.0;
		for (k = 0; k <= n; k++)
			total += cell[l][k];
		if (!(total > 0.0) || !isfinite(total))
			continue;			/* keeps its shares as stored */
		cum = palloc(sizeof(double) * Max(n, 1));
		for (k = 0; k < n; k++)
		{
			acc += cell[l][k] / total;
			cum[k] = Min(acc, 1.0);
		}
		cm->other_prob = cell[l][n] / total;
		if (n > 0)
			cum[n - 1] = Max(n > 1 ? cum[n - 2] : 0.0, 1.0 - cm->other_prob);
		cm->category_cum = cum;
	}
	pfree(target);
	pfree(colsum);
	pfree(present);
	pfree(rowfree);
	for (l = 0; l < nleaves; l++)
		if (cell[l] != NULL)
		{
			pfree(col[l]);
			pfree(cell[l]);
		}
	pfree(col);
	pfree(cell);
}
