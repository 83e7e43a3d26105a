/*-------------------------------------------------------------------------
 *
 * conditional.h
 *	  Sampling a model given a condition: the copula restricted to boxes.
 *
 * A direct condition restricts some of a row's uniforms (the value and
 * missingness of each column, see dependence.h) to sets of intervals of
 * [0, 1].  conditional.c draws the uniforms from the model's distribution
 * given those restrictions, without rejection, and says how probable the
 * restrictions are (to weigh the groups of a mixture).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_CONDITIONAL_H
#define SYNTH_CONDITIONAL_H

#include "dependence.h"

/* a union of disjoint intervals [lo[i], hi[i]] of [0, 1], in order */
typedef struct USet
{
	int			n;
	double	   *lo;
	double	   *hi;
} USet;

extern USet *uset_make(int capacity);
extern void uset_add(USet *s, double lo, double hi);
extern USet *uset_intersect(const USet *a, const USet *b);
extern USet *uset_union(const USet *a, const USet *b);
extern USet *uset_complement(const USet *a);
extern double uset_measure(const USet *s);

typedef struct ConditionalSampler ConditionalSampler;

/*
 * sets[d] restricts uniform d (numbered like DependenceSampler.columns, 0
 * to 2 * ncolumns - 1), or is NULL.  Returns NULL when the restrictions
 * have probability zero; otherwise *probability is their probability under
 * the model (estimated by the GHK simulator when several copula
 * dimensions are restricted, with draws from rng).
 */
extern ConditionalSampler *conditional_create(const DependenceSampler *ds,
											  USet **sets, SynthRng *rng,
											  double *probability);

/* one row's uniforms, like dependence_draw(), given the restrictions */
extern void conditional_draw(ConditionalSampler *cs, SynthRng *rng, double *u);

#endif							/* SYNTH_CONDITIONAL_H */
