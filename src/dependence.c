/*-------------------------------------------------------------------------
 *
 * dependence.c
 *	  The dependence model: a Gaussian copula over the columns' own
 *	  quantile functions.
 *
 * Fit: every column contributes a "value" dimension, and a column with
 * some NULLs also a "missingness" dimension.  A value becomes a normal score
 * z = Phi^-1(u), where u is where it falls in its column's model of the
 * non-NULL values (numbers ascending; categories in category_order.c's order,
 * pooled rare values last); a tie (an atom, a category) covers an interval
 * of u and scores the mean of Z over it.  The missingness dimension scores
 * NULL over [0, null_frac) and any value over [null_frac, 1) likewise.  The
 * correlation of two dimensions is estimated from the rows where both are
 * observed (a NULL has no value score), so NULLs neither dilute the
 * correlations between values nor lose their own dependence on the other
 * columns.  A tie's score varies less than Z, and its correlations are
 * rescaled to what scores drawn at random from the tie's interval would
 * show in expectation (the draws themselves only add noise: they were the
 * scores before); that scale still understates the dependence of the
 * latent normals, and latent_correlation.c turns it into theirs.  Pairwise
 * estimates need not form a positive definite matrix; the nearest one is
 * taken when they do not.
 *
 * Sample: z = L e with e standard normal and L the Cholesky factor, then
 * u = Phi(z) for each dimension: the missingness u decides NULL, the value
 * u goes to the column's quantile function.  Dimensions outside the copula
 * (uuids, constant columns) get independent uniforms.
 *
 * This is the family of SDV's GaussianCopula (Sklar's theorem; see Nelsen,
 * "An Introduction to Copulas", 2006).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "column_model.h"
#include "dependence.h"
#include "latent_correlation.h"


/* is the correlation matrix positive definite? (work: dim x dim scratch) */
static bool
positive_definite(const double *corr, int dim, double *work)
{
	memcpy(work, corr, sizeof(double) * dim * dim);
	return synth_cholesky(work, dim);
}

/*
 * Repair a correlation matrix that is not positive definite (pairwise
 * estimates, blends with missing pairs) to the nearest one that is, with an
 * exact unit diagonal and exact symmetry, as the model format demands.
 */
void
dependence_make_positive_definite(double *corr, int dim)
{
	double	   *test = palloc(sizeof(double) * dim * dim);
	int			k,
				l;

	if (!positive_definite(corr, dim, test))
	{
		synth_nearest_correlation(corr, dim);
		for (k = 0; k < dim; k++)
		{
			for (l = 0; l < k; l++)
			{
				double		c = Max(-1.0, Min(1.0, corr[k * dim + l]));

				corr[k * dim + l] = corr[l * dim + k] = c;
			}
			corr[k * dim + k] = 1.0;
		}
	}
	pfree(test);
}

/* do the column's non-NULL values vary, so that they can carry dependence? */
static bool
value_varies(const ColumnModel *cm)
{
	if (cm->null_frac >= 1.0)
		return false;
	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			return cm->quantiles.npieces > 1 ||
				(cm->quantiles.npieces == 1 && cm->quantiles.pieces[0].hi > cm->quantiles.pieces[0].lo);
		case COLUMN_CATEGORICAL:
			return cm->ncategories + (cm->other_prob > 0.0 ? 1 : 0) > 1;
		default:
			return false;		/* uuids and excluded columns stay independent */
	}
}

/* does the column have a missingness dimension? */
static bool
has_missingness(const ColumnModel *cm)
{
	return (cm->kind == COLUMN_NUMERIC || cm->kind == COLUMN_CATEGORICAL) &&
		cm->null_frac > 0.0 && cm->null_frac < 1.0;
}

/*
 * Where a numeric column's values fall in u.  The pieces of a quantile
 * function follow u, but not value: an atom (a value shared by many rows)
 * can lie inside the span of a neighbouring range, whose own values are
 * the others.  So the value of a row is found among the atoms first, by
 * equality, and otherwise among the ranges, which do ascend among
 * themselves.
 */
typedef struct NumericLookup
{
	const QuantileFunction *qf;
	int			bottom;			/* the piece reaching lowest, and highest */
	int			top;
	int			natoms;
	int			nranges;
	int		   *atoms;			/* piece indexes, by value */
	int		   *ranges;			/* piece indexes, by value */
	double	   *atom_value;		/* their values and upper ends, in the */
	double	   *range_hi;		/* same order: searched without indirection */
} NumericLookup;

static void
numeric_lookup_build(const QuantileFunction *qf, NumericLookup *nl)
{
	ValueIndex *keys = palloc(sizeof(ValueIndex) * Max(qf->npieces, 1));
	int			i,
				k;

	nl->qf = qf;
	nl->natoms = nl->nranges = 0;
	nl->bottom = nl->top = 0;
	for (i = 1; i < qf->npieces; i++)
	{
		if (qf->pieces[i].lo < qf->pieces[nl->bottom].lo)
			nl->bottom = i;
		if (qf->pieces[i].hi > qf->pieces[nl->top].hi)
			nl->top = i;
	}
	nl->atoms = palloc(sizeof(int) * Max(qf->npieces, 1));
	nl->ranges = palloc(sizeof(int) * Max(qf->npieces, 1));
	for (k = 0; k < 2; k++)
	{
		int			n = 0;

		for (i = 0; i < qf->npieces; i++)
			if ((qf->pieces[i].lo == qf->pieces[i].hi) == (k == 0))
			{
				keys[n].value = qf->pieces[i].hi;
				keys[n++].index = i;
			}
		sort_value_indexes(keys, n);
		{
			int		   *index = k == 0 ? nl->atoms : nl->ranges;
			double	   *value = palloc(sizeof(double) * Max(n, 1));

			for (i = 0; i < n; i++)
			{
				index[i] = keys[i].index;
				value[i] = keys[i].value;
			}
			if (k == 0)
			{
				nl->atom_value = value;
				nl->natoms = n;
			}
			else
			{
				nl->range_hi = value;
				nl->nranges = n;
			}
		}
	}
	pfree(keys);
}

static void
numeric_lookup_free(NumericLookup *nl)
{
	pfree(nl->atoms);
	pfree(nl->ranges);
	pfree(nl->atom_value);
	pfree(nl->range_hi);
}

/*
 * The interval [lo, hi) of u in the non-NULL part for a numeric value, and
 * in *piece the piece whose interval it is (an atom, or an end piece that
 * takes a value past the model's ends), or -1 for a point (lo == hi).
 * "cursor" (two ints, zero at first, or NULL) lets values that come in
 * ascending order walk the lookup's arrays instead of searching them.
 */
static void
numeric_interval(const NumericLookup *nl, double x, double *lo, double *hi, int *piece,
				 int *cursor)
{
	const QuantileFunction *qf = nl->qf;
	const QuantilePiece *p;
	double		prev;
	int			a;

	/*
	 * Beyond the model's ends (which are means of the end values, so some
	 * real values lie past them): spread over the end piece, whose values
	 * these are.  Scoring them 0 or 1 would give them normal scores of -7 or
	 * 7, and a few such rows would decide every correlation of the column.
	 */
	if (qf->npieces > 0 &&
		(x < qf->pieces[nl->bottom].lo || x > qf->pieces[nl->top].hi))
	{
		int			i = x < qf->pieces[nl->bottom].lo ? nl->bottom : nl->top;

		*lo = i > 0 ? qf->pieces[i - 1].cum : 0.0;
		*hi = qf->pieces[i].cum;
		*piece = i;
		return;
	}

	/* an atom's value: its whole interval */
	a = cursor ? walk_above(nl->atom_value, nl->natoms, x, true, &cursor[0]) :
		first_above(nl->atom_value, nl->natoms, x, true);
	if (a < nl->natoms && nl->atom_value[a] == x)
	{
		int			i = nl->atoms[a];

		*lo = i > 0 ? qf->pieces[i - 1].cum : 0.0;
		*hi = qf->pieces[i].cum;
		*piece = i;
		return;
	}

	/* otherwise the first range that reaches it */
	*piece = -1;
	a = cursor ? walk_above(nl->range_hi, nl->nranges, x, true, &cursor[1]) :
		first_above(nl->range_hi, nl->nranges, x, true);
	if (a == nl->nranges)
	{
		/* above every range: the top of the highest piece below it */
		double		top = 0.0;
		int			i;

		for (i = 0; i < qf->npieces; i++)
			if (qf->pieces[i].hi <= x)
				top = Max(top, qf->pieces[i].cum);
		*lo = *hi = nl->nranges + nl->natoms > 0 ? top : 0.0;
		return;
	}
	p = &qf->pieces[nl->ranges[a]];
	prev = nl->ranges[a] > 0 ? qf->pieces[nl->ranges[a] - 1].cum : 0.0;
	if (x <= p->lo)
		*lo = *hi = prev;
	else
		*lo = *hi = prev + (p->cum - prev) * Min(1.0, (x - p->lo) / (p->hi - p->lo));
}

/*
 * The pieces of the uniform scale over which dimension "dimcol" (numbered
 * like DependenceModel.columns) scores its values: ties where the fit
 * spreads a value over an interval, continuous stretches elsewhere.
 * Returns their number; *pieces is palloc'd.
 */
static int
dimension_pieces(const ColumnModel *cm, bool missingness, ScorePiece **pieces)
{
	ScorePiece *p;
	int			n = 0,
				i;

	if (missingness)
	{
		p = palloc(sizeof(ScorePiece) * 2);
		p[0].lo = 0.0;
		p[0].hi = p[1].lo = cm->null_frac;
		p[1].hi = 1.0;
		p[0].tie = p[1].tie = true;
		*pieces = p;
		return 2;
	}
	if (cm->kind == COLUMN_CATEGORICAL)
	{
		p = palloc(sizeof(ScorePiece) * (cm->ncategories + 1));
		for (i = 0; i < cm->ncategories; i++)
		{
			p[n].lo = i > 0 ? cm->category_cum[i - 1] : 0.0;
			p[n].hi = cm->category_cum[i];
			p[n++].tie = true;
		}
		if (cm->other_prob > 0.0)
		{
			p[n].lo = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;
			p[n].hi = 1.0;
			p[n++].tie = true;
		}
	}
	else
	{
		const QuantileFunction *qf = &cm->quantiles;

		p = palloc(sizeof(ScorePiece) * Max(qf->npieces, 1));
		for (i = 0; i < qf->npieces; i++)
		{
			p[n].lo = i > 0 ? qf->pieces[i - 1].cum : 0.0;
			p[n].hi = qf->pieces[i].cum;
			p[n++].tie = qf->pieces[i].lo == qf->pieces[i].hi;
		}
	}
	*pieces = p;
	return n;
}

/*
 * The standard normal density, 0 at an infinite end.  (latent_correlation.c
 * computes phi as exp(-z^2/2) / sqrt(2 pi): the same function, rounded
 * differently in the last bit; sharing one changes every fitted model's
 * bits, so each keeps its own.)
 */
static double
normal_density(double z)
{
	return isinf(z) ? 0.0 : exp(-0.5 * z * z) * 0.39894228040143267794;
}

/*
 * E[Z | Phi^-1(lo) < Z < Phi^-1(hi)], the score of a tie over [lo, hi):
 * (phi(a) - phi(b)) / (hi - lo).  An interval too narrow for that
 * difference to keep its digits scores its middle.
 */
static double
interval_mean(double lo, double hi)
{
	if (hi - lo < 1e-9)
		return synth_normal_quantile(0.5 * (lo + hi));
	return (normal_density(synth_normal_quantile_end(lo)) -
			normal_density(synth_normal_quantile_end(hi))) / (hi - lo);
}

/*
 * The variance of a dimension's scores under the copula's latent normal Z:
 * the squared mean of each tie's interval times its mass, and over each
 * continuous stretch (a, b) Z's own second moment there, mass + a phi(a) -
 * b phi(b).  1 for a dimension without ties.
 */
static double
score_variance(const ScorePiece *pieces, int npieces)
{
	double		v = 0.0;
	int			i;

	for (i = 0; i < npieces; i++)
	{
		double		mass = pieces[i].hi - pieces[i].lo;

		if (!(mass > 0.0))
			continue;
		if (pieces[i].tie)
		{
			double		m = interval_mean(pieces[i].lo, pieces[i].hi);

			v += mass * m * m;
		}
		else
		{
			double		a = synth_normal_quantile_end(pieces[i].lo),
						b = synth_normal_quantile_end(pieces[i].hi);

			v += mass + (isinf(a) ? 0.0 : a * normal_density(a)) -
				(isinf(b) ? 0.0 : b * normal_density(b));
		}
	}
	return Min(Max(v, 1e-12), 1.0);
}

/*
 * Replace the observed correlations of the kept dimensions by the latent
 * ones (latent_correlation.c) wherever a tied dimension takes part.
 */
static void
correct_for_ties(const SynthModel *model, const int *dims, int dim, int n, double *corr)
{
	double		noise = 3.0 / sqrt((double) Max(n, 1));
	int			ncols = model->ncolumns;
	double	   *coef = palloc(sizeof(double) * (LATENT_TERMS + 1) * dim);
	bool	   *tied = palloc(sizeof(bool) * dim);
	int			k,
				l;

	for (k = 0; k < dim; k++)
	{
		ScorePiece *pieces;
		int			npieces = dimension_pieces(&model->columns[dims[k] % ncols],
											   dims[k] >= ncols, &pieces);

		tied[k] = latent_coefficients(pieces, npieces, &coef[k * (LATENT_TERMS + 1)]);
		pfree(pieces);
	}
	for (k = 0; k < dim; k++)
	{
		CHECK_FOR_INTERRUPTS();
		for (l = 0; l < k; l++)
		{
			double		c;

			double		observed = corr[k * dim + l];

			if (!tied[k] && !tied[l])
				continue;

			/*
			 * Not where the observed value is within sampling noise of 0
			 * (a rare tie keeps so little of a correlation that inverting
			 * the series would blow noise up to a strong one), nor between
			 * a column's value and its own missingness (the value score of
			 * a NULL row does not exist, so their pair is noise by
			 * construction); and never beyond LATENT_MAX_GAIN times the
			 * observed value, nor with the other sign.
			 */
			if (fabs(observed) < noise || dims[k] % model->ncolumns == dims[l] % model->ncolumns)
				continue;
			c = latent_correlation(observed,
								   &coef[k * (LATENT_TERMS + 1)],
								   &coef[l * (LATENT_TERMS + 1)]);
			if (c * observed < 0.0)
				c = observed;
			else if (fabs(c) > LATENT_MAX_GAIN * fabs(observed))
				c = copysign(LATENT_MAX_GAIN * fabs(observed), observed);
			corr[k * dim + l] = corr[l * dim + k] = c;
		}
	}
	pfree(coef);
	pfree(tied);
}

/*
 * The latent correction assumes that a tied column cuts a normal that is
 * jointly normal with the others.  Where a category rather splits the
 * rows into clusters (the sexes of one penguin species, each with its own
 * mean mass), the corrected correlations can contradict each other: the
 * matrix is no correlation matrix.  The generic repair (the nearest one)
 * would then shrink every correlation, the numbers' among themselves too.
 * Instead the correction is taken only as far as the matrix stays valid:
 * the largest share t of it, corr = observed + t (corrected - observed),
 * found by bisection.  Pairs without a tied column are the same in both
 * and stay untouched.
 */
static void
keep_correction_valid(double *corr, const double *observed, int dim)
{
	double	   *work = palloc(sizeof(double) * dim * dim);
	double	   *corrected = palloc(sizeof(double) * dim * dim);
	double		lo = 0.0,
				hi = 1.0;
	int			iter,
				k;

	if (positive_definite(corr, dim, work) || !positive_definite(observed, dim, work))
	{
		pfree(work);
		pfree(corrected);
		return;
	}
	memcpy(corrected, corr, sizeof(double) * dim * dim);
	for (iter = 0; iter < 30; iter++)
	{
		double		t = 0.5 * (lo + hi);

		CHECK_FOR_INTERRUPTS();
		for (k = 0; k < dim * dim; k++)
			corr[k] = observed[k] + t * (corrected[k] - observed[k]);
		if (positive_definite(corr, dim, work))
			lo = t;
		else
			hi = t;
	}
	for (k = 0; k < dim * dim; k++)
		corr[k] = observed[k] + lo * (corrected[k] - observed[k]);
	pfree(work);
	pfree(corrected);
}

/*
 * Columns that are NULL in exactly the same rows (the lab values of a visit
 * that did not take place, the parts of an address never given) must come
 * out NULL together.  Their missingness dimensions are one variable, whose
 * latent correlation with itself (1) the fit's tie correction cannot reach
 * while the copies' other correlations differ by noise.  So each copy takes
 * the first one's correlations, the copies correlate 1 with it, and the
 * matrix is shrunk by SHARED_NULLS_EPSILON towards the identity to stay
 * positive definite: the copies then part on about one row in 700 (two
 * normals of correlation 1 - 1e-5 fall on opposite sides of a cut with
 * probability below 0.0015).  The matrix was positive definite before;
 * one with copied rows is semidefinite, and the shrinkage makes it definite.
 *
 * The rows NULL together then form a part of the table whose other values
 * the model reproduces as a whole, like a group; so, like a group, they
 * must be at least GROUP_MIN_ROWS and GROUP_ROWS_PER_COLUMN per column
 * (pbc's training halves: 53 patients without lab values tied at 20
 * columns raised the DCR share from 0.52 to 0.57).  Fewer, and the
 * columns keep their separate missingness.
 */
static void
tie_shared_missingness(const SynthModel *model, const TableSample *sample,
					   const int *dims, int dim, double *corr)
{
	int			ncols = model->ncolumns;
	int		   *same_as = palloc(sizeof(int) * dim);
	bool		any = false;
	int			k,
				l,
				r,
				nulls;

	for (k = 0; k < dim; k++)
	{
		same_as[k] = -1;
		if (dims[k] < ncols || sample->columns[dims[k] - ncols].isnull == NULL)
			continue;
		for (l = 0; l < k && same_as[k] < 0; l++)
		{
			const bool *a,
					   *b;

			if (dims[l] < ncols || same_as[l] >= 0 ||
				sample->columns[dims[l] - ncols].isnull == NULL)
				continue;
			a = sample->columns[dims[k] - ncols].isnull;
			b = sample->columns[dims[l] - ncols].isnull;
			nulls = 0;
			for (r = 0; r < sample->nrows && a[r] == b[r]; r++)
				nulls += a[r];
			if (r == sample->nrows &&
				nulls >= Max(GROUP_MIN_ROWS, GROUP_ROWS_PER_COLUMN * ncols))
			{
				same_as[k] = l;
				any = true;
			}
		}
	}
	if (any)
	{
		for (k = 0; k < dim; k++)
		{
			if (same_as[k] < 0)
				continue;
			for (l = 0; l < dim; l++)
			{
				int			from = same_as[l] >= 0 ? same_as[l] : l;
				double		c = from == same_as[k] ? 1.0 : corr[same_as[k] * dim + from];

				corr[k * dim + l] = corr[l * dim + k] = c;
			}
		}
		for (k = 0; k < dim; k++)
			for (l = 0; l < dim; l++)
				if (k != l)
					corr[k * dim + l] *= 1.0 - SHARED_NULLS_EPSILON;
	}
	pfree(same_as);
}

/*
 * The scores of one dimension over the sample's n rows into out (NaN where
 * the dimension is not observed): the value of column cm (sample column
 * sc), or with "missingness" whether it is NULL.  A point scores its
 * normal quantile, a tie (an interval of positive width) the mean of Z
 * over the interval, cached per interval.  codes is n ints of scratch.
 */
static void
score_dimension(const ColumnModel *cm, const SampleColumn *sc, bool missingness, int n,
				int *codes, double *out)
{
	int			r;
	double		nf = cm->null_frac;
	NumericLookup lookup = {0};
	double	   *tie_mean = NULL;	/* per interval (below), NaN = not yet */
	int		   *visit = NULL;	/* the rows in order of value, if known */
	int			cursor[2] = {0, 0};
	int			nties = 0,
				i;

	if (!missingness && cm->kind == COLUMN_CATEGORICAL)
	{
		category_codes(cm, sc, n, codes);
		nties = cm->ncategories;
	}
	if (!missingness && cm->kind == COLUMN_NUMERIC)
	{
		numeric_lookup_build(&cm->quantiles, &lookup);
		nties = cm->quantiles.npieces;
		if (sc->order != NULL)
		{
			/* the NULL rows first, then the others in order of value */
			int			m = 0;

			visit = palloc(sizeof(int) * n);
			for (r = 0; r < n; r++)
				if (sc->isnull[r])
					visit[m++] = r;
			memcpy(visit + m, sc->order, sizeof(int) * (n - m));
		}
	}
	/*
	 * The intervals a score can be the mean of: each numeric piece or
	 * category, then two more, the pooled rare values (or, for a
	 * missingness dimension, NULL) and a rare value whose share went
	 * to the kept ones (or any value).
	 */
	tie_mean = palloc(sizeof(double) * (nties + 2));
	for (i = 0; i < nties + 2; i++)
		tie_mean[i] = get_float8_nan();

	for (i = 0; i < n; i++)
	{
		double		lo,
					hi;
		int			tie = -1;	/* the cache entry of this interval */

		r = visit ? visit[i] : i;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (missingness)
		{
			lo = sc->isnull[r] ? 0.0 : nf;
			hi = sc->isnull[r] ? nf : 1.0;
			tie = sc->isnull[r] ? nties : nties + 1;
		}
		else if (sc->isnull[r])
		{
			out[r] = get_float8_nan();
			continue;
		}
		else if (cm->kind == COLUMN_NUMERIC)
			numeric_interval(&lookup, sc->numbers[r], &lo, &hi, &tie,
							 visit ? cursor : NULL);
		else if (codes[r] >= 0)
		{
			lo = codes[r] > 0 ? cm->category_cum[codes[r] - 1] : 0.0;
			hi = cm->category_cum[codes[r]];
			tie = codes[r];
		}
		else if (cm->other_prob > 0.0)
		{
			/* a pooled rare value, sampled as a made-up string */
			lo = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;
			hi = 1.0;
			tie = nties;
		}
		else
		{
			/* a rare value whose share went to the kept ones */
			lo = 0.0;
			hi = 1.0;
			tie = nties + 1;
		}
		if (!(hi > lo))
			out[r] = synth_normal_quantile(lo);
		else
		{
			/* every interval of positive width is one of the cached ones */
			Assert(tie >= 0 && tie < nties + 2);
			if (isnan(tie_mean[tie]))
				tie_mean[tie] = interval_mean(lo, hi);
			out[r] = tie_mean[tie];
		}
	}
	if (!missingness && cm->kind == COLUMN_NUMERIC)
		numeric_lookup_free(&lookup);
	if (visit)
		pfree(visit);
	pfree(tie_mean);
}

/*
 * dependence_fit: learn the copula's correlation matrix from the fitting
 * sample, whose columns match model->columns one to one.  Dimension k is
 * column dims[k] % ncolumns, its values if dims[k] < ncolumns, else its
 * missingness.
 */
void
dependence_fit(SynthModel *model, const TableSample *sample)
{
	DependenceModel *dep = &model->dependence;
	int			ncols = model->ncolumns;
	int			dim = 0;
	int		   *dims = palloc(sizeof(int) * 2 * ncols);
	double	   *scores;
	int		   *codes;
	double	   *corr;
	int			n = sample->nrows;
	int			k,
				l,
				r;

	dep->kind = DEPENDENCE_NONE;
	dep->dim = 0;
	dep->columns = NULL;
	dep->correlation = NULL;

	for (k = 0; k < ncols; k++)
	{
		if (value_varies(&model->columns[k]))
			dims[dim++] = k;
		if (has_missingness(&model->columns[k]))
			dims[dim++] = ncols + k;
	}
	if (dim < 2 || n < 3)
		return;

	/*
	 * scores[k * n + r], NaN where dimension k is not observed in row r
	 * (until the sums below make it 0 beside a mask)
	 */
	scores = palloc_extended(sizeof(double) * dim * (Size) n, MCXT_ALLOC_HUGE);
	codes = palloc(sizeof(int) * n);
	for (k = 0; k < dim; k++)
		score_dimension(&model->columns[dims[k] % ncols], &sample->columns[dims[k] % ncols],
						dims[k] >= ncols, n, codes, &scores[(Size) k * n]);

	/* Pearson correlation of each pair over the rows where both are observed */
	corr = palloc0(sizeof(double) * dim * dim);
	{
		/*
		 * Per dimension: any NaN, and the sum and sum of squares of the rows
		 * where it is observed.
		 * A dimension with gaps gets a mask, 1 where observed, and its NaN
		 * scores become 0, so that the sums over the rows where both of a
		 * pair are observed need no test per row.
		 */
		bool	   *gaps = palloc0(sizeof(bool) * dim);
		double	   *sum = palloc0(sizeof(double) * dim);
		double	   *sum_sq = palloc0(sizeof(double) * dim);
		double	  **mask = palloc0(sizeof(double *) * dim);

		for (k = 0; k < dim; k++)
		{
			double	   *x = &scores[(Size) k * n];

			for (r = 0; r < n; r++)
			{
				if (isnan(x[r]))
				{
					gaps[k] = true;
					continue;
				}
				sum[k] += x[r];
				sum_sq[k] += x[r] * x[r];
			}
			if (!gaps[k])
				continue;
			mask[k] = palloc(sizeof(double) * n);
			for (r = 0; r < n; r++)
			{
				mask[k][r] = isnan(x[r]) ? 0.0 : 1.0;
				if (isnan(x[r]))
					x[r] = 0.0;
			}
		}
		for (k = 0; k < dim; k++)
		{
			const double *x = &scores[(Size) k * n];

			CHECK_FOR_INTERRUPTS();
			for (l = 0; l < k; l++)
			{
				const double *y = &scores[(Size) l * n];
				double		a[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
				double		c = 0.0;

				if (!gaps[k] && !gaps[l])
				{
					/* every row: the sums are the dimensions' own */
					double		part[4] = {0.0, 0.0, 0.0, 0.0};

					for (r = 0; r + 3 < n; r += 4)
					{
						part[0] += x[r] * y[r];
						part[1] += x[r + 1] * y[r + 1];
						part[2] += x[r + 2] * y[r + 2];
						part[3] += x[r + 3] * y[r + 3];
					}
					for (; r < n; r++)
						part[0] += x[r] * y[r];
					a[0] = n;
					a[1] = sum[k];
					a[2] = sum[l];
					a[3] = sum_sq[k];
					a[4] = sum_sq[l];
					a[5] = (part[0] + part[1]) + (part[2] + part[3]);
				}
				else if (gaps[k] && gaps[l])
					for (r = 0; r < n; r++)
					{
						double		mx = mask[k][r],
									my = mask[l][r];

						a[0] += mx * my;
						a[1] += x[r] * my;
						a[2] += y[r] * mx;
						a[3] += x[r] * x[r] * my;
						a[4] += y[r] * y[r] * mx;
						a[5] += x[r] * y[r];
					}
				else
				{
					/* one of them has gaps: the rows it has */
					const double *m = gaps[k] ? mask[k] : mask[l];
					const double *full = gaps[k] ? y : x;
					double		observed = 0.0,
								sum_full = 0.0,
								sum_sq_full = 0.0,
								cross = 0.0;

					for (r = 0; r < n; r++)
					{
						observed += m[r];
						sum_full += full[r] * m[r];
						sum_sq_full += full[r] * full[r] * m[r];
						cross += x[r] * y[r];
					}
					a[0] = observed;
					a[1] = gaps[k] ? sum[k] : sum_full;
					a[2] = gaps[k] ? sum_full : sum[l];
					a[3] = gaps[k] ? sum_sq[k] : sum_sq_full;
					a[4] = gaps[k] ? sum_sq_full : sum_sq[l];
					a[5] = cross;
				}
				if (a[0] >= 3.0)
				{
					double		vk = a[3] - a[1] * a[1] / a[0];
					double		vl = a[4] - a[2] * a[2] / a[0];
					double		cov = a[5] - a[1] * a[2] / a[0];

					if (vk > 0 && vl > 0)
						c = cov / sqrt(vk * vl);
				}
				c = Max(-1.0, Min(1.0, c));
				corr[k * dim + l] = corr[l * dim + k] = c;
			}
			corr[k * dim + k] = 1.0;
		}
		for (k = 0; k < dim; k++)
			if (mask[k])
				pfree(mask[k]);
		pfree(mask);
		pfree(gaps);
		pfree(sum);
		pfree(sum_sq);
	}
	pfree(scores);
	pfree(codes);

	/*
	 * A tie scores the mean of its interval, not a draw from it: the scores
	 * then vary less (variance score_variance() instead of 1) and correlate
	 * more by that factor.  Back to the scale of drawn scores, whose
	 * expected correlations the rest of the fit (noise, latent correction)
	 * is written for.
	 */
	{
		double	   *sd = palloc(sizeof(double) * dim);

		for (k = 0; k < dim; k++)
		{
			ScorePiece *pieces;
			int			npieces = dimension_pieces(&model->columns[dims[k] % ncols],
												   dims[k] >= ncols, &pieces);

			sd[k] = sqrt(score_variance(pieces, npieces));
			pfree(pieces);
		}
		for (k = 0; k < dim; k++)
			for (l = 0; l < dim; l++)
				if (l != k)
					corr[k * dim + l] *= sd[k] * sd[l];
		pfree(sd);
	}

	/*
	 * Dimensions that correlate with no other beyond sampling noise (three
	 * standard errors of r, 3 / sqrt(n)) are drawn on their own: the same
	 * model, and a smaller matrix to multiply for every sampled row.
	 */
	{
		double		noise = 3.0 / sqrt((double) n);
		int			kept = 0;
		int		   *keep = palloc(sizeof(int) * dim);
		double	   *small;

		for (k = 0; k < dim; k++)
		{
			bool		linked = false;

			for (l = 0; l < dim && !linked; l++)
				linked = l != k && fabs(corr[k * dim + l]) > noise;
			if (linked)
				keep[kept++] = k;
		}
		if (kept < 2)
		{
			pfree(keep);
			pfree(corr);
			pfree(dims);
			return;
		}
		small = palloc(sizeof(double) * kept * kept);
		for (k = 0; k < kept; k++)
		{
			for (l = 0; l < kept; l++)
				small[k * kept + l] = corr[keep[k] * dim + keep[l]];
			dims[k] = dims[keep[k]];
		}
		pfree(corr);
		pfree(keep);
		corr = small;
		dim = kept;
	}

	/* the latents' correlations, then positive definite for sampling */
	{
		double	   *observed = palloc(sizeof(double) * dim * dim);

		memcpy(observed, corr, sizeof(double) * dim * dim);
		correct_for_ties(model, dims, dim, n, corr);
		keep_correction_valid(corr, observed, dim);
		pfree(observed);
	}
	dependence_make_positive_definite(corr, dim);
	tie_shared_missingness(model, sample, dims, dim, corr);

	dep->kind = DEPENDENCE_GAUSSIAN_COPULA;
	dep->dim = dim;
	dep->columns = dims;
	dep->correlation = corr;
}

/*
 * dependence_sampler_create: factor the stored correlation matrix once per
 * sampling call.  A matrix that cannot be factored came from a damaged
 * model.
 */
DependenceSampler *
dependence_sampler_create(const SynthModel *model)
{
	const DependenceModel *dep = &model->dependence;
	DependenceSampler *ds = palloc0(sizeof(DependenceSampler));
	int			ncols = model->ncolumns;
	bool	   *joint = palloc0(sizeof(bool) * 2 * ncols);
	int			k;

	ds->ncolumns = ncols;
	if (dep->kind == DEPENDENCE_GAUSSIAN_COPULA && dep->dim > 0)
	{
		ds->dim = dep->dim;
		ds->columns = dep->columns;
		ds->correlation = dep->correlation;
		ds->cholesky = palloc(sizeof(double) * dep->dim * dep->dim);
		ds->normals = palloc(sizeof(double) * dep->dim);
		memcpy(ds->cholesky, dep->correlation, sizeof(double) * dep->dim * dep->dim);
		if (!synth_cholesky(ds->cholesky, dep->dim))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the correlation matrix of a synth model is not positive definite"),
					 errhint("Drop the model with synth_drop() and fit it again with synth_fit().")));
		for (k = 0; k < dep->dim; k++)
			joint[dep->columns[k]] = true;
	}

	/* the dimensions drawn on their own: every value, and missingness where needed */
	ds->independent = palloc(sizeof(int) * 2 * ncols);
	ds->nindependent = 0;
	for (k = 0; k < ncols; k++)
	{
		const ColumnModel *cm = &model->columns[k];

		if (!joint[k])
			ds->independent[ds->nindependent++] = k;
		if (!joint[ncols + k] && cm->null_frac > 0.0 && cm->null_frac < 1.0)
			ds->independent[ds->nindependent++] = ncols + k;
	}
	pfree(joint);
	return ds;
}

/*
 * dependence_draw: one row's uniforms in [0, 1): u[c * stride] for the value
 * of model column c, u[(ncolumns + c) * stride] for its missingness (set
 * where the column has NULLs and some values).
 */
void
dependence_draw(const DependenceSampler *ds, SynthRng *rng, double *u, Size stride)
{
	int			j,
				k;
	int			dim = ds->dim;

	for (j = 0; j < ds->nindependent; j++)
		u[ds->independent[j] * stride] = synth_rng_uniform(rng);
	if (dim == 0)
		return;
	for (k = 0; k < dim; k++)
		ds->normals[k] = synth_rng_gaussian(rng);
	for (k = dim - 1; k >= 0; k--)
	{
		const double *lrow = &ds->cholesky[k * dim];
		double		z = 0.0;
		double		p;

		for (j = 0; j <= k; j++)
			z += lrow[j] * ds->normals[j];
		p = synth_normal_cdf(z);
		u[ds->columns[k] * stride] = p < 1.0 ? p : SYNTH_U_MAX;
	}
}
