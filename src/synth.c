/*-------------------------------------------------------------------------
 *
 * synth.c
 *	  Module entry: settings, and GSL's error handling.
 *
 * synth learns the statistics of a table (fit.c) and samples synthetic
 * rows of its type (sample.c); see README.md for the whole picture.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "fit.h"
#include "marginal_alignment.h"
#include "model.h"
#include "numerics.h"
#include "sampler.h"
#include "sampler_cache.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	synth_numerics_init();

	DefineCustomIntVariable("synth.fit_sample_rows",
							"Most rows a fit learns from.",
							"Larger tables are read in full but learnt from a uniform random sample of this many rows.",
							&synth_fit_sample_rows,
							100000, 1000, 10000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("synth.group_depth",
							"How many times a fit may split the rows into groups.",
							"0 fits one copula over all rows; 1 allows groups; 2 and 3 also groups within groups.",
							&synth_group_depth,
							GROUP_DEPTH_MAX, 0, GROUP_DEPTH_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("synth.tail_groups",
							 "Lets a fit split off the tails of a continuous column first.",
							 "The lowest and highest 5% of rows of one continuous column get models of their own, for conditions on rare values; the split takes one level of synth.group_depth. Off: no tail split.",
							 &synth_tail_groups,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("synth.fit_dependence",
							 "Learns how the columns depend on each other.",
							 "Off fits every column on its own (no copula, no groups): a marginal-only model.",
							 &synth_fit_dependence,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("synth.balanced_sampling",
							 "Draws the rows of a sampling call in balanced blocks.",
							 "Each block of up to 4096 rows matches the model's column distributions and group shares to within a row; off draws every row independently.",
							 &synth_balanced_sampling,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("synth.align_marginals",
							 "Makes a model's groups sample each column as the whole table does.",
							 "Each group's numbers are read through the groups' joint distribution onto the table's, and its category shares adjusted to the table's; off samples each group's own column models as stored.",
							 &synth_align_marginals,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("synth.sampler_cache_mb",
							"Sets how much memory the samplers a backend keeps between calls may hold.",
							"A backend keeps its last 4 prepared samplers, so that a later call of the same model starts at once; 0 keeps none.",
							&synth_sampler_cache_mb,
							64, 0, 4096,
							PGC_USERSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("synth");
}
