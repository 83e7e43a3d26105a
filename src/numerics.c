/*-------------------------------------------------------------------------
 *
 * numerics.c
 *	  The one file that uses GSL: random numbers, the standard normal
 *	  distribution, and the matrix work of the dependence model.
 *
 * GSL's default error handler calls abort(), which would take the whole
 * backend down; synth_numerics_init() turns it off, and every GSL status
 * code is checked here and turned into an ereport().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "numerics.h"

struct SynthRng
{
	gsl_rng    *rng;
};

void
synth_numerics_init(void)
{
	gsl_set_error_handler_off();
}

/*
 * SplitMix64 finaliser: spreads a user seed (or a seed and stream number)
 * over all bits, so that nearby seeds give unrelated generators.
 */
uint64
synth_mix_seed(uint64 x)
{
	x += UINT64CONST(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

/*
 * A generator seeded deterministically from "seed".  MT19937 gives the same
 * stream on every platform for the same seed.  The caller owns the result
 * and must free it with synth_rng_free() (also on error paths: PG_FINALLY).
 */
SynthRng *
synth_rng_create(uint64 seed)
{
	SynthRng   *r = palloc(sizeof(SynthRng));
	uint64		mixed = synth_mix_seed(seed);

	r->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (r->rng == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory allocating a random number generator")));
	/* MT19937 uses 32 seed bits; fold the mixed 64 bits into them */
	gsl_rng_set(r->rng, (unsigned long) (uint32) (mixed ^ (mixed >> 32)));
	return r;
}

void
synth_rng_free(SynthRng *rng)
{
	if (rng == NULL)
		return;
	if (rng->rng)
		gsl_rng_free(rng->rng);
	rng->rng = NULL;
}

double
synth_rng_uniform(SynthRng *rng)
{
	return gsl_rng_uniform(rng->rng);
}

double
synth_rng_gaussian(SynthRng *rng)
{
	return gsl_ran_gaussian_ziggurat(rng->rng, 1.0);
}

uint32
synth_rng_uint32(SynthRng *rng)
{
	return (uint32) gsl_rng_get(rng->rng);
}

/*
 * Phi(z) by linear interpolation in a table of GSL's gsl_cdf_ugaussian_P at
 * NORMAL_CDF_STEPS points over [-NORMAL_CDF_RANGE, NORMAL_CDF_RANGE], built
 * once per backend.  The copula calls it for every dimension of every row;
 * the table is several times faster than the exact function and off by less
 * than 1e-6 (the second derivative of Phi is below 0.25; the step is 1/256),
 * far below any sampling error.
 */
#define NORMAL_CDF_RANGE 8.5
#define NORMAL_CDF_RANGE_STEPS 17		/* 2 * NORMAL_CDF_RANGE */
#define NORMAL_CDF_PER_UNIT 256
#define NORMAL_CDF_STEPS (NORMAL_CDF_RANGE_STEPS * NORMAL_CDF_PER_UNIT)

static double normal_cdf_table[NORMAL_CDF_STEPS + 2];
static bool normal_cdf_ready = false;

double
synth_normal_cdf(double z)
{
	double		x;
	int			i;

	if (unlikely(!normal_cdf_ready))
	{
		for (i = 0; i <= NORMAL_CDF_STEPS + 1; i++)
			normal_cdf_table[i] = gsl_cdf_ugaussian_P(-NORMAL_CDF_RANGE + (double) i / NORMAL_CDF_PER_UNIT);
		normal_cdf_ready = true;
	}
	if (!(z > -NORMAL_CDF_RANGE))
		return gsl_cdf_ugaussian_P(z);
	if (z >= NORMAL_CDF_RANGE)
		return gsl_cdf_ugaussian_P(z);
	x = (z + NORMAL_CDF_RANGE) * NORMAL_CDF_PER_UNIT;
	i = (int) x;
	return normal_cdf_table[i] + (normal_cdf_table[i + 1] - normal_cdf_table[i]) * (x - i);
}

double
synth_normal_quantile(double p)
{
	if (p <= 0.0)
		p = 1e-12;
	if (p >= 1.0)
		p = 1.0 - 1e-12;
	return gsl_cdf_ugaussian_Pinv(p);
}

/* Phi^-1(p) for an interval's end: -infinity at 0, +infinity at 1 */
double
synth_normal_quantile_end(double p)
{
	if (p <= 0.0)
		return -INFINITY;
	if (p >= 1.0)
		return INFINITY;
	return synth_normal_quantile(p);
}

/*
 * Replace the symmetric n x n matrix "a" (row major, unit diagonal expected)
 * by a nearby positive definite correlation matrix: clip its eigenvalues
 * from below and rescale to a unit diagonal.  Pairwise-estimated
 * correlations are not always positive definite; this is the usual repair
 * (one step of Higham's alternating projections).
 */
void
synth_nearest_correlation(double *a, int n)
{
	gsl_matrix_view m = gsl_matrix_view_array(a, n, n);
	gsl_matrix *work = gsl_matrix_alloc(n, n);
	gsl_matrix *evec = gsl_matrix_alloc(n, n);
	gsl_vector *eval = gsl_vector_alloc(n);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
	int			status;
	int			i,
				j,
				k;
	const double floor_eigen = 1e-3;

	if (!work || !evec || !eval || !ws)
	{
		if (work)
			gsl_matrix_free(work);
		if (evec)
			gsl_matrix_free(evec);
		if (eval)
			gsl_vector_free(eval);
		if (ws)
			gsl_eigen_symmv_free(ws);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory in the dependence model")));
	}

	gsl_matrix_memcpy(work, &m.matrix);
	status = gsl_eigen_symmv(work, eval, evec, ws);
	gsl_eigen_symmv_free(ws);
	gsl_matrix_free(work);
	if (status != GSL_SUCCESS)
	{
		gsl_matrix_free(evec);
		gsl_vector_free(eval);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("eigen decomposition of the correlation matrix failed: %s",
						gsl_strerror(status))));
	}

	for (i = 0; i < n; i++)
	{
		for (j = 0; j <= i; j++)
		{
			double		s = 0.0;

			for (k = 0; k < n; k++)
			{
				double		l = gsl_vector_get(eval, k);

				if (l < floor_eigen)
					l = floor_eigen;
				s += gsl_matrix_get(evec, i, k) * l * gsl_matrix_get(evec, j, k);
			}
			a[i * n + j] = a[j * n + i] = s;
		}
	}
	gsl_matrix_free(evec);
	gsl_vector_free(eval);

	/* back to a unit diagonal */
	{
		double	   *d = palloc(sizeof(double) * n);

		for (i = 0; i < n; i++)
			d[i] = sqrt(a[i * n + i]);
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				a[i * n + j] /= d[i] * d[j];
		pfree(d);
	}
}

/*
 * In-place Cholesky factorisation of the n x n matrix "a" (row major): on
 * success the lower triangle holds L with a = L L' and the strict upper
 * triangle is zeroed.  Returns false, "a" undefined, if "a" is not positive
 * definite.
 */
bool
synth_cholesky(double *a, int n)
{
	gsl_matrix_view m = gsl_matrix_view_array(a, n, n);
	int			i,
				j;

	if (gsl_linalg_cholesky_decomp1(&m.matrix) != GSL_SUCCESS)
		return false;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			a[i * n + j] = 0.0;
	return true;
}

/*
 * The inverse of the symmetric positive definite n x n matrix "a" (row
 * major), in place; false if it is not positive definite.
 */
bool
synth_spd_inverse(double *a, int n)
{
	gsl_matrix_view m = gsl_matrix_view_array(a, n, n);

	if (gsl_linalg_cholesky_decomp1(&m.matrix) != GSL_SUCCESS)
		return false;
	return gsl_linalg_cholesky_invert(&m.matrix) == GSL_SUCCESS;
}

/*
 * P(a <= Z <= b) for Z standard normal, a <= b (either may be infinite),
 * computed on the side of the tails so that small masses far out keep
 * their relative precision.
 */
double
synth_gaussian_mass(double a, double b)
{
	if (!(a < b))
		return 0.0;
	if (a >= 0.0)
		return gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b);
	if (b <= 0.0)
		return gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
	return 1.0 - gsl_cdf_ugaussian_P(a) - gsl_cdf_ugaussian_Q(b);
}

/*
 * A draw of Z standard normal given a <= Z <= b (a < b), by inversion on
 * the side of the tail.  Beyond where the tail probability underflows, the
 * tail is exponential to first order (Mills' ratio): Z - a is about
 * Exp(a), drawn until it falls below b.
 */
double
synth_truncated_gaussian(SynthRng *rng, double a, double b)
{
	double		u = synth_rng_uniform(rng);
	double		x;

	if (a >= 0.0 || b <= 0.0)
	{
		/* one tail: work with the upper one, mirroring if needed */
		bool		mirror = b <= 0.0;
		double		lo = mirror ? -b : a;
		double		hi = mirror ? -a : b;
		double		qlo = gsl_cdf_ugaussian_Q(lo);
		double		qhi = gsl_cdf_ugaussian_Q(hi);

		if (qlo > 1e-290 && qlo > qhi)
		{
			double		p = qhi + u * (qlo - qhi);

			x = p > 0.0 ? gsl_cdf_ugaussian_Qinv(p) : lo;
		}
		else
		{
			int			tries;

			x = lo;
			for (tries = 0; tries < 100; tries++)
			{
				double		e = lo - log(1.0 - synth_rng_uniform(rng)) / Max(lo, 1.0);

				if (e <= hi)
				{
					x = e;
					break;
				}
			}
		}
		x = Max(lo, Min(hi, x));
		return mirror ? -x : x;
	}
	else
	{
		double		pa = gsl_cdf_ugaussian_P(a);
		double		pb = gsl_cdf_ugaussian_P(b);
		double		p = pa + u * (pb - pa);

		p = Max(1e-300, Min(1.0 - 1e-16, p));
		x = gsl_cdf_ugaussian_Pinv(p);
		return Max(a, Min(b, x));
	}
}

