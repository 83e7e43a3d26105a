/*-------------------------------------------------------------------------
 *
 * dependence.h
 *	  The dependence model: how the columns of a row hang together.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_DEPENDENCE_H
#define SYNTH_DEPENDENCE_H

#include "model.h"
#include "numerics.h"
#include "table_sample.h"

/* what sampling needs, prepared once per call */
typedef struct DependenceSampler
{
	int			ncolumns;		/* of the model */
	int			dim;			/* dimensions drawn jointly */
	int		   *columns;		/* c: values of column c; ncolumns + c: its NULLs */
	const double *correlation;	/* dim x dim, as stored */
	double	   *cholesky;		/* dim x dim lower triangle */
	double	   *normals;		/* scratch, dim */
	int			nindependent;	/* dimensions drawn on their own */
	int		   *independent;	/* numbered like columns */
} DependenceSampler;

extern void dependence_fit(SynthModel *model, const TableSample *sample);
extern void dependence_make_positive_definite(double *corr, int dim);
extern DependenceSampler *dependence_sampler_create(const SynthModel *model);
extern void dependence_draw(const DependenceSampler *ds, SynthRng *rng, double *u, Size stride);

/*
 * Missingness dimensions of columns NULL in the same rows are tied at
 * correlation 1 - SHARED_NULLS_EPSILON (dependence.c); a conditional draw
 * treats dimensions correlated at least TIED_CORRELATION as one variable
 * (conditional.c).
 */
#define SHARED_NULLS_EPSILON 1e-5
#define TIED_CORRELATION (1.0 - 2.0 * SHARED_NULLS_EPSILON)

#endif							/* SYNTH_DEPENDENCE_H */
