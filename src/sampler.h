/*-------------------------------------------------------------------------
 *
 * sampler.h
 *	  Drawing synthetic rows from a model, prepared once per call.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_SAMPLER_H
#define SYNTH_SAMPLER_H

#include "access/tupdesc.h"
#include "model.h"
#include "numerics.h"

typedef struct Sampler Sampler;

/*
 * Match the row type "desc" to the model (by column name and type) and
 * prepare everything the per-row draw needs; errors name the column that
 * does not match.  Allocates in the current memory context.
 */
extern Sampler *sampler_prepare(const SynthModel *model, TupleDesc desc,
								const char *model_name);

/*
 * Start a new call on a sampler prepared before: forget everything the
 * last call set (generator, condition, balanced blocks, key numbering), as
 * if it had just been prepared.  The per-call memory it drops lived in the
 * last call's memory context, which the caller resets.  (A prepared
 * sampler is reused by sampler_cache.h.)
 */
extern void sampler_begin_call(Sampler *s);

/*
 * Unique key columns: this call draws part "stream" of "streams" of "total"
 * rows of the caller's "seed" (before the stream is mixed in); without it,
 * the one stream of an unknown number of rows.
 */
extern void sampler_set_numbering(Sampler *s, uint64 seed, int64 total, int32 stream,
								  int32 streams);

/*
 * This call draws "nrows" rows: draw them in balanced blocks (unless
 * synth.balanced_sampling is off or a condition is set).  Call after
 * sampler_set_rng(); allocates in the current memory context.
 */
extern void sampler_set_rows(Sampler *s, int64 nrows);

extern bool synth_balanced_sampling;

/* the random number generator the rows are drawn from */
extern void sampler_set_rng(Sampler *s, SynthRng *rng);

/*
 * One synthetic row into values/nulls (desc->natts each); pass-by-reference
 * values are allocated in the current memory context.
 */
extern void sample_row(Sampler *s, Datum *values, bool *nulls);

/*
 * From now on, sample only rows that satisfy "cond" (condition.h), parsed
 * against the same row type.  Call after sampler_set_rng().  The values of
 * a row are then valid until the next sample_row().
 */
struct Condition;
extern void sampler_set_condition(Sampler *s, struct Condition *cond, TupleDesc desc,
								  const char *model_name);

#endif							/* SYNTH_SAMPLER_H */
