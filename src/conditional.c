/*-------------------------------------------------------------------------
 *
 * conditional.c
 *	  Drawing a row's uniforms given that some of them lie in given sets.
 *
 * A row's uniforms come from the Gaussian copula (z = L e, u = Phi(z)) or,
 * for dimensions outside it, are independent.  A direct condition says
 * that some uniforms lie in unions of intervals ("boxes"); in normal
 * scores that is z_d in [Phi^-1(lo), Phi^-1(hi)].  The conditional
 * distribution is then:
 *
 *	- for an independent dimension: uniform on its set;
 *	- for the restricted copula dimensions K: the multivariate normal
 *	  N(0, S_KK) truncated to the box, drawn by Gibbs sampling, one
 *	  coordinate at a time from its univariate conditional normal truncated
 *	  to its intervals (Geweke 1991; the chain starts from a point of the
 *	  box and runs a burn-in; with one restricted dimension every draw is
 *	  exact and independent);
 *	- for the other copula dimensions R: the conditional normal given z_K,
 *	  mean S_RK S_KK^-1 z_K and covariance S_RR - S_RK S_KK^-1 S_KR.
 *
 * No draw is rejected.  The probability of the box, which weighs the
 * groups of a mixture, is exact for one restricted copula dimension (the
 * measure of its set) and otherwise estimated by the GHK simulator
 * (Geweke, Hajivassiliou, Keane), which also yields the chain's start,
 * and before each row's sweeps a GHK draw is proposed as the chain's next
 * state (an independence Metropolis step), so that the chain moves between
 * separate parts of the box, which Gibbs steps alone may never cross.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "conditional.h"

#define GHK_DRAWS 2000
#define GIBBS_BURN_IN 50
#define GIBBS_SWEEPS 3			/* per row, with several restricted dimensions */

USet *
uset_make(int capacity)
{
	USet	   *s = palloc(sizeof(USet));

	s->n = 0;
	s->lo = palloc(sizeof(double) * Max(capacity, 1));
	s->hi = palloc(sizeof(double) * Max(capacity, 1));
	return s;
}

/*
 * Append [lo, hi]; intervals come in ascending order, and one that touches
 * the previous is merged with it.  Empty ones are dropped.  The caller
 * made room (capacity).
 */
void
uset_add(USet *s, double lo, double hi)
{
	lo = Max(lo, 0.0);
	hi = Min(hi, 1.0);
	if (!(hi > lo))
		return;
	if (s->n > 0 && lo <= s->hi[s->n - 1])
	{
		s->hi[s->n - 1] = Max(s->hi[s->n - 1], hi);
		return;
	}
	s->lo[s->n] = lo;
	s->hi[s->n] = hi;
	s->n++;
}

USet *
uset_intersect(const USet *a, const USet *b)
{
	USet	   *s = uset_make(a->n + b->n);
	int			i = 0,
				j = 0;

	while (i < a->n && j < b->n)
	{
		uset_add(s, Max(a->lo[i], b->lo[j]), Min(a->hi[i], b->hi[j]));
		if (a->hi[i] < b->hi[j])
			i++;
		else
			j++;
	}
	return s;
}

USet *
uset_union(const USet *a, const USet *b)
{
	USet	   *s = uset_make(a->n + b->n);
	int			i = 0,
				j = 0;

	while (i < a->n || j < b->n)
	{
		if (j >= b->n || (i < a->n && a->lo[i] <= b->lo[j]))
		{
			uset_add(s, a->lo[i], a->hi[i]);
			i++;
		}
		else
		{
			uset_add(s, b->lo[j], b->hi[j]);
			j++;
		}
	}
	return s;
}

/* [0, 1] less the set */
USet *
uset_complement(const USet *a)
{
	USet	   *s = uset_make(a->n + 1);
	double		from = 0.0;
	int			i;

	for (i = 0; i < a->n; i++)
	{
		uset_add(s, from, a->lo[i]);
		from = a->hi[i];
	}
	uset_add(s, from, 1.0);
	return s;
}

double
uset_measure(const USet *s)
{
	double		m = 0.0;
	int			i;

	for (i = 0; i < s->n; i++)
		m += s->hi[i] - s->lo[i];
	return m;
}

/* a uniform draw from the set (which is not empty) */
static double
uset_draw(const USet *s, SynthRng *rng)
{
	double		t = synth_rng_uniform(rng) * uset_measure(s);
	int			i;

	for (i = 0; i < s->n - 1; i++)
	{
		if (t < s->hi[i] - s->lo[i])
			break;
		t -= s->hi[i] - s->lo[i];
	}
	return Min(s->lo[i] + t, nextafter(s->hi[i], 0.0));
}

/* one restricted copula dimension: its intervals in normal scores */
typedef struct Box
{
	int			n;
	double	   *zlo;
	double	   *zhi;
	const USet *set;
	int			last;			/* interval of the last draw */
	double	   *mass;			/* scratch, n: each interval's probability */
} Box;

struct ConditionalSampler
{
	const DependenceSampler *ds;

	/* dimensions outside the copula, restricted or not */
	const USet **independent_sets;	/* per ds->independent[j], or NULL */

	/* the copula: restricted positions K, the others R */
	int			nk;
	int		   *kpos;
	Box		   *boxes;
	double	   *gibbs_coef;		/* nk x nk: -P_ij / P_ii, P = S_KK^-1 */
	double	   *gibbs_sd;		/* 1 / sqrt(P_ii) */
	double	   *zk;				/* the chain's state */
	double		zk_weight;		/* its GHK weight */
	double	   *chol;			/* nk x nk: Cholesky factor of S_KK */
	double	   *ghk_e;			/* scratch, nk */
	double	   *proposal;		/* scratch, nk */
	int			sweeps;
	int			nr;
	int		   *rpos;
	double	   *regression;		/* nr x nk: S_RK S_KK^-1 */
	double	   *residual_chol;	/* nr x nr: Cholesky of the conditional covariance */
	double	   *e;				/* scratch, nr */

	/* restricted dimensions that copy another's (see TIED_CORRELATION) */
	int			ncopies;
	int		   *copy_column;	/* u index of the copy ... */
	int		   *copy_of;		/* ... and of the dimension it copies */
};

/*
 * x = mean + sd * t with t standard normal, given x in one of the box's
 * intervals; remembers which.
 */
static double
box_draw(Box *box, double mean, double sd, SynthRng *rng)
{
	double	   *m = box->mass;
	double		total = 0.0;
	double		t;
	int			i,
				pick = 0;
	double		x;

	for (i = 0; i < box->n; i++)
	{
		m[i] = synth_gaussian_mass((box->zlo[i] - mean) / sd, (box->zhi[i] - mean) / sd);
		total += m[i];
	}
	if (total > 0.0)
	{
		t = synth_rng_uniform(rng) * total;
		for (pick = 0; pick < box->n - 1; pick++)
		{
			if (t < m[pick])
				break;
			t -= m[pick];
		}
	}
	else
	{
		/* every interval is far out in a tail: take the nearest */
		double		best = INFINITY;

		for (i = 0; i < box->n; i++)
		{
			double		d = mean < box->zlo[i] ? box->zlo[i] - mean :
				(mean > box->zhi[i] ? mean - box->zhi[i] : 0.0);

			if (d < best)
			{
				best = d;
				pick = i;
			}
		}
	}
	box->last = pick;
	x = mean + sd * synth_truncated_gaussian(rng, (box->zlo[pick] - mean) / sd,
											 (box->zhi[pick] - mean) / sd);
	return Max(box->zlo[pick], Min(box->zhi[pick], x));
}

/* the uniform of a restricted dimension, kept inside the interval drawn */
static double
box_uniform(const Box *box, double z)
{
	double		lo = box->set->lo[box->last];
	double		hi = nextafter(box->set->hi[box->last], 0.0);
	double		p = synth_gaussian_mass(-INFINITY, z);

	return Max(lo, Min(hi, p));
}

static void
gibbs_sweep(ConditionalSampler *cs, SynthRng *rng)
{
	int			i,
				j;

	for (i = 0; i < cs->nk; i++)
	{
		const double *coef = &cs->gibbs_coef[i * cs->nk];
		double		mean = 0.0;

		for (j = 0; j < cs->nk; j++)
			if (j != i)
				mean += coef[j] * cs->zk[j];
		cs->zk[i] = box_draw(&cs->boxes[i], mean, cs->gibbs_sd[i], rng);
	}
}

/*
 * The GHK estimate of P(z_K in the boxes) for z_K ~ N(0, S_KK) with
 * Cholesky factor chol; the first draw of positive weight (a point of the
 * box) is left in cs->zk.
 */
/*
 * One GHK draw: z_K coordinate by coordinate, each from its normal given
 * the earlier ones (through the Cholesky factor cs->chol) truncated to its
 * box, into z; returns its weight, the product of the truncated masses (0
 * if a box has none there).  With "given", z is not drawn but taken as it
 * is, and only its weight computed.
 */
static double
ghk_step(ConditionalSampler *cs, SynthRng *rng, double *z, bool given)
{
	int			nk = cs->nk;
	const double *chol = cs->chol;
	double	   *e = cs->ghk_e;
	double		w = 1.0;
	int			i,
				j;

	for (i = 0; i < nk && w > 0.0; i++)
	{
		Box		   *box = &cs->boxes[i];
		double		mean = 0.0;
		double		sd = chol[i * nk + i];
		double		mass = 0.0;
		int			k;

		for (j = 0; j < i; j++)
			mean += chol[i * nk + j] * e[j];
		for (k = 0; k < box->n; k++)
			mass += synth_gaussian_mass((box->zlo[k] - mean) / sd, (box->zhi[k] - mean) / sd);
		w *= mass;
		if (!given)
			z[i] = box_draw(box, mean, sd, rng);
		e[i] = (z[i] - mean) / sd;
	}
	return w;
}

static double
ghk_probability(ConditionalSampler *cs, SynthRng *rng)
{
	int			nk = cs->nk;
	double	   *z = palloc(sizeof(double) * nk);
	double		sum = 0.0;
	bool		started = false;
	int			r;

	for (r = 0; r < GHK_DRAWS; r++)
	{
		double		w = ghk_step(cs, rng, z, false);

		sum += w;
		if (w > 0.0 && !started)
		{
			memcpy(cs->zk, z, sizeof(double) * nk);
			started = true;
		}
	}
	pfree(z);
	return sum / GHK_DRAWS;
}

ConditionalSampler *
conditional_create(const DependenceSampler *ds, USet **sets, SynthRng *rng,
				   double *probability)
{
	ConditionalSampler *cs = palloc0(sizeof(ConditionalSampler));
	int			dim = ds->dim;
	const double *corr = ds->correlation;
	USet	  **restricted;
	bool	   *copied;
	double		p = 1.0;
	int			i,
				j,
				k;

	cs->ds = ds;
	cs->independent_sets = palloc0(sizeof(USet *) * Max(ds->nindependent, 1));
	for (j = 0; j < ds->nindependent; j++)
	{
		USet	   *s = sets[ds->independent[j]];

		if (s == NULL)
			continue;
		p *= uset_measure(s);
		cs->independent_sets[j] = s;
	}

	/*
	 * The sets by position in the copula.  Dimensions correlated at least
	 * TIED_CORRELATION (dependence.h) are one variable: the missingness of
	 * columns NULL in the same rows.  When both are restricted, a Gibbs
	 * chain over the two would barely move (each step's spread is
	 * sqrt(1 - r^2), 0.0045), so the copy's set is merged into the first
	 * one's and the copy takes its uniform.
	 */
	restricted = palloc(sizeof(USet *) * Max(dim, 1));
	copied = palloc0(sizeof(bool) * Max(dim, 1));
	cs->copy_column = palloc(sizeof(int) * Max(dim, 1));
	cs->copy_of = palloc(sizeof(int) * Max(dim, 1));
	for (k = 0; k < dim; k++)
	{
		restricted[k] = sets[ds->columns[k]];
		if (restricted[k] == NULL)
			continue;
		for (j = 0; j < k; j++)
			if (restricted[j] != NULL && !copied[j] && corr[j * dim + k] >= TIED_CORRELATION)
			{
				restricted[j] = uset_intersect(restricted[j], restricted[k]);
				copied[k] = true;
				cs->copy_column[cs->ncopies] = ds->columns[k];
				cs->copy_of[cs->ncopies++] = ds->columns[j];
				break;
			}
	}

	cs->kpos = palloc(sizeof(int) * Max(dim, 1));
	cs->rpos = palloc(sizeof(int) * Max(dim, 1));
	for (k = 0; k < dim; k++)
	{
		if (copied[k])
			continue;
		if (restricted[k] != NULL)
			cs->kpos[cs->nk++] = k;
		else
			cs->rpos[cs->nr++] = k;
	}
	cs->boxes = palloc0(sizeof(Box) * Max(cs->nk, 1));
	for (i = 0; i < cs->nk; i++)
	{
		const USet *s = restricted[cs->kpos[i]];
		Box		   *box = &cs->boxes[i];

		box->n = s->n;
		box->set = s;
		box->zlo = palloc(sizeof(double) * Max(s->n, 1));
		box->zhi = palloc(sizeof(double) * Max(s->n, 1));
		box->mass = palloc(sizeof(double) * Max(s->n, 1));
		for (k = 0; k < s->n; k++)
		{
			box->zlo[k] = synth_normal_quantile_end(s->lo[k]);
			box->zhi[k] = synth_normal_quantile_end(s->hi[k]);
		}
		if (s->n == 0)
			p = 0.0;
	}
	if (p <= 0.0)
	{
		*probability = 0.0;
		return NULL;
	}

	if (cs->nk > 0)
	{
		int			nk = cs->nk;
		int			nr = cs->nr;
		double	   *skk = palloc(sizeof(double) * nk * nk);
		double	   *chol = palloc(sizeof(double) * nk * nk);

		for (i = 0; i < nk; i++)
			for (j = 0; j < nk; j++)
				skk[i * nk + j] = corr[cs->kpos[i] * dim + cs->kpos[j]];
		memcpy(chol, skk, sizeof(double) * nk * nk);
		if (!synth_cholesky(chol, nk) || !synth_spd_inverse(skk, nk))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the correlation matrix of a synth model is not positive definite"),
					 errhint("Drop the model with synth_drop() and fit it again with synth_fit().")));

		/* skk is now P = S_KK^-1: the Gibbs coefficients */
		cs->gibbs_coef = palloc0(sizeof(double) * nk * nk);
		cs->gibbs_sd = palloc(sizeof(double) * nk);
		for (i = 0; i < nk; i++)
		{
			for (j = 0; j < nk; j++)
				if (j != i)
					cs->gibbs_coef[i * nk + j] = -skk[i * nk + j] / skk[i * nk + i];
			cs->gibbs_sd[i] = 1.0 / sqrt(skk[i * nk + i]);
		}
		cs->zk = palloc0(sizeof(double) * nk);
		cs->sweeps = nk == 1 ? 1 : GIBBS_SWEEPS;
		if (nk == 1)
			p *= uset_measure(cs->boxes[0].set);
		else
		{
			cs->chol = chol;
			cs->ghk_e = palloc(sizeof(double) * nk);
			cs->proposal = palloc(sizeof(double) * nk);
			p *= ghk_probability(cs, rng);
			for (i = 0; i < GIBBS_BURN_IN; i++)
				gibbs_sweep(cs, rng);
			cs->zk_weight = ghk_step(cs, rng, cs->zk, true);
		}

		/* the free copula dimensions given the restricted ones */
		if (nr > 0)
		{
			double	   *cond = palloc(sizeof(double) * nr * nr);
			double		jitter = 1e-10;

			cs->regression = palloc0(sizeof(double) * nr * nk);
			for (i = 0; i < nr; i++)
				for (j = 0; j < nk; j++)
				{
					double		b = 0.0;

					for (k = 0; k < nk; k++)
						b += corr[cs->rpos[i] * dim + cs->kpos[k]] * skk[k * nk + j];
					cs->regression[i * nk + j] = b;
				}
			cs->residual_chol = palloc(sizeof(double) * nr * nr);
			for (;;)
			{
				for (i = 0; i < nr; i++)
					for (j = 0; j < nr; j++)
					{
						double		c = corr[cs->rpos[i] * dim + cs->rpos[j]];

						for (k = 0; k < nk; k++)
							c -= cs->regression[i * nk + k] * corr[cs->kpos[k] * dim + cs->rpos[j]];
						cond[i * nr + j] = c + (i == j ? jitter : 0.0);
					}
				memcpy(cs->residual_chol, cond, sizeof(double) * nr * nr);
				if (synth_cholesky(cs->residual_chol, nr))
					break;
				/* a free dimension (almost) determined by the restricted ones */
				jitter *= 100.0;
				if (jitter > 1e-2)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_CORRUPTED),
							 errmsg("the correlation matrix of a synth model is not positive definite"),
							 errhint("Drop the model with synth_drop() and fit it again with synth_fit().")));
			}
			pfree(cond);
			cs->e = palloc(sizeof(double) * nr);
		}
		pfree(skk);
		if (cs->chol == NULL)
			pfree(chol);
	}
	*probability = p;
	return cs;
}

void
conditional_draw(ConditionalSampler *cs, SynthRng *rng, double *u)
{
	const DependenceSampler *ds = cs->ds;
	int			i,
				j;

	if (cs->nk == 0)
		dependence_draw(ds, rng, u, 1);
	else
	{
		for (j = 0; j < ds->nindependent; j++)
			u[ds->independent[j]] = synth_rng_uniform(rng);
		if (cs->nk > 1)
		{
			/*
			 * An independence Metropolis step with a GHK draw as proposal
			 * (accepted with the ratio of the GHK weights, the target over
			 * the proposal density): Gibbs steps alone cannot cross from
			 * one part of a box to another when the dimensions are strongly
			 * correlated (a IN (1, 10) AND b IN (1, 10) with b close to a:
			 * the chain stayed at (10, 10) for a whole call).
			 */
			double		w = ghk_step(cs, rng, cs->proposal, false);

			if (w > 0.0 && (cs->zk_weight <= 0.0 || synth_rng_uniform(rng) * cs->zk_weight < w))
			{
				memcpy(cs->zk, cs->proposal, sizeof(double) * cs->nk);
				cs->zk_weight = w;
			}
		}
		for (i = 0; i < cs->sweeps; i++)
			gibbs_sweep(cs, rng);
		if (cs->nk > 1)
			cs->zk_weight = ghk_step(cs, rng, cs->zk, true);
		for (i = 0; i < cs->nk; i++)
			u[ds->columns[cs->kpos[i]]] = box_uniform(&cs->boxes[i], cs->zk[i]);
		for (i = 0; i < cs->nr; i++)
			cs->e[i] = synth_rng_gaussian(rng);
		for (i = 0; i < cs->nr; i++)
		{
			const double *lrow = &cs->residual_chol[i * cs->nr];
			const double *brow = &cs->regression[i * cs->nk];
			double		z = 0.0;
			double		p;

			for (j = 0; j < cs->nk; j++)
				z += brow[j] * cs->zk[j];
			for (j = 0; j <= i; j++)
				z += lrow[j] * cs->e[j];
			p = synth_normal_cdf(z);
			u[ds->columns[cs->rpos[i]]] = p < 1.0 ? p : SYNTH_U_MAX;
		}
		for (i = 0; i < cs->ncopies; i++)
			u[cs->copy_column[i]] = u[cs->copy_of[i]];
	}
	/* restricted dimensions outside the copula */
	for (j = 0; j < ds->nindependent; j++)
		if (cs->independent_sets[j] != NULL)
			u[ds->independent[j]] = uset_draw(cs->independent_sets[j], rng);
}
