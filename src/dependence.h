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
	int			dim;			/* columns drawn jointly */
	int		   *columns;		/* their model indexes */
	bool	   *joint;			/* per model column: drawn jointly? */
	double	   *cholesky;		/* dim x dim lower triangle */
	double	   *normals;		/* scratch, dim */
} DependenceSampler;

extern void dependence_fit(SynthModel *model, const TableSample *sample);
extern DependenceSampler *dependence_sampler_create(const SynthModel *model);
extern void dependence_draw(const DependenceSampler *ds, SynthRng *rng, double *u);

#endif							/* SYNTH_DEPENDENCE_H */
