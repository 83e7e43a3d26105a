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
 * learnt from it.  Memory is bounded by the sample, not the table.
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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "category_order.h"
#include "column_model.h"
#include "column_types.h"
#include "dependence.h"
#include "dp_fit.h"
#include "fit.h"
#include "grouping.h"
#include "model_store.h"
#include "numerics.h"
#include "table_sample.h"

int			synth_fit_sample_rows = 100000;
int			synth_group_depth = GROUP_DEPTH_MAX;
bool		synth_fit_dependence = true;
bool		synth_tail_groups = true;

#define FIT_FETCH_ROWS 1000

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
 * Integer columns that are keys: the only column of a unique index (a
 * primary key or a unique constraint; not partial, not an expression).
 * Their values are generated fresh and unique instead of being modelled.
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

			for (i = 0; i < ncols; i++)
				if (strcmp(cols[i].name, name) == 0 && !cols[i].excluded &&
					(cols[i].type.repr == REPR_INT2 || cols[i].type.repr == REPR_INT4 ||
					 cols[i].type.repr == REPR_INT8))
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

/* the column whose value sample_store is converting, for error context */
static const char *converting_column = NULL;

/*
 * An error while a value is converted (a numeric beyond double precision)
 * names the column and says what to do.
 */
static void
read_error_callback(void *arg)
{
	if (converting_column == NULL)
		return;
	if (geterrcode() == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
		errhint("Exclude the column with exclude => ARRAY[%s], or fit a view that rescales it.",
				quote_literal_cstr(converting_column));
	errcontext("reading column \"%s\" of %s", converting_column, (const char *) arg);
}

/* store one fetched row into sample slot "slot" */
static void
sample_store(TableSample *s, int slot, FitColumn *cols, HeapTuple tuple, TupleDesc desc)
{
	int			i;

	for (i = 0; i < s->ncolumns; i++)
	{
		FitColumn  *fc = &cols[i];
		SampleColumn *sc = &s->columns[i];
		bool		isnull;
		Datum		d;

		if (fc->query_position == 0)
			continue;
		d = SPI_getbinval(tuple, desc, fc->query_position, &isnull);
		if (sc->strings && sc->strings[slot])
		{
			pfree(sc->strings[slot]);
			sc->strings[slot] = NULL;
		}
		if (!isnull && fc->type.kind == COLUMN_NUMERIC)
		{
			int			dec;

			converting_column = fc->name;
			if (!numeric_value(fc->type.repr, d, &sc->numbers[slot], &dec))
				isnull = true;
			else if (fc->max_decimals >= 0)
				fc->max_decimals = dec < 0 ? -1 : Max(fc->max_decimals, dec);
		}
		else if (!isnull && fc->type.kind == COLUMN_CATEGORICAL)
			sc->strings[slot] = TextDatumGetCString(d);
		sc->isnull[slot] = isnull;
		converting_column = NULL;
	}
}

/*
 * Read every row of the relation, keeping a reservoir sample.  Returns the
 * sample; *rows_read is the table's row count.
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
	Portal		portal;
	int64		seen = 0;
	MemoryContext old;
	ErrorContextCallback errcb;

	old = MemoryContextSwitchTo(fitctx);
	sample = sample_create(cols, ncols, capacity);
	MemoryContextSwitchTo(old);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);

	/*
	 * A fit reads the table out, like COPY TO: it shows in
	 * pg_stat_progress_copy with the rows read so far.
	 */
	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, relid);
	pgstat_progress_update_multi_param(2, progress_index, progress_value);

	converting_column = NULL;
	errcb.callback = read_error_callback;
	errcb.arg = (void *) qualified;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	for (;;)
	{
		uint64		i;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, FIT_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(fitctx);
		for (i = 0; i < SPI_processed; i++)
		{
			int64		slot;

			seen++;
			if (seen <= capacity)
				slot = seen - 1;
			else
			{
				/* algorithm R: keep row "seen" with probability capacity/seen */
				slot = (int64) (synth_mix_seed((uint64) seen) % (uint64) seen);
				if (slot >= capacity)
					continue;
			}
			sample_store(sample, (int) slot, cols, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		}
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
		pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, seen);
	}
	error_context_stack = errcb.previous;
	pgstat_progress_end_command();
	SPI_cursor_close(portal);
	SPI_finish();

	sample->nrows = (int) Min(seen, (int64) capacity);
	*rows_read = seen;
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
 * Does the model of a column keep nothing of its values but their shape,
 * every value being rare (an identifier, a name, a title)?  A group's own
 * model of such a column would be the same but for the shape, learnt from
 * fewer rows: a group takes it from its parent (build_model's "parent").
 */
static bool
only_made_up_strings(const ColumnModel *cm)
{
	return cm->kind == COLUMN_CATEGORICAL && cm->ncategories == 0 && cm->shape != NULL &&
		cm->null_frac < 1.0;
}

/*
 * learn each column's model from the sample; with "keep_order", a numeric
 * column's rows in order of value are left in the sample (SampleColumn's
 * order) for the groups to split.  A group's model ("parent" is the model
 * it is a group of) takes its parent's model of a column of made-up
 * strings, with its own NULL share.
 */
static SynthModel *
build_model(FitColumn *cols, int ncols, TableSample *sample, int64 rows_read,
			int min_group_size, bool keep_order, const SynthModel *parent)
{
	SynthModel *model = palloc0(sizeof(SynthModel));
	int			n = sample->nrows;
	int			i,
				r;

	model->ncolumns = ncols;
	model->columns = palloc0(sizeof(ColumnModel) * ncols);
	model->min_group_size = min_group_size;
	model->rows_read = rows_read;
	model->rows_used = n;

	for (i = 0; i < ncols; i++)
	{
		FitColumn  *fc = &cols[i];
		ColumnModel *cm = &model->columns[i];
		SampleColumn *sc = &sample->columns[i];
		int			nvalues = 0;

		CHECK_FOR_INTERRUPTS();
		if (!column_model_begin(cm, fc))
			continue;
		for (r = 0; r < n; r++)
			if (!sc->isnull[r])
				nvalues++;

		if (parent != NULL && only_made_up_strings(&parent->columns[i]) && nvalues > 0)
		{
			*cm = parent->columns[i];
			cm->null_frac = (double) (n - nvalues) / n;
			continue;
		}

		switch (fc->type.kind)
		{
			case COLUMN_NUMERIC:
				{
					double	   *values = palloc_extended(sizeof(double) * Max(nvalues, 1), MCXT_ALLOC_HUGE);
					int			k = 0;

					/*
					 * In order of value (the column model sorts them, and
					 * only checks an ordered array); a group's rows come in
					 * order already.
					 */
					if (sc->order == NULL)
					{
						int		   *order = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE);

						sort_rows_by_value(sc->numbers, sc->isnull, n, order);
						for (k = 0; k < nvalues; k++)
							values[k] = sc->numbers[order[k]];
						if (keep_order)
							sc->order = order;
						else
							pfree(order);
					}
					else
						for (k = 0; k < nvalues; k++)
							values[k] = sc->numbers[sc->order[k]];
					/* a model's piece must have a width a double can hold */
					if (nvalues > 1 && !isfinite(values[nvalues - 1] - values[0]))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("values of column \"%s\" lie too far apart to model", fc->name),
								 errdetail("They run from %g to %g, a span beyond the range of double precision.",
										   values[0], values[nvalues - 1]),
								 errhint("Exclude the column, or fit a view that rescales it.")));
					column_fit_numeric(cm, values, nvalues, n, fc->max_decimals, min_group_size);
					cm->is_key = fc->is_key;
					pfree(values);
					break;
				}
			case COLUMN_CATEGORICAL:
				if (sc->ids != NULL)
					column_fit_categorical_ids(cm, sc, n, fc->type.fresh_strings,
											   min_group_size);
				else
				{
					char	  **values = palloc_extended(sizeof(char *) * Max(nvalues, 1), MCXT_ALLOC_HUGE);
					int			k = 0;

					for (r = 0; r < n; r++)
						if (!sc->isnull[r])
							values[k++] = sc->strings[r];
					column_fit_categorical(cm, values, nvalues, n, fc->type.fresh_strings,
										   min_group_size);
					pfree(values);
				}
				break;
			case COLUMN_UUID:
				cm->kind = COLUMN_UUID;
				cm->null_frac = n > 0 ? (double) (n - nvalues) / n : 0.0;
				break;
			case COLUMN_EXCLUDED:
				break;
		}
	}

	model->group_column = -1;
	return model;
}

/* is every value of a sample column NULL? */
static bool
all_null(const SampleColumn *sc, int n)
{
	int			r;

	for (r = 0; r < n; r++)
		if (!sc->isnull[r])
			return false;
	return true;
}

/* a group's column blends in at most this many of the table's values */
#define BLEND_MAX_VALUES 256

/*
 * blend_pooled_with_table: a group's model of a categorical column pools
 * the values seen in fewer than min_group_size of the group's rows, and
 * would sample that share as made-up strings.  Part of it is values the
 * whole table's model keeps (a director with many films, few of them in
 * this group): that part is given to those values instead, in the table's
 * proportions, so the group samples real names the table may show.
 *
 * What is learnt from the group is one share: how much of the pool those
 * values hold.  Like the pooled share itself, it may be stored only when
 * it is spread over at least min_group_size distinct values (else it would
 * be one value's small count); when the rest of the pool (values rare in
 * the whole table) is held by fewer distinct values, the whole pool goes
 * to the table's values instead.  At most BLEND_MAX_VALUES of the table's
 * values, the most frequent, are added, to keep a model of many groups
 * small; the share of the others stays made-up strings.
 */
static void
blend_pooled_with_table(ColumnModel *own, const ColumnModel *all, const SampleColumn *sc, int n,
						int min_group_size)
{
	int		   *own_codes;
	int		   *all_codes;
	char	  **own_sorted;
	char	  **rare_values;
	bool	   *extra;
	bool	   *seen;
	ValueIndex *chosen;
	int			nextra = 0,
				in_table = 0,
				in_table_distinct = 0,
				rare = 0,
				rare_distinct,
				k,
				r;
	double		extra_mass = 0.0,
				chosen_mass = 0.0,
				pooled = own->other_prob,
				to_table,
				acc;
	char	  **labels;
	double	   *cum;

	if (own->kind != COLUMN_CATEGORICAL || all->kind != COLUMN_CATEGORICAL ||
		pooled <= 0.0 || all->ncategories == 0)
		return;

	/* the table's values that the group does not keep */
	own_sorted = palloc(sizeof(char *) * Max(own->ncategories, 1));
	if (own->ncategories > 0)
		memcpy(own_sorted, own->labels, sizeof(char *) * own->ncategories);
	qsort(own_sorted, own->ncategories, sizeof(char *), compare_cstring);
	extra = palloc0(sizeof(bool) * all->ncategories);
	for (k = 0; k < all->ncategories; k++)
	{
		if (own->ncategories > 0 &&
			bsearch(&all->labels[k], own_sorted, own->ncategories, sizeof(char *),
					compare_cstring) != NULL)
			continue;
		extra[k] = true;
		nextra++;
		extra_mass += all->category_cum[k] - (k > 0 ? all->category_cum[k - 1] : 0.0);
	}
	pfree(own_sorted);

	/* the group's pooled rows: a value the table keeps, or one rare there too */
	own_codes = palloc(sizeof(int) * Max(n, 1));
	all_codes = palloc(sizeof(int) * Max(n, 1));
	rare_values = palloc(sizeof(char *) * Max(n, 1));
	seen = palloc0(sizeof(bool) * all->ncategories);
	category_codes(own, sc, n, own_codes);
	category_codes(all, sc, n, all_codes);
	for (r = 0; r < n; r++)
	{
		if (own_codes[r] == CODE_NULL || own_codes[r] >= 0)
			continue;
		if (all_codes[r] >= 0)
		{
			in_table++;
			in_table_distinct += !seen[all_codes[r]];
			seen[all_codes[r]] = true;
		}
		else
			rare_values[rare++] = sc->strings[r];
	}
	rare_distinct = distinct_string_count(rare_values, rare);
	pfree(own_codes);
	pfree(all_codes);
	pfree(rare_values);
	pfree(seen);
	if (nextra == 0 || extra_mass <= 0.0 || in_table == 0 ||
		in_table_distinct < min_group_size)
	{
		pfree(extra);
		return;
	}
	if (rare_distinct >= min_group_size)
		to_table = pooled * in_table / (in_table + rare);
	else
		to_table = pooled;

	/* the most frequent of those values, at most BLEND_MAX_VALUES */
	chosen = palloc(sizeof(ValueIndex) * nextra);
	for (k = 0, r = 0; k < all->ncategories; k++)
		if (extra[k])
		{
			chosen[r].value = -(all->category_cum[k] - (k > 0 ? all->category_cum[k - 1] : 0.0));
			chosen[r].index = k;
			r++;
		}
	sort_value_indexes(chosen, nextra);
	nextra = Min(nextra, BLEND_MAX_VALUES);
	for (r = 0; r < nextra; r++)
		chosen_mass -= chosen[r].value;

	labels = palloc(sizeof(char *) * (own->ncategories + nextra));
	cum = palloc(sizeof(double) * (own->ncategories + nextra));
	acc = 0.0;
	for (k = 0; k < own->ncategories; k++)
	{
		labels[k] = own->labels[k];
		cum[k] = own->category_cum[k];
		acc = cum[k];
	}
	for (r = 0; r < nextra; r++)
	{
		acc += to_table * -chosen[r].value / extra_mass;
		labels[own->ncategories + r] = all->labels[chosen[r].index];
		cum[own->ncategories + r] = Min(acc, 1.0);
	}
	k = own->ncategories + nextra;
	own->ncategories = k;
	own->labels = labels;
	own->category_cum = cum;
	/* the pool's rest: made-up strings, as before */
	own->other_prob = pooled - to_table * chosen_mass / extra_mass;
	if (own->other_prob <= 1e-12)
	{
		own->other_prob = 0.0;
		own->category_cum[k - 1] = 1.0;
	}
	else
		own->category_cum[k - 1] = 1.0 - own->other_prob;
	pfree(chosen);
	pfree(extra);
}

/*
 * sample_split: the rows of "sample" in each group 0 .. ngroups - 1, copied
 * column by column, each group gathering its rows in row order (a text
 * value's string is shared, not copied); a row of a group beyond those is
 * left out.  With "with_order", each group keeps the order of its rows'
 * values that a column has (SampleColumn's order).
 */
static TableSample **
sample_split(const TableSample *sample, const int *row_group, int ngroups, bool with_order)
{
	TableSample **subs = palloc(sizeof(TableSample *) * ngroups);
	int		   *n = palloc0(sizeof(int) * ngroups);
	int		  **rows = palloc(sizeof(int *) * ngroups);	/* a group's rows */
	int		   *k = palloc(sizeof(int) * ngroups);
	int		   *row_in_group = NULL;	/* a row's number in its group */
	int			nvalues;
	int			c,
				g,
				r,
				i;

	if (with_order)
		row_in_group = palloc_extended(sizeof(int) * Max(sample->nrows, 1), MCXT_ALLOC_HUGE);
	for (r = 0; r < sample->nrows; r++)
		if (row_group[r] >= 0 && row_group[r] < ngroups)
			n[row_group[r]]++;
	for (g = 0; g < ngroups; g++)
	{
		rows[g] = palloc_extended(sizeof(int) * Max(n[g], 1), MCXT_ALLOC_HUGE);
		k[g] = 0;
		subs[g] = palloc0(sizeof(TableSample));
		subs[g]->ncolumns = sample->ncolumns;
		subs[g]->nrows = n[g];
		subs[g]->columns = palloc0(sizeof(SampleColumn) * sample->ncolumns);
	}
	for (r = 0; r < sample->nrows; r++)
	{
		g = row_group[r];
		if (g < 0 || g >= ngroups)
			continue;
		if (row_in_group)
			row_in_group[r] = k[g];
		rows[g][k[g]++] = r;
	}
	for (c = 0; c < sample->ncolumns; c++)
	{
		const SampleColumn *from = &sample->columns[c];

		if (from->isnull == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		for (g = 0; g < ngroups; g++)
		{
			SampleColumn *to = &subs[g]->columns[c];
			const int  *in = rows[g];
			int			m = n[g];

			bool	   *isnull = palloc_extended(sizeof(bool) * Max(m, 1), MCXT_ALLOC_HUGE);

			for (i = 0; i < m; i++)
				isnull[i] = from->isnull[in[i]];
			to->isnull = isnull;
			if (from->numbers)
			{
				const double *src = from->numbers;
				double	   *dst = palloc_extended(sizeof(double) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->numbers = dst;
			}
			if (from->strings)
			{
				char	  **src = from->strings;
				char	  **dst = palloc_extended(sizeof(char *) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->strings = dst;
			}
			if (from->ids)
			{
				const int  *src = from->ids;
				int		   *dst = palloc_extended(sizeof(int) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->ids = dst;
				to->dict = from->dict;
			}
		}
		if (from->order == NULL || row_in_group == NULL)
			continue;
		/* the order: the parent's, each row renumbered within its group */
		for (g = 0; g < ngroups; g++)
		{
			subs[g]->columns[c].order = palloc_extended(sizeof(int) * Max(n[g], 1),
														MCXT_ALLOC_HUGE);
			k[g] = 0;
		}
		nvalues = sample_column_values(from, sample->nrows);
		{
			int		  **dst = palloc(sizeof(int *) * ngroups);
			const int  *src = from->order;

			for (g = 0; g < ngroups; g++)
				dst[g] = subs[g]->columns[c].order;
			for (r = 0; r < nvalues; r++)
			{
				int			row = src[r];

				g = row_group[row];
				if (g >= 0 && g < ngroups)
					dst[g][k[g]++] = row_in_group[row];
			}
			pfree(dst);
		}
	}
	for (g = 0; g < ngroups; g++)
		pfree(rows[g]);
	pfree(rows);
	pfree(n);
	pfree(k);
	if (row_in_group)
		pfree(row_in_group);
	return subs;
}

/*
 * A group's numbers stay inside the range the whole table's model gives the
 * column: a small group's extrapolated tails must not reach past it.
 */
static void
clamp_to_table_range(SynthModel *group, const SynthModel *table)
{
	int			c,
				i;

	for (c = 0; c < table->ncolumns; c++)
	{
		const QuantileFunction *all = &table->columns[c].quantiles;
		QuantileFunction *own = &group->columns[c].quantiles;
		double		lo,
					hi;

		if (table->columns[c].kind != COLUMN_NUMERIC || all->npieces == 0 ||
			group->columns[c].kind != COLUMN_NUMERIC)
			continue;
		lo = all->pieces[0].lo;
		hi = all->pieces[0].hi;
		for (i = 1; i < all->npieces; i++)
		{
			lo = Min(lo, all->pieces[i].lo);
			hi = Max(hi, all->pieces[i].hi);
		}
		for (i = 0; i < own->npieces; i++)
		{
			own->pieces[i].lo = Max(lo, Min(hi, own->pieces[i].lo));
			own->pieces[i].hi = Max(lo, Min(hi, own->pieces[i].hi));
		}
	}
}

/*
 * The rows the dependence is learnt from: the copula's correlations, the
 * order of categories and the choice of a grouping column.  Up to "want"
 * rows that is the whole sample; beyond, a uniform random subset of that
 * many rows (selection sampling, Knuth's algorithm S, with a fixed seed: a
 * fit stays repeatable).  The column models are still learnt from every row
 * of the sample; see DEPENDENCE_SAMPLE_ROWS for the budgets.  With
 * "with_order", the subset keeps the sample's order of values (for
 * grouping; a copula does not use it).
 */
static TableSample *
dependence_sample(const TableSample *sample, int want, bool with_order)
{
	int			n = sample->nrows;
	int		   *chosen;
	SynthRng   *rng;
	TableSample *sub;
	int			r;

	if (n <= want)
		return (TableSample *) sample;
	chosen = palloc(sizeof(int) * n);
	rng = synth_rng_create(DEPENDENCE_SAMPLE_SEED);
	for (r = 0; r < n; r++)
	{
		/* take row r with probability (still wanted) / (rows left) */
		bool		take = (n - r) * synth_rng_uniform(rng) < want;

		chosen[r] = take ? 0 : -1;
		want -= take;
	}
	synth_rng_free(rng);
	sub = sample_split(sample, chosen, 1, with_order)[0];
	pfree(chosen);
	return sub;
}

/*
 * The tails of the column the caller named (synth_fit's "tails") could not
 * be split off: say why.  "dep" is the sample the split is chosen on;
 * "tail_min_rows" the fewest rows a tail needs.
 */
static void
report_tails_refused(const SynthModel *model, const FitColumn *cols, int ncols,
					 int tail_column, const TableSample *dep, int tail_min_rows)
{
	const char *name = cols[tail_column].name;
	int			nvalues = sample_column_values(&dep->columns[tail_column], dep->nrows);
	int			per_tail = (int) (GROUP_TAIL_SHARE * nvalues);

	if (ncols < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("The table has no other column for its tails to tell about.")));
	if (!grouping_has_tails(&model->columns[tail_column]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("It has no continuous range of values to cut: too few distinct values, a key, or no values kept."),
				 errhint("Condition on its values directly, or name another column.")));
	if (per_tail < tail_min_rows)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("A tail is 5%% of the column's values, %d of its %d values among the %d rows the dependence is learnt from, and needs at least %d rows (100, 6 per column, and min_group_size).",
						   per_tail, nvalues, dep->nrows, tail_min_rows),
				 errhint("Fit a larger table, or lower min_group_size if it sets the minimum.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot split off the tails of column \"%s\"", name),
			 errdetail("Values tied at its 5%% and 95%% cuts leave both tails with fewer than %d rows.",
					   tail_min_rows),
			 errhint("Condition on its values directly, or name another column.")));
}

/*
 * Split the model into per-group models when a grouping column helps (see
 * grouping.c); each group is learnt from its own rows like a table, and may
 * split once more (GROUP_DEPTH_MAX).  The whole table may split first by
 * the tails of a continuous column; the tails then stay whole, and the
 * middle may split again, by a discrete column or (as the whole table may)
 * by the quartiles of a continuous one ("numeric_ok").  "table" is the
 * whole table's model; "dep" is the part of "sample" that the grouping
 * column and the order of categories are chosen on (see
 * dependence_sample(); it may be "sample" itself).
 */
static void
build_groups(SynthModel *model, const SynthModel *parent, const SynthModel *table,
			 FitColumn *cols, int ncols, TableSample *sample, TableSample *dep,
			 int min_group_size, int depth, bool numeric_ok, int tail_column)
{
	int		   *row_group;
	int		   *dep_group;
	TableSample **subs;
	TableSample **dep_subs;
	int			ngroups;
	int			column;
	GroupSplit	split;
	int			middle;
	int			min_rows;
	int			tail_min_rows;
	int			g;
	bool	   *shared;
	double		acc = 0.0;

	if (depth >= synth_group_depth)
		return;
	row_group = palloc(sizeof(int) * Max(sample->nrows, 1));
	dep_group = dep == sample ? row_group : palloc(sizeof(int) * Max(dep->nrows, 1));
	/* a group learns every column and pair from its rows: so many at least */
	min_rows = Max(depth == 0 ? GROUP_MIN_ROWS : GROUP_MIN_ROWS_NESTED,
				   GROUP_ROWS_PER_COLUMN * ncols);
	/* a tail as many as a group within a group, and enough to keep values */
	tail_min_rows = depth == 0 && (synth_tail_groups || tail_column >= 0) ?
		Max(Max(GROUP_MIN_ROWS_NESTED, GROUP_ROWS_PER_COLUMN * ncols), min_group_size) : 0;
	column = grouping_choose(model, dep, sample, min_rows, tail_min_rows, tail_column,
							 numeric_ok, dep_group, row_group, &ngroups, &split);
	if (tail_column >= 0 && (column != tail_column || split != GROUP_SPLIT_TAILS))
		report_tails_refused(model, cols, ncols, tail_column, dep, tail_min_rows);
	if (column < 0)
	{
		if (dep_group != row_group)
			pfree(dep_group);
		pfree(row_group);
		return;
	}
	subs = sample_split(sample, row_group, ngroups, true);
	dep_subs = dep == sample ? subs : sample_split(dep, dep_group, ngroups, true);
	/* of a tail split, only the middle (the largest group) splits again */
	middle = 0;
	if (split == GROUP_SPLIT_TAILS)
		for (g = 1; g < ngroups; g++)
			if (subs[g]->nrows > subs[middle]->nrows)
				middle = g;
	model->group_column = column;
	model->ngroups = ngroups;
	model->group_cum = palloc(sizeof(double) * ngroups);
	model->groups = palloc(sizeof(SynthModel *) * ngroups);
	for (g = 0; g < ngroups; g++)
	{
		TableSample *sub = subs[g];
		SynthModel *gm = build_model(cols, ncols, sub, model->rows_read, min_group_size, true,
									 model);
		int			c;

		/*
		 * In a group, fewer rows share each value, so more values fall under
		 * min_group_size.  Where the group's own model keeps nothing of a
		 * column that has values in the group, the group uses the model it
		 * is a group of (the table's, or a group's for a group within a
		 * group) for the column, with the group's own NULL share; otherwise
		 * a categorical column's pooled share goes partly to the values that
		 * model keeps (blend_pooled_with_table).  The group's own shares of
		 * the values it keeps stay: a column the grouping column drives (a
		 * car's drive train by its class) would lose them to the table's.
		 */
		for (c = 0; c < ncols; c++)
		{
			ColumnModel *own = &gm->columns[c];
			const ColumnModel *all = &model->columns[c];

			if (all->null_frac < 1.0 && own->null_frac >= 1.0 &&
				!all_null(&sub->columns[c], sub->nrows))
			{
				int			nvalues = sample_column_values(&sub->columns[c], sub->nrows);

				*own = *all;
				own->null_frac = (double) (sub->nrows - nvalues) / sub->nrows;
			}
			else if (own->null_frac < 1.0 && all->null_frac < 1.0)
				blend_pooled_with_table(own, all, &sub->columns[c], sub->nrows,
										min_group_size);
		}
		clamp_to_table_range(gm, table);
		model->groups[g] = gm;
	}

	/*
	 * Only a leaf's categories need the copula's order (category_order.c),
	 * and the columns a group takes whole from this model: those are
	 * ordered here, on this model's rows, unless this model took them from
	 * its own parent (which ordered them).  (So the choice of this model's
	 * grouping column, above, saw its categories in order of frequency:
	 * the order of its groups follows it, and beyond MAX_CODES a column's
	 * rarest categories share a code.)
	 */
	shared = palloc0(sizeof(bool) * ncols);
	for (g = 0; g < ngroups; g++)
	{
		int			c;

		for (c = 0; c < ncols; c++)
			if (model->columns[c].kind == COLUMN_CATEGORICAL &&
				model->groups[g]->columns[c].labels == model->columns[c].labels &&
				!(parent != NULL && parent->columns[c].labels == model->columns[c].labels))
				shared[c] = true;
	}
	category_order(model, dep, NULL, shared);
	pfree(shared);

	for (g = 0; g < ngroups; g++)
	{
		TableSample *sub = subs[g];
		TableSample *dep_sub = dep_subs[g];
		SynthModel *gm = model->groups[g];

		if (split != GROUP_SPLIT_TAILS || g == middle)
			build_groups(gm, model, table, cols, ncols, sub, dep_sub, min_group_size, depth + 1,
						 split == GROUP_SPLIT_TAILS, -1);
		/* a leaf: its order of categories and its copula, from its share of the budget (fit.h) */
		if (gm->group_column < 0)
		{
			double		share = (double) sub->nrows / Max(table->rows_used, 1);

			category_order(gm, dep_sub, model, NULL);
			dependence_fit(gm, dependence_sample(sub, Max(DEPENDENCE_GROUP_MIN_ROWS,
														  (int) ceil(share * DEPENDENCE_SAMPLE_ROWS)),
												 false));
		}
		acc += sub->nrows;
		model->group_cum[g] = Min(acc / sample->nrows, 1.0);
	}
	model->group_cum[ngroups - 1] = 1.0;
	if (dep_group != row_group)
		pfree(dep_group);
	pfree(row_group);
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

/*
 * synth_fit(source regclass, model text, exclude text[], min_group_size int,
 *			 epsilon float8, delta float8, tails text)
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

	rel = open_readable_relation(relid);
	relname = pstrdup(RelationGetRelationName(rel));
	qualified = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), relname);
	cols = plan_columns(rel, exclude, &ncols);
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
	sample = read_table(relid, qualified, cols, ncols, &rows_read, fitctx);
	if (rows_read == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit relation \"%s\" because it is empty", relname)));

	old = MemoryContextSwitchTo(fitctx);
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
		if (synth_fit_dependence)
		{
			TableSample *dep = dependence_sample(sample, DEPENDENCE_SAMPLE_ROWS, true);

			build_groups(model, NULL, model, cols, ncols, sample, dep, min_group_size, 0, true,
						 tail_column);
			/* rows are drawn from the leaves only: a mixture needs no copula */
			if (model->group_column < 0)
			{
				category_order(model, dep, NULL, NULL);
				dependence_fit(model, dep);
			}
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

	model_save(model_name, qualified, rows_read, model);
	MemoryContextDelete(fitctx);

	PG_RETURN_TEXT_P(cstring_to_text(model_name));
}
