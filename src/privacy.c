/*-------------------------------------------------------------------------
 *
 * privacy.c
 *	  synth_privacy(): how close the rows of a synthetic table come to the
 *	  rows of the real table it was made from, checked before release.
 *
 * The definitions are those of the project's independent scorer
 * (shared/tools/quality.py), so that the two agree on the same tables:
 *
 * - A synthetic row is an exact copy of a real row when every column is
 *   equal (NULL equal to NULL).
 * - Rows are compared as points: a number, date or timestamp column is
 *   scaled to [0, 1] by the range of the real values (and the holdout
 *   values, when there is a holdout), NULL as -1, plus a 0/1 NULL flag; the
 *   squared distance sums the squared differences of those, plus 0.5 for
 *   each other column whose values differ (one-hot vectors scaled by 0.5).
 *   A number column with at most 10 distinct real values counts as a
 *   category, as in the quality report; so does a column without a real
 *   value.  Text, booleans, enums and uuids are categories, compared by
 *   their text form.
 * - DCR share (distance to closest record), with a holdout: the share of
 *   synthetic rows closer to a real row than to a holdout row, ties counting
 *   one half.  The larger of real and holdout is subsampled (deterministically)
 *   to the size of the smaller, so that 0.5 is what a generator that never
 *   saw the real rows scores.
 *
 * The real and holdout rows are read once and held encoded in memory, in
 * order of the number column that parts them most; the synthetic rows are
 * streamed through a cursor, and each one's nearest real and holdout rows
 * are searched for outwards from its place in that order, until that
 * column's difference alone rules out the rest (nearest(); with early
 * abandoning of a row once it cannot be the nearest).  The result is that
 * of comparing every pair, which it costs in the worst case (O(N M d):
 * categories only, or a nearest row far away).  Memory is that of the real
 * and holdout rows, not the synthetic ones.
 *
 * The tables are read through SPI with the caller's privileges, so SELECT
 * rights and row-level security apply as in any query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "column_model.h"
#include "column_types.h"
#include "fit.h"
#include "numerics.h"

PG_FUNCTION_INFO_V1(synth_privacy);

/* a number column with at most this many distinct real values is a category */
#define PRIVACY_MAX_CATEGORY_NUMBERS 10
/* squared distance added by a categorical mismatch */
#define PRIVACY_MISMATCH 0.5
#define PRIVACY_FETCH_ROWS 1000
/* salt of the deterministic subsample for the DCR share */
#define PRIVACY_SUBSAMPLE_SALT UINT64CONST(0x5EED0F5A3B1E)

/* codes of a categorical value besides its index in the column's dictionary */
#define PRIVACY_CODE_NULL (-2)
#define PRIVACY_CODE_UNSEEN (-1)	/* a synthetic value seen in no real row */

enum
{
	REL_REAL = 0,
	REL_SYNTHETIC,
	REL_HOLDOUT,
	NRELATIONS
};

typedef struct PrivacyColumn
{
	char	   *name;
	Oid			typid[NRELATIONS];
	NumericRepr repr[NRELATIONS];	/* how each relation's numbers are read */
	bool		as_text;		/* read as text: categories and uuids */
	bool		temporal;		/* date or timestamp: a number if any value */
	bool		scaled;			/* compared on the scaled value, else by code */
	int			slot;			/* index among scaled or among coded columns */
	double		lo;				/* scaling: (value - lo) / span */
	double		span;
	int			nlabels;		/* dictionary of a coded column, sorted */
	char	  **labels;			/* as_text */
	double	   *numbers;		/* numbers coded by value */
} PrivacyColumn;

typedef struct PrivacyColumns
{
	int			ncolumns;
	PrivacyColumn *columns;
	int			nscaled;
	int			ncoded;
	int			ndims;			/* 2 per scaled column: value and NULL flag */
} PrivacyColumns;

/* the values of a relation as read, before the columns' kinds are known */
typedef struct RawRows
{
	int64		nrows;
	int64		capacity;
	bool	  **isnull;			/* [column][row] */
	double	  **numbers;
	char	 ***strings;
} RawRows;

/* rows encoded for distances and exact matches */
typedef struct EncodedRows
{
	int64		nrows;
	double	   *point;			/* nrows x ndims */
	double	   *raw;			/* nrows x nscaled: the value (0 if NULL) */
	int32	   *code;			/* nrows x ncoded */
	int64	   *order;			/* rows sorted by their values, for lookups */
	bool	   *member;			/* in the DCR subsample; NULL: every row */
	int			key_dim;		/* rows are in order of point[key_dim]; -1: none */
	int64	   *position;		/* each row's place in the table as read */
} EncodedRows;

/* one row, encoded, pointing into an EncodedRows or a buffer */
typedef struct RowRef
{
	const double *point;
	const double *raw;
	const int32 *code;
} RowRef;

static const char *const relation_roles[NRELATIONS] = {"real", "synthetic", "holdout"};

/*
 * Open a relation the function reads, check its kind and return its name
 * (unqualified, for messages) and its schema-qualified, quoted name.  The
 * relation stays locked until the end of the transaction.
 */
static Relation
open_relation(Oid relid, char **relname, char **qualified)
{
	Relation	rel = open_readable_relation(relid);

	*relname = pstrdup(RelationGetRelationName(rel));
	*qualified = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											*relname);
	return rel;
}

/* may values of types a and b be compared? */
static bool
types_comparable(Oid a, Oid b)
{
	TypeInfo	ta = classify_type(a);
	TypeInfo	tb = classify_type(b);
	bool		number_a,
				number_b;

	if (a == b)
		return true;
	/* integers, floats and numeric compare as numbers */
	number_a = ta.kind == COLUMN_NUMERIC && ta.repr >= REPR_INT2 && ta.repr <= REPR_NUMERIC;
	number_b = tb.kind == COLUMN_NUMERIC && tb.repr >= REPR_INT2 && tb.repr <= REPR_NUMERIC;
	if (number_a && number_b)
		return true;
	/* text, varchar and char compare as text */
	return ta.fresh_strings && tb.fresh_strings;
}

/*
 * The columns of "real", checked: every type supported (else an error naming
 * every unsupported column) and at least one column.
 */
static PrivacyColumns *
plan_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	PrivacyColumns *pc = palloc0(sizeof(PrivacyColumns));
	StringInfoData unsupported;
	int			nunsupported = 0;
	int			first_unsupported = -1;
	int			i;

	pc->columns = palloc0(sizeof(PrivacyColumn) * Max(desc->natts, 1));
	initStringInfo(&unsupported);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		PrivacyColumn *col;
		TypeInfo	t;

		if (att->attisdropped)
			continue;
		t = classify_type(att->atttypid);
		if (t.kind == COLUMN_EXCLUDED)
		{
			appendStringInfo(&unsupported, "%s%s (%s)", nunsupported > 0 ? ", " : "",
							 NameStr(att->attname), format_type_be(att->atttypid));
			if (nunsupported++ == 0)
				first_unsupported = i;
			continue;
		}
		col = &pc->columns[pc->ncolumns++];
		col->name = pstrdup(NameStr(att->attname));
		col->typid[REL_REAL] = att->atttypid;
		col->repr[REL_REAL] = t.repr;
		col->as_text = t.kind != COLUMN_NUMERIC;
		col->temporal = t.repr == REPR_DATE || t.repr == REPR_TIMESTAMP ||
			t.repr == REPR_TIMESTAMPTZ;
	}
	if (nunsupported == 1)
	{
		Form_pg_attribute att = TupleDescAttr(desc, first_unsupported);

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" of relation \"%s\" has type %s, which synth_privacy cannot compare",
						NameStr(att->attname), RelationGetRelationName(rel),
						format_type_be(att->atttypid)),
				 errhint("Compare views that leave the column out.")));
	}
	if (nunsupported > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%d columns of relation \"%s\" have types synth_privacy cannot compare",
						nunsupported, RelationGetRelationName(rel)),
				 errdetail("The columns are %s.", unsupported.data),
				 errhint("Compare views that leave them out.")));
	if (pc->ncolumns == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("relation \"%s\" has no columns", RelationGetRelationName(rel))));
	return pc;
}

/*
 * Match the columns of relation "which" to the real ones by name: the same
 * names, of comparable types.  Errors name the first column that differs.
 */
static void
match_columns(PrivacyColumns *pc, Relation real, Relation rel, int which)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			c,
				i;

	for (c = 0; c < pc->ncolumns; c++)
		pc->columns[c].typid[which] = InvalidOid;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		PrivacyColumn *col = NULL;

		if (att->attisdropped)
			continue;
		for (c = 0; c < pc->ncolumns; c++)
			if (strcmp(pc->columns[c].name, NameStr(att->attname)) == 0)
				col = &pc->columns[c];
		if (col == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is not in relation \"%s\"",
							NameStr(att->attname), RelationGetRelationName(rel),
							RelationGetRelationName(real)),
					 errdetail("The %s relation must have the same columns as the real one, by name.",
							   relation_roles[which]),
					 errhint("Compare views that select the same columns.")));
		if (!types_comparable(col->typid[REL_REAL], att->atttypid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s in relation \"%s\" but %s in relation \"%s\"",
							col->name, format_type_be(col->typid[REL_REAL]),
							RelationGetRelationName(real), format_type_be(att->atttypid),
							RelationGetRelationName(rel)),
					 errdetail("Numbers of any type compare with numbers, and text, varchar and char with each other; other types must be the same.")));
		col->typid[which] = att->atttypid;
	}
	for (c = 0; c < pc->ncolumns; c++)
		if (pc->columns[c].typid[which] == InvalidOid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is not in relation \"%s\"",
							pc->columns[c].name, RelationGetRelationName(real),
							RelationGetRelationName(rel)),
					 errdetail("The %s relation must have the same columns as the real one, by name.",
							   relation_roles[which]),
					 errhint("Compare views that select the same columns.")));
	for (c = 0; c < pc->ncolumns; c++)
		pc->columns[c].repr[which] = classify_type(pc->columns[c].typid[which]).repr;
}

/* SELECT of the columns in the real table's order; categories as text */
static char *
build_query(const PrivacyColumns *pc, const char *qualified)
{
	StringInfoData q;
	int			c;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (c = 0; c < pc->ncolumns; c++)
	{
		const PrivacyColumn *col = &pc->columns[c];

		appendStringInfo(&q, "%s%s%s", c > 0 ? ", " : "", quote_identifier(col->name),
						 col->as_text ? "::pg_catalog.text" : "");
	}
	appendStringInfo(&q, " FROM %s", qualified);
	return q.data;
}

/*
 * Value of column c (0-based) of a fetched row: *isnull, and the number or
 * the text (palloc'd in the current context).  NaN and infinities count as
 * NULL, as in the model.
 */
static void
fetch_value(const PrivacyColumn *col, int which, HeapTuple tuple, TupleDesc desc, int c,
			bool *isnull, double *number, char **string)
{
	Datum		d = SPI_getbinval(tuple, desc, c + 1, isnull);
	int			decimals;

	*number = 0.0;
	*string = NULL;
	if (*isnull)
		return;
	if (col->as_text)
		*string = TextDatumGetCString(d);
	else if (!numeric_value(col->repr[which], d, number, &decimals))
	{
		*isnull = true;
		*number = 0.0;
	}
}

static void
raw_grow(RawRows *rr, int ncolumns)
{
	int64		capacity = rr->capacity == 0 ? 1024 : 2 * rr->capacity;
	int			c;

	if (rr->capacity == 0)
	{
		rr->isnull = palloc0(sizeof(bool *) * ncolumns);
		rr->numbers = palloc0(sizeof(double *) * ncolumns);
		rr->strings = palloc0(sizeof(char **) * ncolumns);
		for (c = 0; c < ncolumns; c++)
		{
			rr->isnull[c] = palloc_extended(sizeof(bool) * capacity, MCXT_ALLOC_HUGE);
			rr->numbers[c] = palloc_extended(sizeof(double) * capacity, MCXT_ALLOC_HUGE);
			rr->strings[c] = palloc_extended(sizeof(char *) * capacity, MCXT_ALLOC_HUGE);
		}
	}
	else
		for (c = 0; c < ncolumns; c++)
		{
			rr->isnull[c] = repalloc_huge(rr->isnull[c], sizeof(bool) * capacity);
			rr->numbers[c] = repalloc_huge(rr->numbers[c], sizeof(double) * capacity);
			rr->strings[c] = repalloc_huge(rr->strings[c], sizeof(char *) * capacity);
		}
	rr->capacity = capacity;
}

/*
 * Read every row of a relation (real or holdout) into "rawctx".  SPI must be
 * connected.  "batchctx" is reset after each batch of rows.
 */
static RawRows *
read_rows(const PrivacyColumns *pc, int which, const char *qualified,
		  MemoryContext rawctx, MemoryContext batchctx)
{
	RawRows    *rr = MemoryContextAllocZero(rawctx, sizeof(RawRows));
	SPIPlanPtr	plan;
	Portal		portal;
	char	   *query = build_query(pc, qualified);
	int			save_nestlevel;

	/*
	 * The rows in their stored order, every time: the subsample hashes row
	 * positions, and a synchronized scan would start wherever another scan
	 * of the table is (as in fit.c).
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("synchronize_seqscans", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		uint64		i;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, PRIVACY_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batchctx);
		for (i = 0; i < SPI_processed; i++)
		{
			int64		r = rr->nrows;
			int			c;

			if (r == rr->capacity)
			{
				MemoryContextSwitchTo(rawctx);
				raw_grow(rr, pc->ncolumns);
				MemoryContextSwitchTo(batchctx);
			}
			for (c = 0; c < pc->ncolumns; c++)
			{
				char	   *s;

				fetch_value(&pc->columns[c], which, SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
							c, &rr->isnull[c][r], &rr->numbers[c][r], &s);
				rr->strings[c][r] = s ? MemoryContextStrdup(rawctx, s) : NULL;
			}
			rr->nrows++;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batchctx);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	AtEOXact_GUC(true, save_nestlevel);
	pfree(query);
	return rr;
}

static void
check_not_empty(int64 nrows, const char *relname, int which)
{
	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot compare relation \"%s\" because it is empty", relname),
				 errdetail("The %s relation needs at least one row.", relation_roles[which])));
}

/* the sorted distinct non-NULL values of column c over real and holdout */
static void
build_dictionary(PrivacyColumn *col, int c, RawRows *const *rows, int nrows_sets)
{
	int64		n = 0;
	int64		k = 0;
	int64		i;
	int			s;

	for (s = 0; s < nrows_sets; s++)
		for (i = 0; i < rows[s]->nrows; i++)
			n += !rows[s]->isnull[c][i];
	if (col->as_text)
	{
		char	  **v = palloc_extended(sizeof(char *) * Max(n, 1), MCXT_ALLOC_HUGE);

		for (s = 0; s < nrows_sets; s++)
			for (i = 0; i < rows[s]->nrows; i++)
				if (!rows[s]->isnull[c][i])
					v[k++] = rows[s]->strings[c][i];
		qsort(v, n, sizeof(char *), compare_cstring);
		k = 0;
		for (i = 0; i < n; i++)
			if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
				v[k++] = pstrdup(v[i]);
		col->labels = v;
	}
	else
	{
		double	   *v = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);

		for (s = 0; s < nrows_sets; s++)
			for (i = 0; i < rows[s]->nrows; i++)
				if (!rows[s]->isnull[c][i])
					v[k++] = rows[s]->numbers[c][i];
		qsort(v, n, sizeof(double), compare_doubles);
		k = 0;
		for (i = 0; i < n; i++)
			if (k == 0 || v[k - 1] != v[i])
				v[k++] = v[i];
		col->numbers = v;
	}
	if (k > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" has too many distinct values to compare", col->name)));
	col->nlabels = (int) k;
}

/* number of distinct non-NULL values of column c of the real rows */
static int64
count_distinct_numbers(const RawRows *rr, int c)
{
	double	   *v = palloc_extended(sizeof(double) * Max(rr->nrows, 1), MCXT_ALLOC_HUGE);
	int64		n = 0;
	int64		distinct = 0;
	int64		i;

	for (i = 0; i < rr->nrows; i++)
		if (!rr->isnull[c][i])
			v[n++] = rr->numbers[c][i];
	qsort(v, n, sizeof(double), compare_doubles);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			distinct++;
	pfree(v);
	return distinct;
}

/*
 * Decide how each column is compared (quality.py's kinds, judged on the
 * real rows) and learn the scaling and dictionaries from real and holdout.
 */
static void
plan_encoding(PrivacyColumns *pc, RawRows *real, RawRows *holdout)
{
	RawRows    *sets[2] = {real, holdout};
	int			nsets = holdout ? 2 : 1;
	int			c;

	pc->nscaled = pc->ncoded = 0;
	for (c = 0; c < pc->ncolumns; c++)
	{
		PrivacyColumn *col = &pc->columns[c];

		CHECK_FOR_INTERRUPTS();
		if (col->as_text)
			col->scaled = false;
		else if (col->temporal)
			col->scaled = count_distinct_numbers(real, c) > 0;
		else
			col->scaled = count_distinct_numbers(real, c) > PRIVACY_MAX_CATEGORY_NUMBERS;

		if (col->scaled)
		{
			double		lo = get_float8_infinity();
			double		hi = -get_float8_infinity();
			int			s;
			int64		i;

			for (s = 0; s < nsets; s++)
				for (i = 0; i < sets[s]->nrows; i++)
					if (!sets[s]->isnull[c][i])
					{
						lo = Min(lo, sets[s]->numbers[c][i]);
						hi = Max(hi, sets[s]->numbers[c][i]);
					}
			col->lo = lo;
			/*
			 * One value only: the scorer's span of 1, in its units (days),
			 * so a timestamp's is a day of microseconds, not one microsecond
			 */
			col->span = hi > lo ? hi - lo :
				(col->repr[REL_REAL] == REPR_TIMESTAMP || col->repr[REL_REAL] == REPR_TIMESTAMPTZ) ?
				(double) USECS_PER_DAY : 1.0;
			col->slot = pc->nscaled++;
		}
		else
		{
			build_dictionary(col, c, sets, nsets);
			col->slot = pc->ncoded++;
		}
	}
	pc->ndims = 2 * pc->nscaled;
}

/* the code of a value in a coded column's dictionary, or PRIVACY_CODE_UNSEEN */
static int32
lookup_code(const PrivacyColumn *col, double number, const char *string)
{
	int			lo = 0;
	int			hi = col->nlabels - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			cmp;

		if (col->as_text)
			cmp = strcmp(string, col->labels[mid]);
		else
			cmp = number < col->numbers[mid] ? -1 : (number > col->numbers[mid] ? 1 : 0);
		if (cmp == 0)
			return mid;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return PRIVACY_CODE_UNSEEN;
}

/* encode one value of column col into a row's point, raw and code arrays */
static inline void
encode_value(const PrivacyColumn *col, bool isnull, double number, const char *string,
			 double *point, double *raw, int32 *code)
{
	if (col->scaled)
	{
		point[2 * col->slot] = isnull ? -1.0 : (number - col->lo) / col->span;
		point[2 * col->slot + 1] = isnull ? 1.0 : 0.0;
		raw[col->slot] = isnull ? 0.0 : number;
	}
	else
		code[col->slot] = isnull ? PRIVACY_CODE_NULL : lookup_code(col, number, string);
}

/* order of two rows' categories alone (compare_rows() sorts by them first) */
static int
compare_codes(const PrivacyColumns *pc, const RowRef *a, const RowRef *b)
{
	int			k;

	for (k = 0; k < pc->ncoded; k++)
		if (a->code[k] != b->code[k])
			return a->code[k] < b->code[k] ? -1 : 1;
	return 0;
}

/* order of two encoded rows by their values: 0 when every column is equal */
static int
compare_rows(const PrivacyColumns *pc, const RowRef *a, const RowRef *b)
{
	int			k;
	int			cmp = compare_codes(pc, a, b);

	if (cmp != 0)
		return cmp;
	for (k = 0; k < pc->nscaled; k++)
	{
		bool		null_a = a->point[2 * k + 1] != 0.0;
		bool		null_b = b->point[2 * k + 1] != 0.0;

		if (null_a != null_b)
			return null_a ? 1 : -1;
		if (!null_a && a->raw[k] != b->raw[k])
			return a->raw[k] < b->raw[k] ? -1 : 1;
	}
	return 0;
}

static inline RowRef
row_ref(const PrivacyColumns *pc, const EncodedRows *er, int64 r)
{
	RowRef		ref;

	ref.point = er->point + r * pc->ndims;
	ref.raw = er->raw + r * pc->nscaled;
	ref.code = er->code + r * pc->ncoded;
	return ref;
}

typedef struct OrderArg
{
	const PrivacyColumns *pc;
	const EncodedRows *er;
} OrderArg;

static int
compare_row_indexes(const void *a, const void *b, void *arg)
{
	const OrderArg *oa = arg;
	RowRef		ra = row_ref(oa->pc, oa->er, *(const int64 *) a);
	RowRef		rb = row_ref(oa->pc, oa->er, *(const int64 *) b);

	return compare_rows(oa->pc, &ra, &rb);
}

typedef struct KeyedRow
{
	double		key;
	int64		row;
} KeyedRow;

#define ST_SORT sort_keyed_rows
#define ST_ELEMENT_TYPE KeyedRow
#define ST_COMPARE(a, b) ((a)->key != (b)->key ? ((a)->key < (b)->key ? -1 : 1) : \
						  ((a)->row > (b)->row) - ((a)->row < (b)->row))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Put the rows of "er" in order of one dimension of their points, for
 * nearest(): the value (not the NULL flag) of the scaled column whose
 * values vary most, as they then part the rows most.  A row's squared
 * distance is at least its squared difference in any one dimension, so the
 * search can stop once that difference alone reaches the nearest distance
 * found.  The rows themselves move (not an index to them), so that the
 * search reads memory in sequence even where it visits most rows; each
 * row's place as read is kept for the subsample (choose_subsample()).
 * Without scaled columns, or if none varies (a NaN variance, from values
 * beyond a double's range, never wins), the rows stay as read
 * (key_dim -1).
 */
static void
order_for_search(const PrivacyColumns *pc, EncodedRows *er)
{
	double		best_var = 0.0;
	KeyedRow   *keyed;
	double	   *point;
	double	   *raw;
	int32	   *code;
	int64		r;
	int			k;

	er->key_dim = -1;
	er->position = NULL;
	if (er->nrows < 2)
		return;
	for (k = 0; k < pc->nscaled; k++)
	{
		double		mean = 0.0,
					sq = 0.0;

		/* Welford's running variance of the column's scaled values */
		for (r = 0; r < er->nrows; r++)
		{
			double		x = er->point[r * pc->ndims + 2 * k];
			double		delta = x - mean;

			if ((r & 65535) == 65535)
				CHECK_FOR_INTERRUPTS();
			mean += delta / (r + 1);
			sq += delta * (x - mean);
		}
		if (sq / er->nrows > best_var)
		{
			best_var = sq / er->nrows;
			er->key_dim = 2 * k;
		}
	}
	if (er->key_dim < 0)
		return;
	keyed = palloc_extended(sizeof(KeyedRow) * er->nrows, MCXT_ALLOC_HUGE);
	for (r = 0; r < er->nrows; r++)
	{
		keyed[r].key = er->point[r * pc->ndims + er->key_dim];
		keyed[r].row = r;
	}
	sort_keyed_rows(keyed, er->nrows);
	point = palloc_extended(sizeof(double) * Max(er->nrows * pc->ndims, 1), MCXT_ALLOC_HUGE);
	raw = palloc_extended(sizeof(double) * Max(er->nrows * pc->nscaled, 1), MCXT_ALLOC_HUGE);
	code = palloc_extended(sizeof(int32) * Max(er->nrows * pc->ncoded, 1), MCXT_ALLOC_HUGE);
	er->position = palloc_extended(sizeof(int64) * er->nrows, MCXT_ALLOC_HUGE);
	for (r = 0; r < er->nrows; r++)
	{
		int64		from = keyed[r].row;

		if ((r & 65535) == 65535)
			CHECK_FOR_INTERRUPTS();
		memcpy(point + r * pc->ndims, er->point + from * pc->ndims, sizeof(double) * pc->ndims);
		memcpy(raw + r * pc->nscaled, er->raw + from * pc->nscaled, sizeof(double) * pc->nscaled);
		memcpy(code + r * pc->ncoded, er->code + from * pc->ncoded, sizeof(int32) * pc->ncoded);
		er->position[r] = from;
	}
	pfree(er->point);
	pfree(er->raw);
	pfree(er->code);
	er->point = point;
	er->raw = raw;
	er->code = code;
	pfree(keyed);
}

/* encode the raw rows of real or holdout and sort them for lookups */
static EncodedRows *
encode_rows(const PrivacyColumns *pc, const RawRows *rr)
{
	EncodedRows *er = palloc0(sizeof(EncodedRows));
	OrderArg	arg;
	int64		r;

	er->nrows = rr->nrows;
	er->point = palloc_extended(sizeof(double) * Max(rr->nrows * pc->ndims, 1), MCXT_ALLOC_HUGE);
	er->raw = palloc_extended(sizeof(double) * Max(rr->nrows * pc->nscaled, 1), MCXT_ALLOC_HUGE);
	er->code = palloc_extended(sizeof(int32) * Max(rr->nrows * pc->ncoded, 1), MCXT_ALLOC_HUGE);
	er->order = palloc_extended(sizeof(int64) * Max(rr->nrows, 1), MCXT_ALLOC_HUGE);
	for (r = 0; r < rr->nrows; r++)
	{
		int			c;

		if ((r & 8191) == 0)
			CHECK_FOR_INTERRUPTS();
		for (c = 0; c < pc->ncolumns; c++)
			encode_value(&pc->columns[c], rr->isnull[c][r], rr->numbers[c][r], rr->strings[c][r],
						 er->point + r * pc->ndims, er->raw + r * pc->nscaled,
						 er->code + r * pc->ncoded);
	}
	order_for_search(pc, er);
	for (r = 0; r < er->nrows; r++)
		er->order[r] = r;
	arg.pc = pc;
	arg.er = er;
	qsort_arg(er->order, er->nrows, sizeof(int64), compare_row_indexes, &arg);
	return er;
}

/* does "er" hold a row equal to "row"?  (binary search in er->order) */
static bool
contains_row(const PrivacyColumns *pc, const EncodedRows *er, const RowRef *row)
{
	int64		lo = 0;
	int64		hi = er->nrows - 1;

	while (lo <= hi)
	{
		int64		mid = lo + (hi - lo) / 2;
		RowRef		ref = row_ref(pc, er, er->order[mid]);
		int			cmp = compare_rows(pc, row, &ref);

		if (cmp == 0)
			return true;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return false;
}

typedef struct SubsampleKey
{
	uint64		hash;
	int64		row;
} SubsampleKey;

static int
compare_subsample_keys(const void *a, const void *b)
{
	const SubsampleKey *x = a;
	const SubsampleKey *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->row < y->row ? -1 : (x->row > y->row ? 1 : 0);
}

/*
 * Mark "k" of the rows of "er" as the subsample the DCR share uses: the rows
 * with the k smallest hashes of their place in the table as read, a fixed
 * uniform choice.
 */
static void
choose_subsample(EncodedRows *er, int64 k)
{
	SubsampleKey *keys = palloc_extended(sizeof(SubsampleKey) * er->nrows, MCXT_ALLOC_HUGE);
	int64		r;

	for (r = 0; r < er->nrows; r++)
	{
		int64		position = er->position ? er->position[r] : r;

		keys[r].hash = synth_mix_seed(PRIVACY_SUBSAMPLE_SALT ^ (uint64) position);
		keys[r].row = r;
	}
	qsort(keys, er->nrows, sizeof(SubsampleKey), compare_subsample_keys);
	er->member = palloc_extended(sizeof(bool) * er->nrows, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (r = 0; r < k; r++)
		er->member[keys[r].row] = true;
	pfree(keys);
}

/*
 * Squared distance between two encoded rows, or any value >= bound once the
 * sum reaches bound (the row cannot be nearer than one already found).
 */
static inline double
distance2(const PrivacyColumns *pc, const RowRef *a, const RowRef *b, double bound)
{
	double		d = 0.0;
	int			k;

	for (k = 0; k < pc->ncoded; k++)
		if (a->code[k] != b->code[k])
			d += PRIVACY_MISMATCH;
	if (d >= bound)
		return d;
	for (k = 0; k < pc->ndims; k++)
	{
		double		diff = a->point[k] - b->point[k];

		d += diff * diff;
		if (d >= bound)
			return d;
	}
	return d;
}

/* compare "row" with row r of "er", keeping the nearest (see nearest()) */
static inline void
visit_row(const PrivacyColumns *pc, const EncodedRows *er, const RowRef *row, int64 r,
		  double *best_all, double *best_member)
{
	RowRef		ref = row_ref(pc, er, r);
	bool		in = er->member == NULL || er->member[r];
	double		d;

	/* best_all <= best_member, so a row abandoned at its bound is neither */
	d = distance2(pc, row, &ref, in ? *best_member : *best_all);
	if (d < *best_all)
		*best_all = d;
	if (in && d < *best_member)
		*best_member = d;
}

/*
 * The squared distance from "row" to its nearest row of "er": over every
 * row (*all) and over the subsample (*member; the same when er->member is
 * NULL).  With a search order (order_for_search()), the rows are visited
 * from "row"'s place in it upwards, then downwards, each way until the
 * difference in the key alone is as large as the nearest distance found
 * (over the subsample, the larger of the two): every row not visited is at
 * least that far.  The result is the minimum over every row, exactly as a
 * visit of all of them gives; each way is a plain pass through memory, so
 * where little can be ruled out (the nearest row is far) it costs about
 * what comparing every row does.
 */
static void
nearest(const PrivacyColumns *pc, const EncodedRows *er, const RowRef *row,
		double *all, double *member)
{
	double		best_all = get_float8_infinity();
	double		best_member = get_float8_infinity();
	int64		r;

	/*
	 * First the rows with the same categories: they are together in
	 * er->order, which sorts by categories first.  Every other row differs
	 * in one at least, so is at least PRIVACY_MISMATCH away: when one of
	 * these is nearer than that, the search is over.
	 */
	if (pc->ncoded > 0)
	{
		int64		first,
					lo = 0,
					hi = er->nrows;

		while (lo < hi)
		{
			int64		mid = lo + (hi - lo) / 2;
			RowRef		ref = row_ref(pc, er, er->order[mid]);

			if (compare_codes(pc, &ref, row) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		first = lo;
		for (r = first; r < er->nrows; r++)
		{
			RowRef		ref = row_ref(pc, er, er->order[r]);

			if (compare_codes(pc, &ref, row) != 0)
				break;
			if (((r - first) & 16383) == 16383)
				CHECK_FOR_INTERRUPTS();
			visit_row(pc, er, row, er->order[r], &best_all, &best_member);
		}
		if (best_member < PRIVACY_MISMATCH)
		{
			*all = best_all;
			*member = best_member;
			return;
		}
	}

	if (er->key_dim < 0)
	{
		for (r = 0; r < er->nrows; r++)
		{
			if ((r & 16383) == 16383)
				CHECK_FOR_INTERRUPTS();
			visit_row(pc, er, row, r, &best_all, &best_member);
		}
	}
	else
	{
		const double *key = er->point + er->key_dim;
		int			stride = pc->ndims;
		double		v = row->point[er->key_dim];
		int64		lo = 0,
					hi = er->nrows,
					start;

		/* the first row whose key is not below v */
		while (lo < hi)
		{
			int64		mid = lo + (hi - lo) / 2;

			if (key[mid * stride] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		start = lo;
		for (r = start; r < er->nrows; r++)
		{
			double		gap = key[r * stride] - v;

			if (gap * gap >= best_member)
				break;
			if (((r - start) & 16383) == 16383)
				CHECK_FOR_INTERRUPTS();
			visit_row(pc, er, row, r, &best_all, &best_member);
		}
		for (r = start - 1; r >= 0; r--)
		{
			double		gap = v - key[r * stride];

			if (gap * gap >= best_member)
				break;
			if (((start - r) & 16383) == 16383)
				CHECK_FOR_INTERRUPTS();
			visit_row(pc, er, row, r, &best_all, &best_member);
		}
	}
	*all = best_all;
	*member = best_member;
}

typedef struct PrivacyResult
{
	int64		synthetic_rows;
	int64		copies_real;	/* synthetic rows equal to a real row */
	int64		copies_holdout; /* synthetic rows equal to a holdout row */
	int64		holdout_rows;
	int64		holdout_in_real;	/* holdout rows equal to a real row */
	double		closer_real;	/* synthetic rows nearer real than holdout */
	double		min_distance2;	/* squared, from a synthetic row to a real row */
} PrivacyResult;

/*
 * Stream the synthetic rows and compare each with the real and holdout rows.
 * SPI must be connected.
 */
static void
compare_synthetic(const PrivacyColumns *pc, const char *qualified, const EncodedRows *real,
				  const EncodedRows *holdout, MemoryContext batchctx, PrivacyResult *res)
{
	char	   *query = build_query(pc, qualified);
	double	   *point = palloc(sizeof(double) * Max(pc->ndims, 1));
	double	   *raw = palloc(sizeof(double) * Max(pc->nscaled, 1));
	int32	   *code = palloc(sizeof(int32) * Max(pc->ncoded, 1));
	RowRef		row;
	SPIPlanPtr	plan;
	Portal		portal;
	int			save_nestlevel;

	row.point = point;
	row.raw = raw;
	row.code = code;
	res->min_distance2 = get_float8_infinity();

	/*
	 * The rows in their stored order, every time: the subsample hashes row
	 * positions, and a synchronized scan would start wherever another scan
	 * of the table is (as in fit.c).
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("synchronize_seqscans", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		uint64		i;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, PRIVACY_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batchctx);
		for (i = 0; i < SPI_processed; i++)
		{
			double		real_all,
						real_member;
			int			c;

			CHECK_FOR_INTERRUPTS();
			for (c = 0; c < pc->ncolumns; c++)
			{
				bool		isnull;
				double		number;
				char	   *string;

				fetch_value(&pc->columns[c], REL_SYNTHETIC, SPI_tuptable->vals[i],
							SPI_tuptable->tupdesc, c, &isnull, &number, &string);
				encode_value(&pc->columns[c], isnull, number, string, point, raw, code);
			}
			res->synthetic_rows++;
			res->copies_real += contains_row(pc, real, &row);

			nearest(pc, real, &row, &real_all, &real_member);
			res->min_distance2 = Min(res->min_distance2, real_all);
			if (holdout)
			{
				double		hold_all,
							hold_member,
							d_real,
							d_hold;

				res->copies_holdout += contains_row(pc, holdout, &row);
				nearest(pc, holdout, &row, &hold_all, &hold_member);
				/* compared as distances, as quality.py does */
				d_real = sqrt(real_member);
				d_hold = sqrt(hold_member);
				res->closer_real += d_real < d_hold ? 1.0 : (d_real == d_hold ? 0.5 : 0.0);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batchctx);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	AtEOXact_GUC(true, save_nestlevel);
}

static void
put_metric(Tuplestorestate *store, TupleDesc desc, const char *metric, double score)
{
	Datum		values[2];
	bool		nulls[2] = {false, false};

	values[0] = CStringGetTextDatum(metric);
	values[1] = Float8GetDatum(score);
	tuplestore_putvalues(store, desc, values, nulls);
}

/*
 * synth_privacy(real regclass, synthetic regclass, holdout regclass)
 *		RETURNS TABLE (metric text, score float8)
 *
 * exact_copies, min_dcr, and with a holdout exact_copies_holdout,
 * holdout_in_real and dcr_share (see the file header and the README).
 */
Datum
synth_privacy(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		with_holdout = !PG_ARGISNULL(2);
	Relation	rels[NRELATIONS] = {NULL, NULL, NULL};
	char	   *relnames[NRELATIONS] = {NULL, NULL, NULL};
	char	   *qualified[NRELATIONS] = {NULL, NULL, NULL};
	MemoryContext privctx;
	MemoryContext rawctx;
	MemoryContext batchctx;
	MemoryContext old;
	PrivacyColumns *pc;
	RawRows    *raw_real;
	RawRows    *raw_holdout = NULL;
	EncodedRows *real;
	EncodedRows *holdout = NULL;
	PrivacyResult res;
	int			which;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("real and synthetic tables must not be NULL")));
	memset(&res, 0, sizeof(res));

	privctx = AllocSetContextCreate(CurrentMemoryContext, "synth privacy",
									ALLOCSET_DEFAULT_SIZES);
	rawctx = AllocSetContextCreate(privctx, "synth privacy raw rows", ALLOCSET_DEFAULT_SIZES);
	batchctx = AllocSetContextCreate(privctx, "synth privacy batch", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(privctx);

	for (which = 0; which < NRELATIONS; which++)
		if (which != REL_HOLDOUT || with_holdout)
			rels[which] = open_relation(PG_GETARG_OID(which), &relnames[which], &qualified[which]);
	pc = plan_columns(rels[REL_REAL]);
	for (which = REL_SYNTHETIC; which < NRELATIONS; which++)
		if (rels[which] != NULL)
			match_columns(pc, rels[REL_REAL], rels[which], which);
	/* the relations stay locked to the end of the transaction */
	for (which = 0; which < NRELATIONS; which++)
		if (rels[which] != NULL)
			relation_close(rels[which], NoLock);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	raw_real = read_rows(pc, REL_REAL, qualified[REL_REAL], rawctx, batchctx);
	check_not_empty(raw_real->nrows, relnames[REL_REAL], REL_REAL);
	if (with_holdout)
	{
		raw_holdout = read_rows(pc, REL_HOLDOUT, qualified[REL_HOLDOUT], rawctx, batchctx);
		check_not_empty(raw_holdout->nrows, relnames[REL_HOLDOUT], REL_HOLDOUT);
	}

	/* SPI_connect switched contexts: allocate in ours */
	MemoryContextSwitchTo(privctx);
	plan_encoding(pc, raw_real, raw_holdout);
	real = encode_rows(pc, raw_real);
	if (with_holdout)
	{
		int64		i;

		holdout = encode_rows(pc, raw_holdout);
		if (real->nrows > holdout->nrows)
			choose_subsample(real, holdout->nrows);
		else if (holdout->nrows > real->nrows)
			choose_subsample(holdout, real->nrows);
		res.holdout_rows = holdout->nrows;
		for (i = 0; i < holdout->nrows; i++)
		{
			RowRef		row = row_ref(pc, holdout, i);

			res.holdout_in_real += contains_row(pc, real, &row);
		}
	}
	MemoryContextDelete(rawctx);

	compare_synthetic(pc, qualified[REL_SYNTHETIC], real, holdout, batchctx, &res);
	check_not_empty(res.synthetic_rows, relnames[REL_SYNTHETIC], REL_SYNTHETIC);
	SPI_finish();

	MemoryContextSwitchTo(old);
	MemoryContextDelete(privctx);

	InitMaterializedSRF(fcinfo, 0);
	put_metric(rsinfo->setResult, rsinfo->setDesc, "exact_copies",
			   (double) res.copies_real / res.synthetic_rows);
	if (with_holdout)
	{
		put_metric(rsinfo->setResult, rsinfo->setDesc, "exact_copies_holdout",
				   (double) res.copies_holdout / res.synthetic_rows);
		put_metric(rsinfo->setResult, rsinfo->setDesc, "holdout_in_real",
				   (double) res.holdout_in_real / res.holdout_rows);
		put_metric(rsinfo->setResult, rsinfo->setDesc, "dcr_share",
				   res.closer_real / res.synthetic_rows);
	}
	put_metric(rsinfo->setResult, rsinfo->setDesc, "min_dcr", sqrt(res.min_distance2));
	return (Datum) 0;
}
