/*-------------------------------------------------------------------------
 *
 * dp_fit.c
 *	  A differentially private fit: synth_fit(..., epsilon => e).
 *
 * Every statistic the model holds is read from the rows through a
 * calibrated mechanism, and nothing else is read from them.  Neighbouring
 * tables differ by one row (added or removed).  The budget epsilon is
 * split, by sequential composition:
 *
 *	- DP_SHARE_ROWS of it: the row count, a count with two-sided geometric
 *	  noise (the discrete Laplace mechanism; sensitivity 1);
 *	- DP_SHARE_COLUMNS: the columns' models, in equal parts per modelled
 *	  column;
 *	- DP_SHARE_DEPENDENCE: the copula's correlations (given to the columns
 *	  when there are fewer than two).
 *
 * A numeric column (numbers, dates, timestamps) with public bounds (the
 * user's, synth_fit's bounds: not read from the rows) spends its whole part
 * on the histogram below.  Without them it spends an eighth of its
 * part on a noisy count of its values and an eighth on each bound: the
 * first candidate of a fixed, data-independent grid (0 and +-2^k, the range
 * of k set by the type) past the 98th percentile going up from 0, and past
 * the 2nd going down from 0, found by the sparse vector technique; the other five
 * eighths go to a histogram of DP_BINS equal bins between the bounds plus
 * a NULL bin, every count with geometric noise (each row is in one cell:
 * sensitivity 1).  Values outside the bounds are clipped
 * into the end bins; inside a bin, values are uniform.  Nothing about the
 * data's own precision (decimals, lattice steps) is used: integers round
 * because their type does, numeric columns keep their declared scale.
 *
 * A boolean or enum column has a public domain (its type's values): a
 * noisy histogram over it and NULL.  A text column's domain is the data
 * itself, so it cannot be pure epsilon-DP; it is (epsilon, delta)-DP with
 * the stability-based histogram: half of the column's part on the noisy
 * counts of NULL and non-NULL rows, half on each value's noisy count, and
 * only values whose noisy count reaches 1 + ln(1/delta_c)/epsilon_c, and
 * min_group_size, are kept.  A value in one row is kept with probability below delta_c (the
 * delta shared equally by the text columns).  The non-NULL rows the kept
 * values do not account for come back as made-up strings of a fixed,
 * data-independent shape.
 *
 * The correlations (only when their noise scale, from the released row count
 * and the number of columns, is below DP_MAX_CORRELATION_NOISE; otherwise
 * their share goes to the columns): each row's normal scores under the private marginals
 * (NULL scores 0), clipped to [-DP_CLIP, DP_CLIP], summed per pair of
 * columns; one row moves the vector of the P pair sums by at most
 * P * DP_CLIP^2 in L1, so each sum gets Laplace noise of that scale over
 * the budget.  The sums are scaled to correlations with the released
 * counts and repaired to the nearest positive definite matrix
 * (post-processing, free).  No missingness dimensions and no groups: each
 * would spend budget on structure that noise drowns at these sizes.
 *
 * The noise comes from pg_strong_random(), not from the seedable
 * generator.  The mechanisms sample in floating point (Mironov 2012's
 * caveat applies to the Laplace noise of the correlations; the counts use
 * exact discrete noise).  The fit reads every row: a table with more rows
 * than synth.fit_sample_rows is refused rather than subsampled, since the
 * reservoir's choice of rows depends on their order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "column_model.h"
#include "dependence.h"
#include "dp_fit.h"
#include "numerics.h"

#define DP_SHARE_ROWS 0.05
#define DP_SHARE_DEPENDENCE 0.40
#define DP_SHARE_COLUMNS (1.0 - DP_SHARE_ROWS - DP_SHARE_DEPENDENCE)
#define DP_BINS 32
#define DP_CLIP 2.0
#define DP_MAX_CORRELATION_NOISE 0.25
#define DP_HIGH_QUANTILE 0.98
#define DP_FRESH_LENGTH 8

/*
 * The least (a bound's epsilon) x (its threshold in rows) at which a
 * sparse vector scan over the bound candidates rarely stops early: each
 * query below the threshold passes with a chance near exp(-x / 4) / 2,
 * 3e-4 at 30, a few hundredths over the scan's queries at 20.
 */
#define DP_RELIABLE_SEARCH 30.0

/* ---------- noise ---------- */

/* a uniform in (0, 1) from the operating system's strong random source */
static double
dp_uniform(void)
{
	uint64		x;

	if (!pg_strong_random(&x, sizeof(x)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random numbers for differential privacy")));
	return ((double) (x >> 11) + 0.5) / 9007199254740992.0;
}

/*
 * Two-sided geometric noise for a count of sensitivity 1 under epsilon:
 * P(z) proportional to exp(-epsilon |z|), the difference of two geometric
 * variables.
 */
static int64
dp_geometric(double epsilon)
{
	double		log_alpha = -epsilon;
	double		g1 = floor(log(dp_uniform()) / log_alpha);
	double		g2 = floor(log(dp_uniform()) / log_alpha);
	double		z = g1 - g2;

	return (int64) Max(-4e18, Min(4e18, z));
}

static double
dp_laplace(double scale)
{
	return scale * (log(dp_uniform()) - log(dp_uniform()));
}

/*
 * A noisy count, which may be negative: a sum of such counts stays
 * unbiased (of clamped ones, every empty cell would add to it).
 */
static double
dp_noisy_count(int64 count, double epsilon)
{
	return (double) (count + dp_geometric(epsilon));
}

/* a noisy count, never below zero (one draw: Max() would evaluate it twice) */
static double
dp_count(int64 count, double epsilon)
{
	double		z = dp_noisy_count(count, epsilon);

	return Max(z, 0.0);
}

/* ---------- numeric columns ---------- */

/*
 * The candidates for a bound: 0 and +-2^k, ascending, for k over a range
 * that depends only on the type (public): whole numbers from 1 up to the
 * type's limit, days from 1 to 2^17 (359 years either side of 2000),
 * microseconds from one second to 2^53 (285 years), other numbers from
 * 2^-10 to 2^40, but for a numeric of declared precision only up to what it
 * holds, its largest value the last candidate (type_max; numeric(8, 2):
 * 2^19, then 999999.99).  Dates and timestamps beyond those years are
 * clipped to them.  Few candidates keep the exponential mechanism sharp at
 * a small epsilon.
 */
static double *
bound_candidates(NumericRepr repr, double type_max, int *n)
{
	int			kmin,
				kmax,
				k,
				i = 0;
	bool		capped = false;
	double	   *c;

	switch (repr)
	{
		case REPR_INT2:
			kmin = 0, kmax = 15;
			break;
		case REPR_INT4:
			kmin = 0, kmax = 31;
			break;
		case REPR_INT8:
			kmin = 0, kmax = 62;
			break;
		case REPR_DATE:
			kmin = 0, kmax = 17;
			break;
		case REPR_TIMESTAMP:
		case REPR_TIMESTAMPTZ:
			kmin = 20, kmax = 53;
			break;
		default:
			kmin = -10, kmax = 40;
			break;
	}
	/*
	 * Not beyond what the declared type holds (a public fact, not data):
	 * the powers of two it holds, then its largest value.
	 */
	while (kmax >= kmin && ldexp(1.0, kmax) > type_max)
	{
		kmax--;
		capped = true;
	}
	c = palloc(sizeof(double) * (2 * (Max(kmax - kmin + 1, 0) + 1) + 1));
	if (capped)
		c[i++] = -type_max;
	for (k = kmax; k >= kmin; k--)
		c[i++] = -ldexp(1.0, k);
	c[i++] = 0.0;
	for (k = kmin; k <= kmax; k++)
		c[i++] = ldexp(1.0, k);
	if (capped)
		c[i++] = type_max;
	*n = i;
	return c;
}

/* how many of the sorted values lie below x */
static int
count_below(const double *sorted, int n, double x)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (sorted[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The sparse vector technique (AboveThreshold; Dwork and Roth, Algorithm 1):
 * the index of the first query whose noisy value reaches the noisy
 * threshold, or -1.  The queries are counts (sensitivity 1); however many
 * are asked, it costs epsilon.
 */
static int
above_threshold(const double *queries, int n, double threshold, double epsilon)
{
	double		noisy_threshold = threshold + dp_laplace(2.0 / epsilon);
	int			i;

	for (i = 0; i < n; i++)
		if (queries[i] + dp_laplace(4.0 / epsilon) >= noisy_threshold)
			return i;
	return -1;
}

/*
 * Private bounds of the sorted values, each by the sparse vector technique
 * with epsilon: going up from 0 through the positive candidates, the first
 * with at least DP_HIGH_QUANTILE of the (noisy) m values at or below it;
 * going down from 0 through the negative ones, the first with at least
 * that share at or above it.  Starting from 0 keeps the queries whose
 * count is far from the threshold few, so the noise rarely stops a scan
 * early; data that is all positive gets 0 (or just below) as its lower
 * bound.
 */
static void
dp_bounds(NumericRepr repr, double type_max, const double *sorted, int n, double m,
		  double epsilon, double *lo, double *hi)
{
	int			ncand;
	double	   *cand = bound_candidates(repr, type_max, &ncand);
	int			zero = ncand / 2;	/* the candidates are symmetric around 0 */
	int			nside = ncand - zero;	/* 0 and one sign's candidates */
	double	   *q = palloc(sizeof(double) * nside);
	int			i,
				k;

	/* up: how many values are at or below 0, 2^kmin, ... */
	for (i = 0; i < nside; i++)
		q[i] = count_below(sorted, n, nextafter(cand[zero + i], INFINITY));
	k = above_threshold(q, nside, DP_HIGH_QUANTILE * m, epsilon);
	*hi = k >= 0 ? cand[zero + k] : cand[ncand - 1];

	/* down: how many values are at or above 0, -2^kmin, ... */
	for (i = 0; i < nside; i++)
		q[i] = n - count_below(sorted, n, cand[zero - i]);
	k = above_threshold(q, nside, DP_HIGH_QUANTILE * m, epsilon);
	*lo = k >= 0 ? cand[zero - k] : cand[0];
	pfree(cand);
	pfree(q);
}

static int
declared_decimals(const FitColumn *fc)
{
	int			precision;
	int			scale;

	if (fc->type.repr == REPR_NUMERIC && numeric_typmod_decode(fc->typmod, &precision, &scale))
		return Max(scale, 0);	/* numeric(5, -2): whole hundreds, which the type rounds to */
	return -1;
}

static void
dp_fit_numeric(ColumnModel *cm, const FitColumn *fc, const SampleColumn *sc, int n,
			   double epsilon, DpCounts *released)
{
	double	   *values = palloc(sizeof(double) * Max(n, 1));
	int64		counts[DP_BINS];
	double		noisy[DP_BINS];
	int64		nnull = 0;
	double		lo,
				hi,
				width,
				total = 0.0,
				acc = 0.0;
	int			nv = 0,
				r,
				b,
				np = 0;
	double		unclamped = 0.0;
	double		eps_histogram;

	for (r = 0; r < n; r++)
		if (!sc->isnull[r])
			values[nv++] = sc->numbers[r];
		else
			nnull++;
	qsort(values, nv, sizeof(double), compare_doubles);

	if (fc->has_bounds)
	{
		/* public bounds (synth_fit's bounds): the histogram takes it all */
		lo = fc->bound_lo;
		hi = fc->bound_hi;
		eps_histogram = epsilon;
	}
	else
	{
		/* an eighth for the values' count, an eighth for each bound */
		dp_bounds(fc->type.repr,
				  fc->type.repr == REPR_NUMERIC ? numeric_type_max(fc->typmod) : INFINITY,
				  values, nv, dp_count(nv, epsilon / 8), epsilon / 8, &lo, &hi);
		eps_histogram = epsilon * 5 / 8;
	}
	if (hi < lo)
	{
		double		swap = lo;

		lo = hi;
		hi = swap;
	}
	/* a private range that collapsed: widen it (public bounds are the user's) */
	if (!fc->has_bounds && hi - lo < 1e-9 * Max(1.0, fabs(lo)))
		hi = lo + Max(1.0, fabs(lo) * 0.1);
	width = (hi - lo) / DP_BINS;

	memset(counts, 0, sizeof(counts));
	for (r = 0; r < nv; r++)
	{
		/* clamped as a double: an outlier far above hi is the top bin's */
		double		x = floor((values[r] - lo) / width);

		b = !(x >= 0.0) ? 0 : (x >= DP_BINS - 1 ? DP_BINS - 1 : (int) x);
		counts[b]++;
	}
	for (b = 0; b < DP_BINS; b++)
	{
		double		z = dp_noisy_count(counts[b], eps_histogram);

		/* the shape takes the bins clamped at 0; the count, their unclamped sum */
		noisy[b] = Max(z, 0.0);
		total += noisy[b];
		unclamped += z;
	}
	released->nonnull = Max(unclamped, 0.0);
	released->null = fc->not_null ? 0.0 : dp_count(nnull, eps_histogram);
	if (total <= 0.0)
	{
		for (b = 0; b < DP_BINS; b++)
			noisy[b] = 1.0;
		total = DP_BINS;
	}

	cm->kind = COLUMN_NUMERIC;
	cm->is_key = fc->is_key;	/* from the schema, not the data */
	cm->decimals = declared_decimals(fc);
	cm->step = 0.0;
	cm->step_offset = 0.0;
	cm->quantiles.pieces = palloc(sizeof(QuantilePiece) * DP_BINS);
	for (b = 0; b < DP_BINS; b++)
	{
		if (noisy[b] <= 0.0)
			continue;
		acc += noisy[b];
		cm->quantiles.pieces[np].lo = lo + b * width;
		cm->quantiles.pieces[np].hi = b == DP_BINS - 1 ? hi : lo + (b + 1) * width;
		cm->quantiles.pieces[np].cum = Min(acc / total, 1.0);
		np++;
	}
	cm->quantiles.pieces[np - 1].cum = 1.0;
	cm->quantiles.npieces = np;
	cm->null_frac = released->null / Max(released->null + released->nonnull, 1.0);
	if (released->nonnull <= 0.0 && released->null > 0.0)
		cm->null_frac = 1.0;
	pfree(values);
}

/* ---------- categorical columns ---------- */

/* a public domain: the values of a boolean or an enum type, or NULL */
static List *
public_domain(Oid typid)
{
	List	   *labels = NIL;

	if (typid == BOOLOID)
		return list_make2(pstrdup("false"), pstrdup("true"));	/* as the fit reads them */
	if (type_is_enum(typid))
	{
		CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(typid));
		int			i;

		for (i = 0; i < list->n_members; i++)
		{
			Form_pg_enum en = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);

			labels = lappend(labels, pstrdup(NameStr(en->enumlabel)));
		}
		ReleaseSysCacheList(list);
	}
	return labels;
}

/* made-up strings of a fixed shape: DP_FRESH_LENGTH lowercase letters */
static StringShape *
fixed_shape(void)
{
	StringShape *shape = palloc0(sizeof(StringShape));
	int			p;

	shape->length.npieces = 1;
	shape->length.pieces = palloc(sizeof(QuantilePiece));
	shape->length.pieces[0].lo = shape->length.pieces[0].hi = DP_FRESH_LENGTH;
	shape->length.pieces[0].cum = 1.0;
	for (p = 0; p < SHAPE_POSITIONS; p++)
	{
		shape->class_cum[p][0] = 0.0;	/* upper */
		shape->class_cum[p][1] = 1.0;	/* lower */
		shape->class_cum[p][2] = 1.0;
		shape->class_cum[p][3] = 1.0;
		shape->class_cum[p][4] = 1.0;
	}
	return shape;
}

typedef struct LabelCount
{
	char	   *label;
	double		count;
} LabelCount;

static int
compare_label_counts(const void *a, const void *b)
{
	const LabelCount *x = (const LabelCount *) a;
	const LabelCount *y = (const LabelCount *) b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->label, y->label);
}

static void
dp_fit_categorical(ColumnModel *cm, const FitColumn *fc, const SampleColumn *sc, int n,
				   double epsilon, double delta, int min_group_size, DpCounts *released)
{
	List	   *domain = public_domain(fc->typid);
	char	  **values = palloc(sizeof(char *) * Max(n, 1));
	LabelCount *kept;
	int			nkept = 0;
	int64		nnull = 0;
	double		kept_total = 0.0;
	double		unclamped = 0.0;
	double		z;
	int			nv = 0,
				r,
				i,
				j;

	for (r = 0; r < n; r++)
		if (!sc->isnull[r])
			values[nv++] = sc->strings[r];
		else
			nnull++;
	qsort(values, nv, sizeof(char *), compare_cstring);

	cm->kind = COLUMN_CATEGORICAL;
	cm->is_key = fc->is_key;	/* from the schema, not the data */
	cm->other_prob = 0.0;
	cm->shape = NULL;
	if (domain != NIL)
	{
		/* one histogram over the public domain and NULL */
		ListCell   *lc;

		kept = palloc(sizeof(LabelCount) * list_length(domain));
		foreach(lc, domain)
		{
			char	   *label = lfirst(lc);
			int			lo = 0,
						count = 0;

			while (lo < nv && strcmp(values[lo], label) < 0)
				lo++;
			while (lo + count < nv && strcmp(values[lo + count], label) == 0)
				count++;
			z = dp_noisy_count(count, epsilon);
			kept[nkept].label = label;
			kept[nkept].count = Max(z, 0.0);
			kept_total += kept[nkept].count;
			unclamped += z;
			nkept++;
		}
		released->null = fc->not_null ? 0.0 : dp_count(nnull, epsilon);
		released->nonnull = Max(unclamped, 0.0);
		if (kept_total <= 0.0)
		{
			for (i = 0; i < nkept; i++)
				kept[i].count = 1.0;
			kept_total = nkept;
		}
	}
	else
	{
		/* text: the stability-based histogram over the values present */
		double		eps_half = epsilon / 2;
		/*
		 * min_group_size as well (on the noisy counts: post-processing), so
		 * that a private model keeps no value the rule would not
		 */
		double		threshold = Max(1.0 + ceil(log(1.0 / delta) / eps_half),
									(double) Max(min_group_size, 1));
		double		other;

		released->null = fc->not_null ? 0.0 : dp_count(nnull, eps_half);
		released->nonnull = dp_count(nv, eps_half);
		kept = palloc(sizeof(LabelCount) * Max(nv, 1));
		for (i = 0; i < nv; i = j)
		{
			double		noisy;

			for (j = i + 1; j < nv && strcmp(values[j], values[i]) == 0; j++)
				;
			noisy = dp_count(j - i, eps_half);
			/* a key keeps no value: each row's is made up (sampler.c) */
			if (noisy >= threshold && !fc->is_key)
			{
				kept[nkept].label = values[i];
				kept[nkept].count = noisy;
				kept_total += noisy;
				nkept++;
			}
		}
		other = Max(released->nonnull - kept_total, 0.0);
		if (other > 0.0 && fc->type.fresh_strings)
		{
			cm->shape = fixed_shape();
			cm->other_prob = other / (kept_total + other);
			kept_total += other;
		}
		else if (nkept == 0)
		{
			cm->shape = fixed_shape();
			cm->other_prob = 1.0;
			kept_total = 1.0;
		}
	}

	qsort(kept, nkept, sizeof(LabelCount), compare_label_counts);
	cm->ncategories = nkept;
	cm->labels = palloc(sizeof(char *) * Max(nkept, 1));
	cm->category_cum = palloc(sizeof(double) * Max(nkept, 1));
	{
		double		acc = 0.0;

		for (i = 0; i < nkept; i++)
		{
			cm->labels[i] = pstrdup(kept[i].label);
			acc += kept[i].count;
			cm->category_cum[i] = Min(acc / kept_total, 1.0);
		}
		if (cm->shape == NULL && nkept > 0)
			cm->category_cum[nkept - 1] = 1.0;
	}
	cm->null_frac = released->null / Max(released->null + released->nonnull, 1.0);
	if (released->nonnull <= 0.0 && released->null > 0.0)
		cm->null_frac = 1.0;
	pfree(values);
}

/* ---------- the copula ---------- */

/*
 * The normal score of row r of column c under its private model; for a
 * categorical column "code" is the row's category (category_codes()).
 */
static double
dp_score(const ColumnModel *cm, const SampleColumn *sc, int code, int r)
{
	double		u = 0.5;

	if (sc->isnull[r])
		return 0.0;
	if (cm->kind == COLUMN_NUMERIC)
		u = column_value_cdf(cm, sc->numbers[r]);
	else if (code >= 0)
		u = ((code > 0 ? cm->category_cum[code - 1] : 0.0) + cm->category_cum[code]) / 2;
	else
		u = cm->ncategories > 0 ? (cm->category_cum[cm->ncategories - 1] + 1.0) / 2 : 0.5;
	return Max(-DP_CLIP, Min(DP_CLIP, synth_normal_quantile(u)));
}

/* E[min(Z^2, C^2)] for Z standard normal: a clipped score's variance */
static double
clipped_variance(void)
{
	double		c = DP_CLIP;
	double		tail = synth_gaussian_mass(c, INFINITY);
	double		density = exp(-c * c / 2) / sqrt(2 * M_PI);

	return (1.0 - 2 * tail) - 2 * c * density + 2 * c * c * tail;
}

static void
dp_fit_dependence(SynthModel *model, const TableSample *sample, double epsilon,
				  const DpCounts *released)
{
	DependenceModel *dep = &model->dependence;
	int			n = sample->nrows;
	int		   *cols = palloc(sizeof(int) * Max(model->ncolumns, 1));
	double	  **scores;
	double		v = clipped_variance();
	int			d = 0,
				npairs,
				i,
				j,
				r;
	int		   *codes;
	double		scale;

	for (i = 0; i < model->ncolumns; i++)
	{
		const ColumnModel *cm = &model->columns[i];

		if ((cm->kind == COLUMN_NUMERIC && cm->quantiles.npieces > 0) ||
			(cm->kind == COLUMN_CATEGORICAL && cm->ncategories + (cm->other_prob > 0) > 1))
			cols[d++] = i;
	}
	dep->kind = DEPENDENCE_NONE;
	dep->dim = 0;
	if (d < 2)
		return;

	scores = palloc(sizeof(double *) * d);
	codes = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < d; i++)
	{
		const ColumnModel *cm = &model->columns[cols[i]];
		const SampleColumn *sc = &sample->columns[cols[i]];

		scores[i] = palloc(sizeof(double) * Max(n, 1));
		/* each row's category found once, by the shared lookup, not label by label */
		if (cm->kind == COLUMN_CATEGORICAL)
			category_codes(cm, sc, n, codes);
		for (r = 0; r < n; r++)
		{
			scores[i][r] = dp_score(cm, sc, cm->kind == COLUMN_CATEGORICAL ? codes[r] : 0, r);
			if ((r & 4095) == 4095)
				CHECK_FOR_INTERRUPTS();
		}
	}
	pfree(codes);
	npairs = d * (d - 1) / 2;
	scale = npairs * DP_CLIP * DP_CLIP / epsilon;

	dep->kind = DEPENDENCE_GAUSSIAN_COPULA;
	dep->dim = d;
	dep->columns = cols;
	dep->correlation = palloc(sizeof(double) * d * d);
	for (i = 0; i < d; i++)
	{
		dep->correlation[i * d + i] = 1.0;
		for (j = 0; j < i; j++)
		{
			double		sum = 0.0;
			double		denom = v * sqrt(Max(released[cols[i]].nonnull, 1.0) *
										 Max(released[cols[j]].nonnull, 1.0));
			double		rho;

			for (r = 0; r < n; r++)
				sum += scores[i][r] * scores[j][r];
			rho = (sum + dp_laplace(scale)) / denom;
			rho = Max(-0.95, Min(0.95, rho));
			dep->correlation[i * d + j] = dep->correlation[j * d + i] = rho;
		}
	}
	dependence_make_positive_definite(dep->correlation, d);
	for (i = 0; i < d; i++)
		pfree(scores[i]);
	pfree(scores);
}

/* ---------- the model ---------- */

SynthModel *
dp_build_model(FitColumn *cols, int ncols, const TableSample *sample, double epsilon,
			   double delta, int min_group_size)
{
	SynthModel *model = palloc0(sizeof(SynthModel));
	DpCounts   *released = palloc0(sizeof(DpCounts) * Max(ncols, 1));
	int			n = sample->nrows;
	int			modelled = 0,
				ntext = 0,
				sortable = 0;
	double		eps_rows = epsilon * DP_SHARE_ROWS;
	double		eps_columns = epsilon * DP_SHARE_COLUMNS;
	double		eps_dependence = epsilon * DP_SHARE_DEPENDENCE;
	double		noisy_rows;
	int			i;

	for (i = 0; i < ncols; i++)
	{
		if (cols[i].excluded)
			continue;
		modelled++;
		if (cols[i].type.kind == COLUMN_NUMERIC || cols[i].type.kind == COLUMN_CATEGORICAL)
			sortable++;
		if (cols[i].type.kind == COLUMN_CATEGORICAL && public_domain(cols[i].typid) == NIL)
			ntext++;
	}
	/* the row count first: it decides whether a copula is worth its budget */
	noisy_rows = dp_count(n, eps_rows);

	/*
	 * The correlations' noise has a scale of P C^2 / (epsilon n v) for P
	 * pairs; when that is above DP_MAX_CORRELATION_NOISE they are noise, and
	 * the budget does more for the columns.  Decided from the released count
	 * and the number of columns only.
	 */
	if (sortable < 2 || !synth_fit_dependence ||
		(sortable * (sortable - 1) / 2) * DP_CLIP * DP_CLIP /
		(eps_dependence * Max(noisy_rows, 1.0) * clipped_variance()) > DP_MAX_CORRELATION_NOISE)
	{
		/* no copula: its share goes to the columns */
		eps_columns += eps_dependence;
		eps_dependence = 0.0;
	}

	model->ncolumns = ncols;
	model->columns = palloc0(sizeof(ColumnModel) * ncols);
	model->min_group_size = min_group_size;
	model->group_column = -1;
	model->epsilon = epsilon;
	model->delta = ntext > 0 ? delta : 0.0;
	model->budget_rows = DP_SHARE_ROWS;
	model->budget_columns = eps_columns / epsilon;
	model->budget_dependence = eps_dependence / epsilon;

	model->rows_read = model->rows_used = (int64) noisy_rows;

	/*
	 * A column's count noise has a standard deviation of about 1.4 / its
	 * epsilon; when that is more than a few percent of the (noisy) rows, most
	 * of the structure drowns.  Say so, from the released count only.
	 */
	if (modelled > 0 && 1.4 / (eps_columns / modelled) > 0.05 * Max(noisy_rows, 1.0))
		ereport(WARNING,
				(errmsg("epsilon %g leaves about %.3g for each of %d columns of about %.0f rows (a noisy count): expect the noise to drown most of the structure",
						epsilon, eps_columns / modelled, modelled, noisy_rows),
				 errhint("A larger epsilon, fewer columns (exclude), more rows, or public bounds of the numeric columns (bounds) keep more of it.")));

	/*
	 * A range found privately rests on a sparse vector scan whose noise, at
	 * an eighth of the column's part, stops it early on a bound far from the
	 * data (body masses of 2,700 to 6,300 g put in 0 to 16) once that eighth
	 * times the rows is small.  Say which columns, from the released count.
	 */
	if (modelled > 0 &&
		(eps_columns / modelled / 8) * DP_HIGH_QUANTILE * Max(noisy_rows, 1.0) < DP_RELIABLE_SEARCH)
	{
		StringInfoData names;
		int			unbounded = 0;

		initStringInfo(&names);
		for (i = 0; i < ncols; i++)
			if (!cols[i].excluded && cols[i].type.kind == COLUMN_NUMERIC && !cols[i].has_bounds)
			{
				if (unbounded < 5)
					appendStringInfo(&names, "%s%s", unbounded > 0 ? ", " : "",
									 quote_identifier(cols[i].name));
				unbounded++;
			}
		if (unbounded > 5)
			appendStringInfo(&names, " and %d more", unbounded - 5);
		if (unbounded > 0)
			ereport(WARNING,
					(errmsg_plural("at epsilon %g the private range of %d numeric column is likely to miss its values",
								   "at epsilon %g the private ranges of %d numeric columns are likely to miss their values",
								   unbounded, epsilon, unbounded),
					 errdetail("About %.0f rows (a noisy count) leave each bound a budget of %.3g. Columns without public bounds: %s.",
							   noisy_rows, eps_columns / modelled / 8, names.data),
					 errhint("Give their ranges from what you know of them without the rows: bounds => '{\"column\": [low, high]}'.")));
		pfree(names.data);
	}

	for (i = 0; i < ncols; i++)
	{
		FitColumn  *fc = &cols[i];
		ColumnModel *cm = &model->columns[i];
		const SampleColumn *sc = &sample->columns[i];
		double		eps_c = eps_columns / Max(modelled, 1);

		CHECK_FOR_INTERRUPTS();
		if (!column_model_begin(cm, fc))
			continue;
		switch (fc->type.kind)
		{
			case COLUMN_NUMERIC:
				dp_fit_numeric(cm, fc, sc, n, eps_c, &released[i]);
				break;
			case COLUMN_CATEGORICAL:
				dp_fit_categorical(cm, fc, sc, n, eps_c, delta / Max(ntext, 1), min_group_size,
								   &released[i]);
				break;
			case COLUMN_UUID:
				{
					int64		nnull = 0;
					int			r;

					for (r = 0; r < n; r++)
						nnull += sc->isnull[r] ? 1 : 0;
					cm->kind = COLUMN_UUID;
					released[i].null = fc->not_null ? 0.0 : dp_count(nnull, eps_c);
					released[i].nonnull = dp_count(n - nnull, eps_c);
					cm->null_frac = released[i].null / Max(released[i].null + released[i].nonnull, 1.0);
					break;
				}
			case COLUMN_EXCLUDED:
				break;
		}
	}
	if (eps_dependence > 0.0)
		dp_fit_dependence(model, sample, eps_dependence, released);
	pfree(released);
	return model;
}
