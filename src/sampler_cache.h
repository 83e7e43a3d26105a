/*-------------------------------------------------------------------------
 *
 * sampler_cache.h
 *	  Prepared samplers kept between calls of a backend.
 *
 * Preparing a sampler (decoding the stored model, aligning its groups to
 * the table's column models) takes milliseconds for a large model, far
 * more than drawing a few rows.  A query that calls synth_sample() once
 * per row of another table (LATERAL), or a script that calls it in a loop,
 * would spend its time there.  So a backend keeps the last few prepared
 * samplers, and each call only checks that the model's stored row is
 * still the one they were made from (a query under the caller's own
 * privileges, so access is checked on every call as before).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_SAMPLER_CACHE_H
#define SYNTH_SAMPLER_CACHE_H

#include "access/tupdesc.h"
#include "model_store.h"
#include "sampler.h"

/* one prepared sampler, lent to one call at a time */
typedef struct CachedSampler
{
	StoredModel *stored;		/* the model as stored (its name, source, ...) */
	TupleDesc	desc;			/* the row type rows are drawn as */
	Sampler    *sampler;		/* ready for a new call */
	MemoryContext call_context; /* for the call's own allocations */
} CachedSampler;

/*
 * The prepared sampler of model "model_name" for rows of composite type
 * "typid" (InvalidOid: a row type made of the model's own columns, for the
 * jsonb form), with sampler_begin_call() done and call_context reset.
 * Errors as model_load() and sampler_prepare() do.  The caller must pass
 * it back to sampler_cache_release() when the call ends, also when it ends
 * in an error (after switching out of call_context, which that frees).
 */
extern CachedSampler *sampler_cache_acquire(const char *model_name, Oid typid);
extern void sampler_cache_release(CachedSampler *cs);

/* synth.sampler_cache_mb: how much the kept samplers may hold; 0 keeps none */
extern int	synth_sampler_cache_mb;

#endif							/* SYNTH_SAMPLER_CACHE_H */
