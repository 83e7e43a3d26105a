/*-------------------------------------------------------------------------
 *
 * sample.h
 *	  What the functions that draw rows share: their arguments (n, seed,
 *	  stream) and the choice of the model for a relation.
 *
 * Defined in sample.c; used by synth_sample() and synth_populate().
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_SAMPLE_H
#define SYNTH_SAMPLE_H

#include "fmgr.h"
#include "model_store.h"

/* argument "argno" as a number of rows: not NULL, not negative */
extern int64 synth_arg_row_count(FunctionCallInfo fcinfo, int argno);

/* argument "argno" as a seed; NULL gives a fresh random seed */
extern uint64 synth_arg_seed(FunctionCallInfo fcinfo, int argno);

/*
 * Arguments "argno" (stream) and "argno" + 1 (streams): narrow *n and *seed
 * to the part this call draws.
 */
extern void synth_arg_stream(FunctionCallInfo fcinfo, int argno, int64 *n, uint64 *seed);

/* the numbering of the call's rows for unique keys (sampler.h) */
struct Sampler;
extern void synth_arg_numbering(FunctionCallInfo fcinfo, int argno, struct Sampler *s,
								int64 total, uint64 seed);

/* the model named model_name, or by default the one fitted on relation relid */
extern StoredModel *synth_model_for_relation(Oid relid, const char *model_name);

#endif							/* SYNTH_SAMPLE_H */
