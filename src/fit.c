/*-------------------------------------------------------------------------
 *
 * fit.c
 *	  synth_fit(): read a table once and store a model of it.
 *
 * The table is read through SPI with the caller's privileges, so SELECT
 * rights and row-level security apply exactly as for a query.  Every row is
 * counted; a uniform random sample of at most synth.fit_sample_rows rows
 * (reservoir sampling, Vitter's algorithm R, with a fixed seed so that a fit
 * is repeatable) is kept in memory, and the column and dependence models are
 * learnt from it (model_build.c).  Memory is bounded by the sample, not the
 * table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "column_model.h"
#include "column_types.h"
#include "dp_fit.h"
#include "fit.h"
#include "grouping.h"
#include "model_build.h"
#include "model_store.h"
#include "numerics.h"
#include "table_sample.h"

int			synth_fit_sample_rows = 100000;
int			synth_group_depth = GROUP_DEPTH_MAX;
bool		synth_fit_dependence = true;
bool		synth_tail_groups = true;

PG_FUNCTION_INFO_V1(synth_fit);

/* the names in a text[] argument, checked */
static List *
text_array_names(ArrayType *arr, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	List	   *result = NIL;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
		result = lappend(result, TextDatumGetCString(elems[i]));
	}
	return result;
}

static bool
name_in_list(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * Integer and text columns that are keys: the only column of a unique index
 * (a primary key or a unique constraint; not partial, not an expression).
 * Their values are generated fresh and unique instead of being modelled: an
 * integer key's in the range of the real ones, a text key's in the shape of
 * the real ones (sampler.c).
 */
static void
mark_keys(Relation rel, FitColumn *cols, int ncols)
{
	List	   *indexes;
	ListCell   *lc;

	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE &&
		rel->rd_rel->relkind != RELKIND_MATVIEW)
		return;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;
		int			i;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		if (index->indisunique && index->indnkeyatts == 1 && index->indkey.values[0] > 0 &&
			heap_attisnull(tuple, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(tuple, Anum_pg_index_indexprs, NULL))
		{
			const char *name = NameStr(TupleDescAttr(RelationGetDescr(rel),
													 index->indkey.values[0] - 1)->attname);
			bool		isnull;
			Datum		collations = SysCacheGetAttr(INDEXRELID, tuple,
													 Anum_pg_index_indcollation, &isnull);
			Oid			collation = isnull ? InvalidOid :
				((oidvector *) DatumGetPointer(collations))->values[0];

			/*
			 * A text key's strings differ only in letters, digits and -.'
			 * characters: under a collation that may call such strings equal
			 * (ignoring punctuation, say), they could still collide.
			 */
			bool		text_ok = !OidIsValid(collation) ||
				get_collation_isdeterministic(collation);

			for (i = 0; i < ncols; i++)
				if (strcmp(cols[i].name, name) == 0 && !cols[i].excluded &&
					(cols[i].type.repr == REPR_INT2 || cols[i].type.repr == REPR_INT4 ||
					 cols[i].type.repr == REPR_INT8 ||
					 (cols[i].type.kind == COLUMN_CATEGORICAL && cols[i].type.fresh_strings &&
					  text_ok)))
					cols[i].is_key = true;
		}
		ReleaseSysCache(tuple);
	}
	list_free(indexes);
}

/*
 * Read the relation's columns and decide how each is modelled; errors for
 * unsupported types, unknown excluded columns and excluded NOT NULL ones.
 */
static FitColumn *
plan_columns(Relation rel, List *exclude, int *ncolumns)
{
	TupleDesc	desc = RelationGetDescr(rel);
	FitColumn  *cols = palloc0(sizeof(FitColumn) * Max(desc->natts, 1));
	int			n = 0;
	int			i;
	ListCell   *lc;
	StringInfoData unsupported;
	StringInfoData names;
	int			nunsupported = 0;
	FitColumn  *first_unsupported = NULL;

	initStringInfo(&unsupported);
	initStringInfo(&names);

	foreach(lc, exclude)
	{
		const char *name = lfirst(lc);
		bool		found = false;

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
				found = true;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, RelationGetRelationName(rel)),
					 errdetail("It is named in the exclude argument.")));
	}

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		FitColumn  *fc;

		if (att->attisdropped)
			continue;
		fc = &cols[n++];
		fc->name = pstrdup(NameStr(att->attname));
		fc->typid = att->atttypid;
		fc->typmod = att->atttypmod;
		fc->type = classify_type(att->atttypid);
		fc->excluded = name_in_list(exclude, fc->name);
		fc->not_null = att->attnotnull;
		fc->is_key = false;
		fc->max_decimals = 0;

		if (fc->excluded && att->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot exclude column \"%s\" because it is NOT NULL", fc->name),
					 errdetail("Excluded columns are sampled as NULL.")));
		if (!fc->excluded && fc->type.kind == COLUMN_EXCLUDED)
		{
			if (unsupported.len > 0)
			{
				appendStringInfoString(&unsupported, ", ");
				appendStringInfoString(&names, ", ");
			}
			appendStringInfo(&unsupported, "%s (%s)", fc->name, format_type_be(att->atttypid));
			appendStringInfo(&names, "'%s'", fc->name);
			nunsupported++;
			first_unsupported = fc;
		}
	}
	if (nunsupported == 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" has type %s, which synth cannot model",
						first_unsupported->name, format_type_be(first_unsupported->typid)),
				 errhint("Leave the column out with exclude => ARRAY[%s]; it is then sampled as NULL.",
						 names.data)));
	if (nunsupported > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%d columns of relation \"%s\" have types synth cannot model",
						nunsupported, RelationGetRelationName(rel)),
				 errdetail("The columns are %s.", unsupported.data),
				 errhint("Leave them out with exclude => ARRAY[%s]; they are then sampled as NULL.",
						 names.data)));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("relation \"%s\" has no columns", RelationGetRelationName(rel))));
	mark_keys(rel, cols, n);
	*ncolumns = n;
	return cols;
}

/* SELECT list: numbers as they are, categorical values as text */
static char *
build_query(const char *qualified, FitColumn *cols, int ncols)
{
	StringInfoData q;
	int			i;
	int			pos = 0;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (i = 0; i < ncols; i++)
	{
		FitColumn  *fc = &cols[i];

		if (fc->excluded || fc->type.kind == COLUMN_EXCLUDED)
			continue;
		if (pos > 0)
			appendStringInfoString(&q, ", ");
		if (fc->type.kind == COLUMN_CATEGORICAL)
			appendStringInfo(&q, "%s::pg_catalog.text", quote_identifier(fc->name));
		else
			appendStringInfoString(&q, quote_identifier(fc->name));
		fc->query_position = ++pos;
	}
	if (pos == 0)
		appendStringInfoString(&q, "1");	/* every column excluded */
	appendStringInfo(&q, " FROM %s", qualified);
	return q.data;
}

static TableSample *
sample_create(FitColumn *cols, int ncols, int capacity)
{
	TableSample *s = palloc0(sizeof(TableSample));
	int			i;

	s->ncolumns = ncols;
	s->columns = palloc0(sizeof(SampleColumn) * ncols);
	for (i = 0; i < ncols; i++)
	{
		SampleColumn *sc = &s->columns[i];

		if (cols[i].query_position == 0)
			continue;
		sc->isnull = palloc_extended(sizeof(bool) * capacity, MCXT_ALLOC_HUGE);
		if (cols[i].type.kind == COLUMN_CATEGORICAL)
			sc->strings = palloc_extended(sizeof(char *) * capacity, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		else if (cols[i].type.kind == COLUMN_NUMERIC)
			sc->numbers = palloc_extended(sizeof(double) * capacity, MCXT_ALLOC_HUGE);
	}
	return s;
}

/*
 * The rows of the table's query go straight from the executor to the
 * reservoir: a receiver of our own (set as SPI's destination, so SPI's
 * tuple table gets no row and no row is copied first).
 */
typedef struct SampleReceiver
{
	DestReceiver pub;
	TableSample *sample;
	FitColumn  *cols;
	int			capacity;		/* rows the reservoir holds */
	int64		seen;			/* rows read so far */
	MemoryContext fitctx;		/* where the sample's strings live */
	MemoryContext rowctx;		/* a kept row's conversions, reset after it */
	const char *relation;		/* the table's name, for error context */
	const char *converting;		/* the column being converted, or NULL */
} SampleReceiver;

/* rows between updates of pg_stat_progress_copy */
#define FIT_PROGRESS_ROWS 1000

/*
 * An error while a value is converted (a numeric beyond double precision)
 * names the column and says what to do.
 */
static void
read_error_callback(void *arg)
{
	const SampleReceiver *r = (const SampleReceiver *) arg;

	if (r->converting == NULL)
		return;
	if (geterrcode() == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
		errhint("Exclude the column with exclude => ARRAY[%s], or fit a view that rescales it.",
				quote_literal_cstr(r->converting));
	errcontext("reading column \"%s\" of %s", r->converting, r->relation);
}

/*
 * store one row's values (the SELECT list's order) into sample slot "slot";
 * runs in the receiver's row context, so that whatever a conversion
 * allocates is gone after the row
 */
static void
sample_store(SampleReceiver *r, int slot, const Datum *values, const bool *nulls)
{
	TableSample *s = r->sample;
	int			i;

	for (i = 0; i < s->ncolumns; i++)
	{
		FitColumn  *fc = &r->cols[i];
		SampleColumn *sc = &s->columns[i];
		bool		isnull;
		Datum		d;

		if (fc->query_position == 0)
			continue;
		d = values[fc->query_position - 1];
		isnull = nulls[fc->query_position - 1];
		if (sc->strings && sc->strings[slot])
		{
			pfree(sc->strings[slot]);
			sc->strings[slot] = NULL;
		}
		if (!isnull && fc->type.kind == COLUMN_NUMERIC)
		{
			int			dec;

			r->converting = fc->name;
			if (!numeric_value(fc->type.repr, d, &sc->numbers[slot], &dec))
				isnull = true;
			else if (fc->max_decimals >= 0)
				fc->max_decimals = dec < 0 ? -1 : Max(fc->max_decimals, dec);
			r->converting = NULL;
		}
		else if (!isnull && fc->type.kind == COLUMN_CATEGORICAL)
		{
			/* the string lives as long as the sample (text_to_cstring frees its own copies) */
			MemoryContext here = MemoryContextSwitchTo(r->fitctx);

			sc->strings[slot] = TextDatumGetCString(d);
			MemoryContextSwitchTo(here);
		}
		sc->isnull[slot] = isnull;
	}
}

/*
 * sample_receive: the executor's next row.  Counted; kept (taken apart and
 * stored in the fit's memory) when the reservoir keeps it.
 */
static bool
sample_receive(TupleTableSlot *tuple, DestReceiver *self)
{
	SampleReceiver *r = (SampleReceiver *) self;
	int64		slot;
	MemoryContext old;

	r->seen++;
	if (r->seen % FIT_PROGRESS_ROWS == 0)
		pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, r->seen);
	if (r->seen <= r->capacity)
		slot = r->seen - 1;
	else
	{
		/* algorithm R: keep row "seen" with probability capacity/seen */
		slot = (int64) (synth_mix_seed((uint64) r->seen) % (uint64) r->seen);
		if (slot >= r->capacity)
			return true;
	}
	slot_getallattrs(tuple);
	old = MemoryContextSwitchTo(r->rowctx);
	sample_store(r, (int) slot, tuple->tts_values, tuple->tts_isnull);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->rowctx);
	return true;
}

/* the executor starts and ends the receiver; there is nothing to set up */
static void
sample_receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
sample_receiver_shutdown(DestReceiver *self)
{
}

static void
sample_receiver_destroy(DestReceiver *self)
{
}

/*
 * Read every row of the relation, keeping a reservoir sample.  Returns the
 * sample; *rows_read is the table's row count.
 *
 * A fit is repeatable: the same rows in the same order give the same
 * sample.  So the plan is serial (SPI_prepare allows no parallel plan), and
 * the read does not join a synchronized scan, which would start wherever
 * another scan of a large table has got to.  A view whose rows come in no
 * fixed order (a hash aggregate, a foreign table) may still vary.
 */
static TableSample *
read_table(Oid relid, const char *qualified, FitColumn *cols, int ncols, int64 *rows_read,
		   MemoryContext fitctx)
{
	const int	progress_index[] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE};
	const int64 progress_value[] = {PROGRESS_COPY_COMMAND_TO, PROGRESS_COPY_TYPE_CALLBACK};
	char	   *query = build_query(qualified, cols, ncols);
	int			capacity = Max(synth_fit_sample_rows, 1);
	TableSample *sample;
	SPIPlanPtr	plan;
	SPIExecuteOptions options;
	SampleReceiver receiver;
	MemoryContext old;
	ErrorContextCallback errcb;
	int			save_nestlevel;
	int			ret;

	old = MemoryContextSwitchTo(fitctx);
	sample = sample_create(cols, ncols, capacity);
	MemoryContextSwitchTo(old);

	memset(&receiver, 0, sizeof(receiver));
	receiver.pub.receiveSlot = sample_receive;
	receiver.pub.rStartup = sample_receiver_startup;
	receiver.pub.rShutdown = sample_receiver_shutdown;
	receiver.pub.rDestroy = sample_receiver_destroy;
	receiver.pub.mydest = DestNone; /* only makes SPI return SPI_OK_UTILITY */
	receiver.sample = sample;
	receiver.cols = cols;
	receiver.capacity = capacity;
	receiver.fitctx = fitctx;
	receiver.rowctx = AllocSetContextCreate(CurrentMemoryContext, "synth_fit row",
											ALLOCSET_SMALL_SIZES);
	receiver.relation = qualified;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));

	/*
	 * A fit reads the table out, like COPY TO: it shows in
	 * pg_stat_progress_copy with the rows read so far.
	 */
	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, relid);
	pgstat_progress_update_multi_param(2, progress_index, progress_value);

	errcb.callback = read_error_callback;
	errcb.arg = (void *) &receiver;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	/* (an error or abort restores the setting as well) */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("synchronize_seqscans", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	/* the executor checks for interrupts at every row */
	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.dest = (DestReceiver *) &receiver;
	ret = SPI_execute_plan_extended(plan, &options);
	if (ret < 0)
		elog(ERROR, "reading %s failed: %s", qualified, SPI_result_code_string(ret));

	AtEOXact_GUC(true, save_nestlevel);
	error_context_stack = errcb.previous;
	MemoryContextDelete(receiver.rowctx);
	pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, receiver.seen);
	pgstat_progress_end_command();
	SPI_finish();

	sample->nrows = (int) Min(receiver.seen, (int64) receiver.capacity);
	*rows_read = receiver.seen;
	return sample;
}

/*
 * column_model_begin: what every fit sets of a column's model (its name and
 * type; an excluded column is always NULL).  False for an excluded column,
 * which has nothing more to learn.
 */
bool
column_model_begin(ColumnModel *cm, const FitColumn *fc)
{
	cm->name = fc->name;
	cm->type_name = format_type_be(fc->typid);
	cm->decimals = -1;
	if (!fc->excluded)
		return true;
	cm->kind = COLUMN_EXCLUDED;
	cm->null_frac = 1.0;
	return false;
}

/*
 * A NOT NULL column of which the model keeps nothing (every value seen in
 * fewer than min_group_size rows) would be sampled as NULL: refuse it.
 */
static void
check_not_null_columns(const SynthModel *model, const FitColumn *cols, const char *relname)
{
	int			c;

	for (c = 0; c < model->ncolumns; c++)
	{
		if (!cols[c].not_null || cols[c].excluded || model->columns[c].null_frac < 1.0)
			continue;
		/* a text key's values are made up, but their shape needs enough values */
		if (cols[c].is_key && model->columns[c].kind == COLUMN_CATEGORICAL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key column \"%s\" of relation \"%s\" has fewer than %d values, too few to learn their shape",
							cols[c].name, relname, Max(model->min_group_size, 2)),
					 errdetail("A text key's values are made up in the shape (lengths and character classes) of at least min_group_size real ones."),
					 errhint("Fit a larger table, or a view that leaves the key out.")));
		/* a key's values are made fresh, but its range needs min_group_size rows */
		if (cols[c].is_key)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key column \"%s\" of relation \"%s\" has fewer than %d values, too few to keep its range",
							cols[c].name, relname, model->min_group_size),
					 errdetail("A key's values are generated, within a range stored as the means of its min_group_size smallest and largest values."),
					 errhint("Lower min_group_size, or fit a view that leaves the key out.")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" of relation \"%s\" is NOT NULL, but no value of it is seen in at least %d rows",
						cols[c].name, relname, model->min_group_size),
				 model->columns[c].kind == COLUMN_NUMERIC ?
				 errdetail("Values seen in fewer rows are never stored, and NaN and infinities are not modelled, so the column would be sampled as NULL.") :
				 errdetail("Values seen in fewer rows are never stored, so the column would be sampled as NULL."),
				 errhint("Lower min_group_size if the values may be shown, or fit a view that leaves the column out.")));
	}
}

/*
 * open_readable_relation: open a relation whose rows synth reads (a table,
 * partitioned table, view, materialized view or foreign table) with
 * AccessShareLock, which the caller keeps to the end of the transaction.
 */
Relation
open_readable_relation(Oid relid)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	switch (rel->rd_rel->relkind)
	{
		case RELKIND_RELATION:
		case RELKIND_PARTITIONED_TABLE:
		case RELKIND_MATVIEW:
		case RELKIND_VIEW:
		case RELKIND_FOREIGN_TABLE:
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table, view, materialized view or foreign table",
							RelationGetRelationName(rel))));
	}
	return rel;
}

/* where a bound the column's type refuses came from */
static void
public_bound_context(void *arg)
{
	errcontext("bound of column \"%s\" in the bounds argument", (const char *) arg);
}

/*
 * One public bound of column fc: a JSON number, or a string in the column
 * type's input syntax (dates, timestamps), read as the fit reads the
 * column's values.
 */
static double
public_bound(const FitColumn *fc, const JsonbValue *v, const char *which)
{
	char	   *text;
	Oid			typinput,
				typioparam;
	Datum		d;
	double		out;
	int			decimals;
	ErrorContextCallback context;

	if (v->type == jbvNumeric)
		text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	else if (v->type == jbvString)
		text = pnstrdup(v->val.string.val, v->val.string.len);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s bound of column \"%s\" must be a number or a string", which, fc->name)));
	getTypeInputInfo(fc->typid, &typinput, &typioparam);
	context.callback = public_bound_context;
	context.arg = (void *) fc->name;
	context.previous = error_context_stack;
	error_context_stack = &context;
	d = OidInputFunctionCall(typinput, text, typioparam, fc->typmod);
	error_context_stack = context.previous;
	if (!numeric_value(fc->type.repr, d, &out, &decimals))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s bound of column \"%s\" must be finite", which, fc->name)));
	return out;
}

/*
 * set_public_bounds: the columns' ranges from synth_fit's bounds argument,
 * {"column": [low, high], ...}, for a differentially private fit.
 */
static void
set_public_bounds(FitColumn *cols, int ncols, Jsonb *bounds, const char *relname)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(bounds))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds must be a JSON object"),
				 errhint("Give each column's range as {\"column\": [low, high], ...}.")));
	it = JsonbIteratorInit(&bounds->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		FitColumn  *fc = NULL;
		JsonbValue *lo,
				   *hi;
		int			c;

		if (token == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (token != WJB_VALUE || key == NULL)
			continue;
		for (c = 0; c < ncols && fc == NULL; c++)
			if (strcmp(cols[c].name, key) == 0)
				fc = &cols[c];
		if (fc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist", key, relname),
					 errdetail("It is named in the bounds argument.")));
		if (fc->excluded)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot bound column \"%s\"", key),
					 errdetail("The column is excluded.")));
		if (fc->type.kind != COLUMN_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("cannot bound column \"%s\"", key),
					 errdetail("Only a column of numbers, dates or timestamps has bounds.")));
		if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data) ||
			JsonContainerSize(v.val.binary.data) != 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the bounds of column \"%s\" must be an array of two values", key),
					 errhint("Write {\"%s\": [low, high]}.", key)));
		lo = getIthJsonbValueFromContainer(v.val.binary.data, 0);
		hi = getIthJsonbValueFromContainer(v.val.binary.data, 1);
		fc->bound_lo = public_bound(fc, lo, "lower");
		fc->bound_hi = public_bound(fc, hi, "upper");
		if (!(fc->bound_lo < fc->bound_hi))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the lower bound of column \"%s\" must be below its upper bound", key)));
		if (!isfinite(fc->bound_hi - fc->bound_lo))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the bounds of column \"%s\" lie too far apart to model", key),
					 errdetail("They span more than double precision can hold.")));
		fc->has_bounds = true;
		key = NULL;
	}
}

/*
 * synth_fit(source regclass, model text, exclude text[], min_group_size int,
 *			 epsilon float8, delta float8, tails text, bounds jsonb)
 *		returns the model's name.
 */
Datum
synth_fit(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *model_name;
	List	   *exclude = NIL;
	int			min_group_size = SYNTH_DEFAULT_MIN_GROUP_SIZE;
	Relation	rel;
	FitColumn  *cols;
	int			ncols;
	char	   *qualified;
	char	   *relname;
	MemoryContext fitctx;
	MemoryContext old;
	TableSample *sample;
	SynthModel *model;
	int64		rows_read;
	double		epsilon = 0.0;
	double		delta = SYNTH_DEFAULT_DP_DELTA;
	char	   *tails = NULL;
	int			tail_column = -1;
	instr_time	start;
	double		read_ms,
				columns_ms = 0.0,
				dependence_ms = 0.0;
	DependenceTimings timings = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source table must not be NULL")));
	relid = PG_GETARG_OID(0);
	if (!PG_ARGISNULL(2))
		exclude = text_array_names(PG_GETARG_ARRAYTYPE_P(2), "exclude");
	if (!PG_ARGISNULL(3))
	{
		min_group_size = PG_GETARG_INT32(3);
		if (min_group_size < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_group_size must be at least 1")));
	}

	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
	{
		epsilon = PG_GETARG_FLOAT8(4);
		if (!(epsilon > 0.0 && epsilon <= 1000.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("epsilon must be greater than 0 and at most 1000"),
					 errhint("epsilon => NULL fits a model without differential privacy.")));
	}
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
	{
		delta = PG_GETARG_FLOAT8(5);
		if (epsilon == 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("delta needs epsilon"),
					 errhint("delta is the differential privacy parameter of text columns; give epsilon too.")));
		if (!(delta > 0.0 && delta < 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("delta must be between 0 and 1, exclusive")));
	}

	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
	{
		tails = text_to_cstring(PG_GETARG_TEXT_PP(6));
		if (epsilon > 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tails cannot be split off in a differentially private fit"),
					 errdetail("A differentially private model has no groups.")));
		if (!synth_fit_dependence || synth_group_depth == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("tails need groups, and this fit makes none"),
					 !synth_fit_dependence ?
					 errdetail("synth.fit_dependence is off.") :
					 errdetail("synth.group_depth is 0.")));
	}

	if (PG_NARGS() > 7 && !PG_ARGISNULL(7) && epsilon == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds need epsilon"),
				 errhint("bounds are the public ranges of a differentially private fit's columns; give epsilon too.")));

	rel = open_readable_relation(relid);
	relname = pstrdup(RelationGetRelationName(rel));
	qualified = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), relname);
	cols = plan_columns(rel, exclude, &ncols);
	if (PG_NARGS() > 7 && !PG_ARGISNULL(7))
		set_public_bounds(cols, ncols, PG_GETARG_JSONB_P(7), relname);
	if (tails != NULL)
	{
		int			c;

		for (c = 0; c < ncols; c++)
			if (strcmp(cols[c].name, tails) == 0)
				tail_column = c;
		if (tail_column < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist", tails, relname),
					 errdetail("It is named in the tails argument.")));
		if (cols[tail_column].excluded)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot split off the tails of column \"%s\"", tails),
					 errdetail("The column is excluded."),
					 errhint("Remove it from exclude, or name another column.")));
		if (cols[tail_column].type.kind != COLUMN_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("cannot split off the tails of column \"%s\"", tails),
					 errdetail("Only a column of numbers, dates or timestamps has tails."),
					 errhint("Condition on its values directly, or name another column.")));
	}
	relation_close(rel, NoLock);	/* keep the lock to the end of the transaction */

	model_name = PG_ARGISNULL(1) ? relname : text_to_cstring(PG_GETARG_TEXT_PP(1));
	check_model_name(model_name);
	if (PG_ARGISNULL(1))
	{
		/* a default name must not silently take over another table's model */
		char	   *existing = model_source(model_name);

		if (existing != NULL && strcmp(existing, qualified) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("synth model \"%s\" already exists for %s", model_name, existing),
					 errhint("Name the model of %s with model => 'name', or drop the other one with synth_drop('%s').",
							 qualified, model_name)));
	}

	fitctx = AllocSetContextCreate(CurrentMemoryContext, "synth fit", ALLOCSET_DEFAULT_SIZES);
	INSTR_TIME_SET_CURRENT(start);
	sample = read_table(relid, qualified, cols, ncols, &rows_read, fitctx);
	read_ms = ms_since(start);
	if (rows_read == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit relation \"%s\" because it is empty", relname)));

	old = MemoryContextSwitchTo(fitctx);
	INSTR_TIME_SET_CURRENT(start);
	if (epsilon > 0.0)
	{
		/* every row, or the choice of rows would depend on their order */
		if (rows_read > sample->nrows)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a differentially private fit reads every row, and \"%s\" has more than synth.fit_sample_rows (%d)",
							relname, synth_fit_sample_rows),
					 errhint("Raise synth.fit_sample_rows for this fit (it costs memory), or fit a sample you draw yourself.")));
		model = dp_build_model(cols, ncols, sample, epsilon, delta, min_group_size);
		rows_read = model->rows_read;
		columns_ms = ms_since(start);
	}
	else
	{
		/* the groups look categorical values up by number */
		if (synth_fit_dependence && synth_group_depth > 0)
		{
			int			c;

			for (c = 0; c < ncols; c++)
				if (sample->columns[c].strings != NULL)
					sample_dictionary_build(&sample->columns[c], sample->nrows);
		}
		model = build_model(cols, ncols, sample, rows_read, min_group_size,
							 synth_fit_dependence && synth_group_depth > 0, NULL);
		check_not_null_columns(model, cols, relname);
		columns_ms = ms_since(start);
		if (synth_fit_dependence)
		{
			INSTR_TIME_SET_CURRENT(start);
			build_dependence(model, cols, ncols, sample, min_group_size, tail_column, &timings);
			dependence_ms = ms_since(start);
		}
	}
	MemoryContextSwitchTo(old);

	/* a model that keeps nothing samples only NULLs (or keys): say so */
	{
		int			c;
		bool		keeps_any = false;

		for (c = 0; c < model->ncolumns && !keeps_any; c++)
			keeps_any = model->columns[c].kind != COLUMN_EXCLUDED &&
				model->columns[c].null_frac < 1.0 && !model->columns[c].is_key;
		if (!keeps_any)
			ereport(WARNING,
					(errmsg("synth model \"%s\" keeps no value of any column", model_name),
					 errdetail("Its samples will be NULL apart from keys."),
					 errhint("A value is kept when it is seen in at least min_group_size rows (%d here) and its column is not excluded; a differentially private fit also needs it to stand out from the noise.",
							 model->min_group_size)));
	}

	INSTR_TIME_SET_CURRENT(start);
	model_save(model_name, qualified, rows_read, model);
	MemoryContextDelete(fitctx);

	/* where the time went (tests/bench/speed prints it) */
	ereport(DEBUG1,
			(errmsg_internal("synth_fit \"%s\": read %.2f ms, column models %.2f ms, dependence %.2f ms (grouping %.2f, splits %.2f, group column models %.2f, orders %.2f, copulas %.2f), store %.2f ms",
							 model_name, read_ms, columns_ms, dependence_ms,
							 timings.grouping, timings.splits, timings.group_columns,
							 timings.orders, timings.copulas, ms_since(start))));

	PG_RETURN_TEXT_P(cstring_to_text(model_name));
}
