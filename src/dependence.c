/*-------------------------------------------------------------------------
 *
 * dependence.c
 *	  The dependence model: a Gaussian copula over the columns' own
 *	  quantile functions.
 *
 * Fit: every value of the fitting sample is turned into a normal score
 * z = Phi^-1(u), where u is where the value falls in its column's model:
 * NULL occupies [0, null_frac), then the values in the order of the
 * column's quantile function (numbers ascending; categories most frequent
 * first, pooled rare values last).  Ties (atoms, categories, NULL) are
 * spread uniformly over their interval.  The correlation matrix of these
 * scores is the model; it is repaired to the nearest positive definite
 * correlation matrix when pairwise estimates do not form one.  Because NULL
 * has its own interval, missingness that depends on other columns is kept.
 *
 * Sample: z = L e with e standard normal and L the Cholesky factor, then
 * u = Phi(z) is handed to each column's quantile function.  Columns outside
 * the copula (uuids, excluded, constant columns) get independent uniforms.
 *
 * This is the family of SDV's GaussianCopula (Sklar's theorem; see Nelsen,
 * "An Introduction to Copulas", 2006).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "column_model.h"
#include "dependence.h"

#define DEPENDENCE_SEED UINT64CONST(0x73796E7468)	/* fits are repeatable */

/*
 * Repair a correlation matrix that is not positive definite (pairwise
 * estimates, blends with missing pairs) to the nearest one that is, with an
 * exact unit diagonal and exact symmetry, as the model format demands.
 */
static void
make_positive_definite(double *corr, int dim)
{
	double	   *test = palloc(sizeof(double) * dim * dim);
	int			k,
				l;

	memcpy(test, corr, sizeof(double) * dim * dim);
	if (!synth_cholesky(test, dim))
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

/* does the column vary at all, so that it can carry dependence? */
static bool
column_varies(const ColumnModel *cm)
{
	if (cm->kind != COLUMN_NUMERIC && cm->kind != COLUMN_CATEGORICAL)
		return false;			/* uuids and excluded columns stay independent */
	if (cm->null_frac >= 1.0)
		return false;
	if (cm->null_frac > 0.0)
		return true;
	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			return cm->quantiles.npieces > 1 ||
				(cm->quantiles.npieces == 1 && cm->quantiles.pieces[0].hi > cm->quantiles.pieces[0].lo);
		case COLUMN_CATEGORICAL:
			return cm->ncategories + (cm->other_prob > 0.0 ? 1 : 0) > 1;
		default:
			return false;
	}
}

/* the interval [lo, hi) of u in the non-NULL part for a numeric value */
static void
numeric_interval(const ColumnModel *cm, double x, double *lo, double *hi)
{
	const QuantileFunction *qf = &cm->quantiles;
	double		prev = 0.0;
	int			a = 0,
				b = qf->npieces - 1;

	/* first piece whose upper end reaches x */
	while (a < b)
	{
		int			mid = (a + b) / 2;

		if (qf->pieces[mid].hi < x)
			a = mid + 1;
		else
			b = mid;
	}
	prev = a > 0 ? qf->pieces[a - 1].cum : 0.0;
	if (x <= qf->pieces[a].lo || qf->pieces[a].hi == qf->pieces[a].lo)
	{
		if (qf->pieces[a].hi == qf->pieces[a].lo && x == qf->pieces[a].lo)
		{
			*lo = prev;
			*hi = qf->pieces[a].cum;
		}
		else
			*lo = *hi = prev;
		return;
	}
	*lo = *hi = prev + (qf->pieces[a].cum - prev) *
		Min(1.0, (x - qf->pieces[a].lo) / (qf->pieces[a].hi - qf->pieces[a].lo));
}

/*
 * dependence_fit: learn the copula's correlation matrix from the fitting
 * sample, whose columns match model->columns one to one.
 */
void
dependence_fit(SynthModel *model, const TableSample *sample)
{
	DependenceModel *dep = &model->dependence;
	int			dim = 0;
	int		   *cols = palloc(sizeof(int) * model->ncolumns);
	double	   *scores;
	int		   *codes;
	double	   *corr;
	int			n = sample->nrows;
	int			k,
				l,
				r;
	SynthRng   *rng;

	dep->kind = DEPENDENCE_NONE;
	dep->dim = 0;
	dep->columns = NULL;
	dep->correlation = NULL;

	for (k = 0; k < model->ncolumns; k++)
		if (column_varies(&model->columns[k]))
			cols[dim++] = k;
	if (dim < 2 || n < 3)
		return;

	scores = palloc(sizeof(double) * dim * (Size) n);
	codes = palloc(sizeof(int) * n);
	rng = synth_rng_create(DEPENDENCE_SEED);
	PG_TRY();
	{
		for (k = 0; k < dim; k++)
		{
			const ColumnModel *cm = &model->columns[cols[k]];
			const SampleColumn *sc = &sample->columns[cols[k]];
			double		nf = cm->null_frac;

			if (cm->kind == COLUMN_CATEGORICAL)
				category_codes(cm, sc, n, codes);

			for (r = 0; r < n; r++)
			{
				double		lo,
							hi,
							u;

				if ((r & 1023) == 0)
					CHECK_FOR_INTERRUPTS();
				if (sc->isnull[r])
				{
					lo = 0.0;
					hi = nf;
				}
				else
				{
					if (cm->kind == COLUMN_NUMERIC)
						numeric_interval(cm, sc->numbers[r], &lo, &hi);
					else if (codes[r] >= 0)
					{
						lo = codes[r] > 0 ? cm->category_cum[codes[r] - 1] : 0.0;
						hi = cm->category_cum[codes[r]];
					}
					else if (cm->other_prob > 0.0)
					{
						/* a pooled rare value, sampled as a made-up string */
						lo = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;
						hi = 1.0;
					}
					else
					{
						/* a rare value whose share went to the kept ones */
						lo = 0.0;
						hi = 1.0;
					}
					lo = nf + (1.0 - nf) * lo;
					hi = nf + (1.0 - nf) * hi;
				}
				u = lo + (hi - lo) * synth_rng_uniform(rng);
				scores[(Size) r * dim + k] = synth_normal_quantile(u);
			}
		}
	}
	PG_FINALLY();
	{
		synth_rng_free(rng);
	}
	PG_END_TRY();

	/* Pearson correlation of the scores */
	corr = palloc0(sizeof(double) * dim * dim);
	{
		double	   *mean = palloc0(sizeof(double) * dim);
		double	   *sd = palloc0(sizeof(double) * dim);

		for (r = 0; r < n; r++)
			for (k = 0; k < dim; k++)
				mean[k] += scores[(Size) r * dim + k];
		for (k = 0; k < dim; k++)
			mean[k] /= n;
		for (r = 0; r < n; r++)
		{
			double	   *row = &scores[(Size) r * dim];

			if ((r & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			for (k = 0; k < dim; k++)
			{
				double		dk = row[k] - mean[k];

				for (l = 0; l <= k; l++)
					corr[k * dim + l] += dk * (row[l] - mean[l]);
			}
		}
		for (k = 0; k < dim; k++)
			sd[k] = sqrt(corr[k * dim + k]);
		for (k = 0; k < dim; k++)
			for (l = 0; l <= k; l++)
			{
				double		c = (sd[k] > 0 && sd[l] > 0) ? corr[k * dim + l] / (sd[k] * sd[l]) : 0.0;

				c = Max(-1.0, Min(1.0, c));
				corr[k * dim + l] = corr[l * dim + k] = c;
			}
		for (k = 0; k < dim; k++)
			corr[k * dim + k] = 1.0;
		pfree(mean);
		pfree(sd);
	}
	pfree(scores);
	pfree(codes);

	/* keep it positive definite, so that sampling can factor it */
	make_positive_definite(corr, dim);

	dep->kind = DEPENDENCE_GAUSSIAN_COPULA;
	dep->dim = dim;
	dep->columns = cols;
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
	int			k;

	ds->ncolumns = model->ncolumns;
	ds->joint = palloc0(sizeof(bool) * model->ncolumns);
	if (dep->kind != DEPENDENCE_GAUSSIAN_COPULA || dep->dim == 0)
		return ds;

	ds->dim = dep->dim;
	ds->columns = dep->columns;
	ds->cholesky = palloc(sizeof(double) * dep->dim * dep->dim);
	ds->normals = palloc(sizeof(double) * dep->dim);
	memcpy(ds->cholesky, dep->correlation, sizeof(double) * dep->dim * dep->dim);
	if (!synth_cholesky(ds->cholesky, dep->dim))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the correlation matrix of a synth model is not positive definite"),
				 errhint("Drop the model with synth_drop() and fit it again with synth_fit().")));
	for (k = 0; k < dep->dim; k++)
		ds->joint[dep->columns[k]] = true;
	return ds;
}

/*
 * dependence_draw: one row's uniforms, u[j] in [0, 1) for every model
 * column j.
 */
void
dependence_draw(const DependenceSampler *ds, SynthRng *rng, double *u)
{
	int			j,
				k;
	int			dim = ds->dim;

	for (j = 0; j < ds->ncolumns; j++)
		if (!ds->joint[j])
			u[j] = synth_rng_uniform(rng);
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
		u[ds->columns[k]] = p < 1.0 ? p : 0.9999999999999999;
	}
}
