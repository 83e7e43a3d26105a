/*-------------------------------------------------------------------------
 *
 * dp_fit.h
 *	  The differentially private fit.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_DP_FIT_H
#define SYNTH_DP_FIT_H

#include "fit.h"
#include "model.h"
#include "table_sample.h"

/* the noisy counts a column's fit released, reused by later steps */
typedef struct DpCounts
{
	double		null;
	double		nonnull;
} DpCounts;

extern SynthModel *dp_build_model(FitColumn *cols, int ncols, const TableSample *sample,
								  double epsilon, double delta, int min_group_size);

#endif							/* SYNTH_DP_FIT_H */
