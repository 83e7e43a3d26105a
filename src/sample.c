/*-------------------------------------------------------------------------
 *
 * sample.c
 *	  synth_sample(): stream synthetic rows from a stored model.
 *
 * Everything that can be decided once is decided in sampler_prepare():
 * the template's columns are matched to the model by name and type, the
 * categories are turned into Datums of the output type, the copula is
 * factored.  The per-row loop then only draws random numbers, looks values
 * up in the column models and forms the tuple: no catalog access, and all
 * per-row memory lives in a context reset for every row.
 *
 * Both forms return their rows in materialize mode: a set-returning
 * function in FROM is collected into a tuplestore by the executor anyway,
 * and the tuplestore spills to disk beyond work_mem, so the function itself
 * holds nothing per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

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
#include "utils/uuid.h"

#include "column_model.h"
#include "column_types.h"
#include "dependence.h"
#include "model_store.h"
#include "numerics.h"
#include "string_shape.h"

/* how one output column is produced */
typedef struct ColumnSampler
{
	const ColumnModel *cm;		/* NULL: the column is always NULL */
	int			model_index;
	int			missing_index;	/* where its missingness uniform is */
	ColumnKind	kind;
	NumericRepr repr;
	QuantileGuide guide;		/* for the numeric quantile function */
	double		scale;			/* decimals_scale() of the column */
	int32		typmod;
	Datum	   *category_values;	/* Datums of the output type */
	bool		fresh_is_text;	/* fresh strings are plain text */
	FmgrInfo	input;			/* otherwise made with the type's input */
	Oid			ioparam;
	int			fresh_maxlen;
} ColumnSampler;

typedef struct Sampler
{
	int			natts;
	ColumnSampler *cols;
	DependenceSampler *dependence;
	double	   *u;				/* per model column: value, then missingness */
	SynthRng   *rng;
	char		strbuf[STRING_SHAPE_MAX_LENGTH + 1];

	/* a mixture: each row comes from one group's sampler */
	int			ngroups;
	const double *group_cum;
	struct Sampler **groups;
} Sampler;

PG_FUNCTION_INFO_V1(synth_sample);
PG_FUNCTION_INFO_V1(synth_sample_jsonb);

/*
 * sampler_prepare: match the output row type "desc" to the model and make
 * everything the per-row loop needs.  Errors name the first column that
 * does not match.
 */
static Sampler *
sampler_prepare(const SynthModel *model, TupleDesc desc, const char *model_name)
{
	Sampler    *s = palloc0(sizeof(Sampler));
	bool	   *used = palloc0(sizeof(bool) * model->ncolumns);
	int			i,
				j;

	s->natts = desc->natts;
	s->cols = palloc0(sizeof(ColumnSampler) * Max(desc->natts, 1));
	s->u = palloc0(sizeof(double) * 2 * model->ncolumns);

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnSampler *cs = &s->cols[i];
		const ColumnModel *cm = NULL;
		char	   *typname;

		if (att->attisdropped)
			continue;
		for (j = 0; j < model->ncolumns; j++)
			if (strcmp(model->columns[j].name, NameStr(att->attname)) == 0)
				cm = &model->columns[j];
		if (cm == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the template is not in synth model \"%s\"",
							NameStr(att->attname), model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
		typname = format_type_be(att->atttypid);
		if (strcmp(typname, cm->type_name) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s in the template but %s in synth model \"%s\"",
							NameStr(att->attname), typname, cm->type_name, model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
		j = cm - model->columns;
		used[j] = true;

		cs->cm = cm;
		cs->model_index = j;
		cs->missing_index = model->ncolumns + j;
		cs->kind = cm->kind;
		cs->typmod = att->atttypmod;
		if (cm->kind == COLUMN_NUMERIC)
		{
			cs->repr = classify_type(att->atttypid).repr;
			cs->scale = decimals_scale(cm->decimals);
			if (cm->quantiles.npieces > 0)
				quantile_guide_build(&cm->quantiles, &cs->guide);
			if (cs->repr == REPR_NONE)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" models column \"%s\" of type %s as a number",
								model_name, cm->name, typname)));
		}
		else if (cm->kind == COLUMN_CATEGORICAL)
		{
			Oid			infunc;
			TypeInfo	t = classify_type(att->atttypid);

			if (t.kind != COLUMN_CATEGORICAL)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" models column \"%s\" of type %s as categorical",
								model_name, cm->name, typname)));
			getTypeInputInfo(att->atttypid, &infunc, &cs->ioparam);
			fmgr_info(infunc, &cs->input);
			cs->category_values = palloc(sizeof(Datum) * Max(cm->ncategories, 1));
			for (j = 0; j < cm->ncategories; j++)
				cs->category_values[j] = InputFunctionCall(&cs->input, cm->labels[j],
														   cs->ioparam, cs->typmod);
			if (cm->shape && !t.fresh_strings)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" makes up strings for column \"%s\" of type %s",
								model_name, cm->name, typname)));
			cs->fresh_is_text = att->atttypid == TEXTOID;
			cs->fresh_maxlen = STRING_SHAPE_MAX_LENGTH;
			if (att->atttypmod >= VARHDRSZ)
				cs->fresh_maxlen = Min(cs->fresh_maxlen, att->atttypmod - VARHDRSZ);
			if (cs->fresh_maxlen < 1)
				cs->fresh_maxlen = 1;
		}
		else if (cm->kind == COLUMN_UUID && att->atttypid != UUIDOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("synth model \"%s\" models column \"%s\" of type %s as uuid",
							model_name, cm->name, typname)));
	}
	for (j = 0; j < model->ncolumns; j++)
		if (!used[j])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of synth model \"%s\" is missing from the template",
							model->columns[j].name, model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
	pfree(used);

	s->dependence = dependence_sampler_create(model);

	if (model->group_column >= 0)
	{
		s->ngroups = model->ngroups;
		s->group_cum = model->group_cum;
		s->groups = palloc(sizeof(Sampler *) * model->ngroups);
		for (j = 0; j < model->ngroups; j++)
			s->groups[j] = sampler_prepare(model->groups[j], desc, model_name);
	}
	return s;
}

static Datum
fresh_string(Sampler *s, ColumnSampler *cs, double u)
{
	int			len = string_shape_generate(cs->cm->shape, s->rng, u, s->strbuf, cs->fresh_maxlen);

	if (cs->fresh_is_text)
		return PointerGetDatum(cstring_to_text_with_len(s->strbuf, len));
	return InputFunctionCall(&cs->input, s->strbuf, cs->ioparam, cs->typmod);
}

static Datum
fresh_uuid(Sampler *s)
{
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));
	int			i;

	for (i = 0; i < UUID_LEN; i += 4)
	{
		uint32		r = synth_rng_uint32(s->rng);

		memcpy(&uuid->data[i], &r, 4);
	}
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;	/* version 4 */
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return UUIDPGetDatum(uuid);
}

/* the sampler and all its groups' draw from rng */
static void
sampler_set_rng(Sampler *s, SynthRng *rng)
{
	int			g;

	s->rng = rng;
	for (g = 0; g < s->ngroups; g++)
		sampler_set_rng(s->groups[g], rng);
}

/* one synthetic row; pass-by-reference values go to the current context */
static void
sample_row(Sampler *s, Datum *values, bool *nulls)
{
	int			i;

	while (s->ngroups > 0)
	{
		double		u = synth_rng_uniform(s->rng);
		int			g = 0;

		while (g < s->ngroups - 1 && u >= s->group_cum[g])
			g++;
		s = s->groups[g];
	}
	dependence_draw(s->dependence, s->rng, s->u);
	for (i = 0; i < s->natts; i++)
	{
		ColumnSampler *cs = &s->cols[i];
		const ColumnModel *cm = cs->cm;
		double		u;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (cm == NULL || cs->kind == COLUMN_EXCLUDED)
			continue;
		if (cm->null_frac > 0.0 &&
			(cm->null_frac >= 1.0 || s->u[cs->missing_index] < cm->null_frac))
			continue;
		u = s->u[cs->model_index];
		nulls[i] = false;

		switch (cs->kind)
		{
			case COLUMN_NUMERIC:
				{
					double		v = quantile_sample_guided(&cm->quantiles, &cs->guide, u);

					if (cm->step > 0.0)
						v = cm->step_offset + rint((v - cm->step_offset) / cm->step) * cm->step;
					values[i] = numeric_datum(cs->repr, v, cm->decimals, cs->scale, cs->typmod);
				}
				break;
			case COLUMN_CATEGORICAL:
				{
					int			k = category_draw(cm, u);

					if (k < 0 && cm->shape == NULL)
					{
						/* no made-up strings: the last category takes the rest */
						if (cm->ncategories == 0)
						{
							nulls[i] = true;
							break;
						}
						k = cm->ncategories - 1;
					}
					if (k >= 0)
						values[i] = cs->category_values[k];
					else
					{
						double		start = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;

						values[i] = fresh_string(s, cs, (u - start) / Max(cm->other_prob, 1e-300));
					}
					break;
				}
			case COLUMN_UUID:
				values[i] = fresh_uuid(s);
				break;
			case COLUMN_EXCLUDED:
				break;
		}
	}
}

/* n, checked */
static int64
get_row_count(FunctionCallInfo fcinfo, int argno)
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
static void
get_stream(FunctionCallInfo fcinfo, int argno, int64 *n, uint64 *seed)
{
	int32		stream = PG_ARGISNULL(argno) ? 0 : PG_GETARG_INT32(argno);
	int32		streams = PG_ARGISNULL(argno + 1) ? 1 : PG_GETARG_INT32(argno + 1);

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

static uint64
get_seed(FunctionCallInfo fcinfo, int argno)
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
 * Draw n rows and put them into the tuplestore, as rows of "desc"; with a
 * non-NULL jsonb_desc each row is first turned into a jsonb object.
 */
static void
generate_rows(Sampler *s, int64 n, uint64 seed, Tuplestorestate *store,
			  TupleDesc desc, TupleDesc jsonb_desc)
{
	MemoryContext rowctx = AllocSetContextCreate(CurrentMemoryContext, "synth row",
												 ALLOCSET_SMALL_SIZES);
	Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	int64		i;

	sampler_set_rng(s, synth_rng_create(seed));
	PG_TRY();
	{
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
		synth_rng_free(s->rng);
		s->rng = NULL;
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
 * Generate the rows into the function's result (as rows of "desc", or as
 * jsonb with a jsonb_desc) and free the call's memory context.
 */
static void
return_rows(FunctionCallInfo fcinfo, Sampler *s, int64 n, uint64 seed, TupleDesc desc,
			TupleDesc jsonb_desc, MemoryContext callctx)
{
	Tuplestorestate *store = begin_materialized(fcinfo, jsonb_desc ? jsonb_desc : desc);
	MemoryContext old = MemoryContextSwitchTo(callctx);

	generate_rows(s, n, seed, store, desc, jsonb_desc);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(callctx);
}

/*
 * synth_sample(template anyelement, n bigint, model text, seed bigint)
 *		returns setof anyelement
 */
Datum
synth_sample(PG_FUNCTION_ARGS)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	int64		n = get_row_count(fcinfo, 1);
	char	   *model_name;
	uint64		seed = get_seed(fcinfo, 3);
	char	   *template_source = NULL;
	TupleDesc	desc;
	MemoryContext callctx;
	MemoryContext old;
	StoredModel *sm;
	Sampler    *s;

	get_stream(fcinfo, 4, &n, &seed);
	if (!OidIsValid(typid) || !type_is_rowtype(typid) || typid == RECORDOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("template must be a value of a table's row type"),
				 errhint("Pass NULL::table_name, for example synth_sample(NULL::patients, 100).")));

	if (!PG_ARGISNULL(2))
		model_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	else
	{
		Oid			relid = typeOrDomainTypeRelid(typid);

		model_name = OidIsValid(relid) ? get_rel_name(relid) : NULL;
		if (model_name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot tell which model to sample"),
					 errhint("Name the model with model => 'name'.")));
		template_source = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													 model_name);
	}

	callctx = AllocSetContextCreate(CurrentMemoryContext, "synth sample", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(callctx);
	desc = lookup_rowtype_tupdesc_copy(typid, -1);
	sm = model_load(model_name);
	if (template_source != NULL && strcmp(sm->source, template_source) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("synth model \"%s\" was fitted on %s, not on %s",
						model_name, sm->source, template_source),
				 errhint("Name the model to sample with model => 'name'.")));
	s = sampler_prepare(sm->model, desc, model_name);
	MemoryContextSwitchTo(old);

	return_rows(fcinfo, s, n, seed, desc, NULL, callctx);
	return (Datum) 0;
}

/*
 * synth_sample(model text, n bigint, seed bigint) returns setof jsonb:
 * the form for callers that cannot name a row type.
 */
Datum
synth_sample_jsonb(PG_FUNCTION_ARGS)
{
	char	   *model_name;
	int64		n;
	uint64		seed;
	TupleDesc	desc;
	TupleDesc	jsonb_desc;
	MemoryContext callctx;
	MemoryContext old;
	StoredModel *sm;
	Sampler    *s;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name must not be NULL")));
	model_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	n = get_row_count(fcinfo, 1);
	seed = get_seed(fcinfo, 2);
	get_stream(fcinfo, 3, &n, &seed);

	callctx = AllocSetContextCreate(CurrentMemoryContext, "synth sample", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(callctx);
	sm = model_load(model_name);

	/* a row type made of the model's own columns */
	desc = CreateTemplateTupleDesc(sm->model->ncolumns);
	for (i = 0; i < sm->model->ncolumns; i++)
	{
		const ColumnModel *cm = &sm->model->columns[i];
		Oid			coltype;
		int32		coltypmod;

		typenameTypeIdAndMod(NULL, typeStringToTypeName(cm->type_name), &coltype, &coltypmod);
		TupleDescInitEntry(desc, (AttrNumber) (i + 1), cm->name, coltype, -1, 0);
	}
	desc = BlessTupleDesc(desc);
	s = sampler_prepare(sm->model, desc, model_name);

	jsonb_desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(jsonb_desc, (AttrNumber) 1, "synth_sample", JSONBOID, -1, 0);
	MemoryContextSwitchTo(old);

	return_rows(fcinfo, s, n, seed, desc, jsonb_desc, callctx);
	return (Datum) 0;
}
