/*-------------------------------------------------------------------------
 *
 * sample.c
 *	  synth_sample(): stream synthetic rows from a stored model.
 *
 * The rows come from sampler.c, prepared once per call; all per-row memory
 * lives in a context reset for every row.
 *
 * Both forms return their rows in materialize mode: a set-returning
 * function in FROM is collected into a tuplestore by the executor anyway,
 * and the tuplestore spills to disk beyond work_mem, so the function itself
 * holds nothing per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "condition.h"
#include "model_store.h"
#include "numerics.h"
#include "sample.h"
#include "sampler.h"
#include "sampler_cache.h"

PG_FUNCTION_INFO_V1(synth_sample);
PG_FUNCTION_INFO_V1(synth_sample_jsonb);

/* n, checked */
int64
synth_arg_row_count(FunctionCallInfo fcinfo, int argno)
{
	int64		n;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("number of rows must not be NULL")));
	n = PG_GETARG_INT64(argno);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of rows must not be negative"),
				 errdetail("n is " INT64_FORMAT ".", n)));
	return n;
}

/*
 * The part of the n rows this call returns, and its seed.  With streams = k
 * the n rows are split into k parts (the first n mod k one row longer), and
 * part i draws from a generator seeded by mixing the seed with (i, k): parts
 * share no randomness, and running every part gives the same rows wherever
 * each part runs.  With k = 1 the call is the plain one.
 */
void
synth_arg_stream(FunctionCallInfo fcinfo, int argno, int64 *n, uint64 *seed)
{
	int32		stream;
	int32		streams;

	/*
	 * NULL is no part: sessions whose stream variable is NULL would all draw
	 * part 0, the same rows
	 */
	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", PG_ARGISNULL(argno) ? "stream" : "streams"),
				 errhint("Leave stream and streams out for one part of all the rows.")));
	stream = PG_GETARG_INT32(argno);
	streams = PG_GETARG_INT32(argno + 1);
	if (streams < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("streams must be at least 1")));
	if (stream < 0 || stream >= streams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stream must be between 0 and streams - 1"),
				 errdetail("stream is %d and streams is %d.", stream, streams)));
	if (streams == 1)
		return;
	*n = *n / streams + (stream < *n % streams ? 1 : 0);
	*seed = synth_mix_seed(*seed ^ synth_mix_seed(((uint64) streams << 32) | (uint64) stream));
}

/*
 * Tell the sampler how this call's rows are numbered (for unique keys):
 * "total" rows and "seed" as given, before synth_arg_stream() narrowed them,
 * and the stream arguments at "argno".
 */
void
synth_arg_numbering(FunctionCallInfo fcinfo, int argno, Sampler *s, int64 total, uint64 seed)
{
	int32		stream = PG_ARGISNULL(argno) ? 0 : PG_GETARG_INT32(argno);
	int32		streams = PG_ARGISNULL(argno + 1) ? 1 : PG_GETARG_INT32(argno + 1);

	sampler_set_numbering(s, seed, total, stream, streams);
}

/* the condition argument, parsed against the output row type; NULL if none */
static Condition *
get_condition(FunctionCallInfo fcinfo, int argno, TupleDesc desc)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return condition_prepare(text_to_cstring(PG_GETARG_TEXT_PP(argno)), desc);
}

/* the seed argument, or a fresh random seed when it is NULL */
uint64
synth_arg_seed(FunctionCallInfo fcinfo, int argno)
{
	uint64		seed;

	if (!PG_ARGISNULL(argno))
		return (uint64) PG_GETARG_INT64(argno);
	if (!pg_strong_random(&seed, sizeof(seed)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random seed")));
	return seed;
}

/*
 * The name of the model rows of relation "relid" are drawn from by default
 * (the relation's), and in *source the relation's qualified name, which
 * must be what that model was fitted on (check_model_source()).
 */
static char *
relation_model_name(Oid relid, char **source)
{
	char	   *relname = OidIsValid(relid) ? get_rel_name(relid) : NULL;

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot tell which model to sample"),
				 errhint("Name the model with model => 'name'.")));
	*source = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
										 relname);
	return relname;
}

/* a model found by its relation's name must have been fitted on it */
static void
check_model_source(const StoredModel *sm, const char *source)
{
	if (strcmp(sm->source, source) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("synth model \"%s\" was fitted on %s, not on %s",
						sm->name, sm->source, source),
				 errhint("Name the model to sample with model => 'name'.")));
}

/*
 * The stored model that rows of relation "relid" are drawn from: the model
 * named "model_name", or by default (model_name NULL) the model named like
 * the relation, which must then have been fitted on that same relation (not
 * on a same-named table of another schema).  Allocates in the current
 * memory context.
 */
StoredModel *
synth_model_for_relation(Oid relid, const char *model_name)
{
	char	   *source = NULL;
	StoredModel *sm;

	if (model_name == NULL)
		model_name = relation_model_name(relid, &source);
	sm = model_load(model_name);
	if (source != NULL)
		check_model_source(sm, source);
	return sm;
}

/*
 * Draw n rows and put them into the tuplestore, as rows of "desc"; with a
 * non-NULL jsonb_desc each row is first turned into a jsonb object.
 */
static void
generate_rows(Sampler *s, int64 n, uint64 seed, Condition *cond, const char *model_name,
			  Tuplestorestate *store, TupleDesc desc, TupleDesc jsonb_desc)
{
	MemoryContext rowctx = AllocSetContextCreate(CurrentMemoryContext, "synth row",
												 ALLOCSET_SMALL_SIZES);
	Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	SynthRng   *rng = synth_rng_create(seed);
	int64		i;

	sampler_set_rng(s, rng);
	PG_TRY();
	{
		if (cond != NULL)
			sampler_set_condition(s, cond, desc, model_name);
		else
			sampler_set_rows(s, n);
		for (i = 0; i < n; i++)
		{
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			old = MemoryContextSwitchTo(rowctx);
			sample_row(s, values, nulls);
			if (jsonb_desc == NULL)
			{
				MemoryContextSwitchTo(old);
				tuplestore_putvalues(store, desc, values, nulls);
			}
			else
			{
				HeapTuple	tuple = heap_form_tuple(desc, values, nulls);
				Datum		json = DirectFunctionCall1(row_to_json, HeapTupleGetDatum(tuple));
				Datum		jsonb = DirectFunctionCall1(jsonb_in,
														CStringGetDatum(TextDatumGetCString(json)));
				bool		isnull = false;

				MemoryContextSwitchTo(old);
				tuplestore_putvalues(store, jsonb_desc, &jsonb, &isnull);
			}
			MemoryContextReset(rowctx);
		}
	}
	PG_FINALLY();
	{
		sampler_set_rng(s, NULL);
		synth_rng_free(rng);
	}
	PG_END_TRY();
	MemoryContextDelete(rowctx);
}

/* set up materialize mode with result descriptor "desc" */
static Tuplestorestate *
begin_materialized(FunctionCallInfo fcinfo, TupleDesc desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
								  false, work_mem);
	MemoryContextSwitchTo(old);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return store;
}

/*
 * Draw this call's rows with a prepared sampler (sampler_cache.h) into the
 * function's result: as rows of the sampler's row type, or as jsonb with a
 * jsonb_desc.  The condition argument is at cond_arg; the numbering of the
 * rows (for unique keys) comes from the n "total" rows of seed "base_seed"
 * and the stream arguments at stream_arg, of which this call draws n rows
 * with "seed".  Gives the sampler back, also on error.
 */
static void
return_rows(FunctionCallInfo fcinfo, CachedSampler *cs, int64 n, uint64 seed, int64 total,
			uint64 base_seed, int stream_arg, int cond_arg, TupleDesc jsonb_desc)
{
	MemoryContext caller = CurrentMemoryContext;

	PG_TRY();
	{
		Tuplestorestate *store = begin_materialized(fcinfo, jsonb_desc ? jsonb_desc : cs->desc);
		MemoryContext old = MemoryContextSwitchTo(cs->call_context);
		Condition  *cond;

		synth_arg_numbering(fcinfo, stream_arg, cs->sampler, total, base_seed);
		cond = get_condition(fcinfo, cond_arg, cs->desc);
		generate_rows(cs->sampler, n, seed, cond, cs->stored->name, store, cs->desc, jsonb_desc);
		MemoryContextSwitchTo(old);
	}
	PG_CATCH();
	{
		/* out of the call's context before the release frees it */
		MemoryContextSwitchTo(caller);
		sampler_cache_release(cs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	sampler_cache_release(cs);
}

/*
 * synth_sample(template anyelement, n bigint, model text, seed bigint,
 *				stream int, streams int, condition text) returns setof anyelement
 */
Datum
synth_sample(PG_FUNCTION_ARGS)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	int64		n = synth_arg_row_count(fcinfo, 1);
	int64		total = n;
	uint64		seed = synth_arg_seed(fcinfo, 3);
	uint64		base_seed = seed;
	char	   *model_name;
	char	   *source = NULL;
	CachedSampler *cs;

	synth_arg_stream(fcinfo, 4, &n, &seed);
	if (!OidIsValid(typid) || !type_is_rowtype(typid) || typid == RECORDOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("template must be a value of a table's row type"),
				 errhint("Pass NULL::table_name, for example synth_sample(NULL::patients, 100).")));

	if (PG_ARGISNULL(2))
		model_name = relation_model_name(typeOrDomainTypeRelid(typid), &source);
	else
		model_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	cs = sampler_cache_acquire(model_name, typid);
	if (source != NULL)
	{
		PG_TRY();
		{
			check_model_source(cs->stored, source);
		}
		PG_CATCH();
		{
			sampler_cache_release(cs);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return_rows(fcinfo, cs, n, seed, total, base_seed, 4, 6, NULL);
	return (Datum) 0;
}

/*
 * synth_sample(model text, n bigint, seed bigint, stream int, streams int,
 *				condition text) returns setof jsonb: the form for callers that
 * cannot name a row type.
 */
Datum
synth_sample_jsonb(PG_FUNCTION_ARGS)
{
	char	   *model_name;
	int64		n;
	uint64		seed;
	int64		total;
	uint64		base_seed;
	TupleDesc	jsonb_desc;
	CachedSampler *cs;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name must not be NULL")));
	model_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	n = synth_arg_row_count(fcinfo, 1);
	seed = synth_arg_seed(fcinfo, 2);
	total = n;
	base_seed = seed;
	synth_arg_stream(fcinfo, 3, &n, &seed);

	jsonb_desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(jsonb_desc, (AttrNumber) 1, "synth_sample", JSONBOID, -1, 0);
	cs = sampler_cache_acquire(model_name, InvalidOid);
	return_rows(fcinfo, cs, n, seed, total, base_seed, 3, 5, jsonb_desc);
	return (Datum) 0;
}
