/*-------------------------------------------------------------------------
 *
 * latent_correlation.c
 *	  Undo the attenuation that ties put into the copula's correlations.
 *
 * The copula samples a latent normal Z per dimension and cuts it at the
 * column's thresholds: a category, an atom of a numeric column, NULL or
 * not.  The fit cannot see Z where a value is tied; think of it as scoring
 * such a value by a draw from Z's law on the value's interval, independent
 * of everything else (dependence.c scores the interval's mean instead and
 * rescales its correlations to this scale, which has the same expectation
 * without the draws' noise).  The Pearson correlation of those scores is
 * smaller than the correlation of the latents (for a 50/50 binary column
 * and a continuous one, by the factor 2/pi = 0.64), and a copula sampled
 * with it loses that much of every dependence that involves a categorical
 * column.
 *
 * The score of a dimension is g(Z) plus noise independent of everything,
 * where g is the identity on continuous stretches and the mean of Z over a
 * tie's interval.  The noise does not correlate, and by Mehler's formula
 * two such scores of latents with correlation rho have covariance
 *
 *		E[g_a(Z_a) g_b(Z_b)] = sum_{k >= 1} rho^k a_k b_k
 *
 * where a_k = E[g_a(Z) h_k(Z)] over the normalised Hermite polynomials h_k
 * (h_k = He_k / sqrt(k!)); the k = 0 term vanishes because the scores have
 * mean zero, and their variance is one.  The coefficients have closed forms
 * in the normal density at the interval ends, computed once per dimension;
 * the latent correlation of a pair solves the series for the observed one
 * (the series increases with rho because both g are non-decreasing).  This
 * is the polychoric and polyserial correlation of the statistics
 * literature, in one formula for every mix of continuous and tied columns
 * (Olsson, "Maximum likelihood estimation of the polychoric correlation
 * coefficient", Psychometrika 44, 1979, gives the two-column special cases).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "latent_correlation.h"
#include "numerics.h"

#define LATENT_MAX 0.995		/* no perfect dependence between two columns */

/* root[k] = sqrt(k), inv_root[k] = 1 / sqrt(k), filled on first use */
static double root[LATENT_TERMS + 2];
static double inv_root[LATENT_TERMS + 2];
static bool root_ready = false;

static void
roots_prepare(void)
{
	int			k;

	if (root_ready)
		return;
	for (k = 0; k <= LATENT_TERMS + 1; k++)
	{
		root[k] = sqrt((double) k);
		inv_root[k] = k > 0 ? 1.0 / root[k] : 0.0;
	}
	root_ready = true;
}

/*
 * t[k] = phi(z) h_k(z) for k <= LATENT_TERMS + 1; zero at infinite z.
 */
static void
density_hermite(double z, double *t)
{
	double		phi;
	int			k;

	if (isinf(z))
	{
		for (k = 0; k <= LATENT_TERMS + 1; k++)
			t[k] = 0.0;
		return;
	}
	phi = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
	t[0] = phi;
	t[1] = phi * z;
	for (k = 1; k <= LATENT_TERMS; k++)
		t[k + 1] = (z * t[k] - root[k] * t[k - 1]) * inv_root[k + 1];
}

/*
 * latent_coefficients: coef[k] = E[g(Z) h_k(Z)] for 1 <= k <= LATENT_TERMS
 * (coef[0] unused) of a dimension made of the given pieces, which cover
 * [0, 1) in order.  Returns false if the dimension is continuous
 * throughout, when coef is (0, 1, 0, ...) and no correction is needed.
 * A piece usually starts where the one before it ends: the quantile and
 * density terms of that end are then the ones already computed.  Adjacent
 * continuous pieces are one stretch (their terms telescope): a numeric
 * column of many ranges costs what its atoms do.
 */
bool
latent_coefficients(const ScorePiece *pieces, int npieces, double *coef)
{
	double		ends[2][LATENT_TERMS + 2];
	double	   *ta = ends[0],
			   *tb = ends[1];
	double		b = NAN,
				b_at = NAN;		/* the last end computed, and its p */
	bool		any_tie = false;
	int			i,
				k;

	roots_prepare();
	for (k = 0; k <= LATENT_TERMS; k++)
		coef[k] = 0.0;
	for (i = 0; i < npieces; i++)
	{
		double		a,
					mass,
					lo = pieces[i].lo,
					hi = pieces[i].hi;
		double		s[LATENT_TERMS + 2];

		if (!(pieces[i].hi > pieces[i].lo))
			continue;
		/* a continuous stretch runs on through the continuous pieces after it */
		while (!pieces[i].tie && i + 1 < npieces && !pieces[i + 1].tie &&
			   pieces[i + 1].lo == hi && pieces[i + 1].hi >= hi)
			hi = pieces[++i].hi;
		if (lo == b_at)
		{
			/* this piece's lower end is the last one's upper end */
			double	   *t = ta;

			a = b;
			ta = tb;
			tb = t;
		}
		else
		{
			a = synth_normal_quantile_end(lo);
			density_hermite(a, ta);
		}
		b = synth_normal_quantile_end(hi);
		b_at = hi;
		density_hermite(b, tb);
		if (!(b > a))
			continue;
		mass = synth_gaussian_mass(a, b);
		if (!(mass > 0.0))
			continue;

		/* s[k] = E[1{a < Z < b} h_k(Z)] */
		s[0] = mass;
		for (k = 1; k <= LATENT_TERMS + 1; k++)
			s[k] = (ta[k - 1] - tb[k - 1]) * inv_root[k];

		if (pieces[i].tie)
		{
			double		mean = (ta[0] - tb[0]) / mass;	/* E[Z | a < Z < b] */

			any_tie = true;
			for (k = 1; k <= LATENT_TERMS; k++)
				coef[k] += mean * s[k];
		}
		else
		{
			/* z h_k = sqrt(k + 1) h_{k+1} + sqrt(k) h_{k-1} */
			for (k = 1; k <= LATENT_TERMS; k++)
				coef[k] += root[k + 1] * s[k + 1] + root[k] * s[k - 1];
		}
	}
	if (!any_tie)
	{
		for (k = 0; k <= LATENT_TERMS; k++)
			coef[k] = 0.0;
		coef[1] = 1.0;
	}
	return any_tie;
}

/* the series at rho, and its slope */
static double
series(double rho, const double *a, const double *b, double *slope)
{
	double		sum = 0.0,
				d = 0.0,
				power = 1.0;	/* rho^(k-1) */
	int			k;

	for (k = 1; k <= LATENT_TERMS; k++)
	{
		double		ab = a[k] * b[k];

		d += k * power * ab;
		power *= rho;
		sum += power * ab;
	}
	*slope = d;
	return sum;
}

/*
 * latent_correlation: the latent correlation whose scores would correlate
 * as observed, within [-LATENT_MAX, LATENT_MAX].  Newton's method from the
 * observed value, kept inside a bracket that every step narrows (a step
 * that would leave it bisects instead); a few steps reach full precision.
 */
double
latent_correlation(double observed, const double *coef_a, const double *coef_b)
{
	double		lo = -LATENT_MAX,
				hi = LATENT_MAX;
	double		x,
				slope;
	int			iter;

	if (observed <= series(lo, coef_a, coef_b, &slope))
		return lo;
	if (observed >= series(hi, coef_a, coef_b, &slope))
		return hi;
	x = Max(lo, Min(hi, observed));
	for (iter = 0; iter < 100; iter++)
	{
		double		f = series(x, coef_a, coef_b, &slope) - observed;
		double		next;

		if (f == 0.0)
			break;
		if (f < 0.0)
			lo = x;
		else
			hi = x;
		next = slope > 0.0 ? x - f / slope : NAN;
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi);
		if (fabs(next - x) <= 1e-15 || hi - lo <= 1e-15)
		{
			x = next;
			break;
		}
		x = next;
	}
	return x;
}
