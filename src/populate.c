/*-------------------------------------------------------------------------
 *
 * populate.c
 *	  synth_populate(): insert synthetic rows through COPY's bulk path.
 *
 * INSERT ... SELECT * FROM synth_sample(...) collects the rows in a
 * tuplestore, then inserts them one at a time.  synth_populate() instead
 * hands the rows to CopyFrom(), PostgreSQL's COPY FROM machinery, which
 * buffers them and writes them with table_multi_insert(), fires the row and
 * statement triggers, checks the constraints, routes rows to partitions,
 * fills in the defaults of the columns it is not given, and reports its
 * progress in pg_stat_progress_copy.
 *
 * CopyFrom() reads its input through a callback that has no user pointer,
 * so the input is described by a file-level static that is set for the
 * duration of the call and restored afterwards, also on error (a trigger
 * may call synth_populate() in turn).
 *
 * The input is a COPY BINARY stream (the COPY documentation's "Binary
 * Format") that carries only the frame of each row: the field count, and
 * per field a length, -1 for NULL and 0 otherwise.  The values themselves
 * do not go through bytes: after BeginCopyFrom() the receive functions of
 * the columns written (cstate->in_functions, from copyfrom_internal.h) are
 * replaced with stream_value(), which returns the sampled Datum.  That
 * saves a send and a receive call per field (about a tenth of the time on
 * a 20-column table) and keeps text out of the client encoding that COPY
 * BINARY's text receive functions convert from.  For that to be safe the
 * callback hands CopyFrom() one row at a time and draws the next row only
 * when CopyFrom() asks for more bytes, which it does only after it has
 * stored or inserted the previous row (copied out of our per-row memory).
 * The values are held to the column's typmod, as the receive functions
 * would hold them.
 *
 * What DoCopy() checks before it calls CopyFrom() is checked here too: the
 * caller's INSERT privilege on the columns written, row-level security
 * (refused, as COPY FROM refuses it), and a read-only transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_relation.h"
#include "pgstat.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "model_store.h"
#include "numerics.h"
#include "populate.h"
#include "sample.h"
#include "sampler.h"

PG_FUNCTION_INFO_V1(synth_populate);

/* the signature that opens a COPY BINARY stream */
static const char copy_binary_signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};

/* the stream's header: signature, int32 flags, int32 header extension length */
#define COPY_BINARY_HEADER_BYTES (sizeof(copy_binary_signature) + 8)

struct RowStream;

/* one field of the COPY stream */
typedef struct StreamField
{
	struct RowStream *stream;
	int			index;			/* in the sampled row */
	AttrNumber	attnum;			/* in the target */
	FmgrInfo	receive;		/* stream_value(), with this field as fn_extra */
	int32		typmod;			/* of the column, -1 if none */
	bool		coerce;			/* apply the type's length coercion? */
	FmgrInfo	coercion;		/* that function: (value, typmod, false) */
} StreamField;

typedef enum StreamPhase
{
	STREAM_HEADER,
	STREAM_ROWS,
	STREAM_TRAILER,
	STREAM_DONE
} StreamPhase;

/* the COPY BINARY stream of one synth_populate() call */
typedef struct RowStream
{
	Sampler    *sampler;
	int64		nrows;			/* rows to generate */
	int64		generated;		/* rows generated so far */
	Datum	   *values;			/* one sampled row */
	bool	   *nulls;
	int			nfields;		/* fields sent per row */
	StreamField *fields;
	MemoryContext rowctx;		/* reset before every row */
	StreamPhase phase;
	StringInfoData buf;			/* the current piece of the stream */
	int			pos;			/* of its bytes, the first not yet handed out */
} RowStream;

/* the stream CopyFrom() is reading, during a synth_populate() call */
static RowStream *active_stream = NULL;

static Datum stream_value(PG_FUNCTION_ARGS);

/*
 * Check that "rel" is a relation COPY FROM can write: a table, a
 * partitioned table, a foreign table, or a view with an INSTEAD OF INSERT
 * trigger (CopyFrom() checks this too, but its messages say "copy").
 */
static void
check_relkind(Relation rel)
{
	char		relkind = rel->rd_rel->relkind;

	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
		relkind != RELKIND_FOREIGN_TABLE &&
		!(rel->trigdesc && rel->trigdesc->trig_insert_instead_row))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot populate relation \"%s\"", RelationGetRelationName(rel)),
				 errdetail_relkind_not_supported(relkind),
				 relkind == RELKIND_VIEW ?
				 errhint("To populate a view, give it an INSTEAD OF INSERT trigger, as for COPY FROM.") : 0));
}

/*
 * Check what DoCopy() checks before COPY FROM: the caller's INSERT
 * privilege on the columns written (attnums, of rel), no row-level
 * security for the caller, not a read-only transaction.  Adds to pstate the
 * range table entry that CopyFrom() needs.
 */
static void
check_target(ParseState *pstate, Relation rel, List *attnums)
{
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	ListCell   *lc;

	/* the caller's INSERT privilege on the columns written */
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	foreach(lc, attnums)
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	ExecCheckRTPerms(pstate->p_rtable, true);

	/* COPY FROM cannot apply row-level security policies; neither can we */
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("synth_populate() does not support row-level security"),
				 errdetail("Table \"%s\" has row-level security enabled for the current user.",
						   RelationGetRelationName(rel)),
				 errhint("Use INSERT INTO ... SELECT * FROM synth_sample(...) instead.")));

	if (XactReadOnly && !rel->rd_islocaltemp)
		PreventCommandIfReadOnly("synth_populate()");
}

/*
 * Match the target's columns to the model.  Fills rs->fields with the
 * columns the stream sends, and returns the row type the sampler draws
 * (the target's columns that the model has, in the target's order, so that
 * the rows are those of synth_sample() for the same row type and seed).
 * *attnames and *attnums: the COPY column list.
 *
 * A model column that the target lacks is an error.  A target column that
 * the model lacks, or that the model leaves out (fitted with exclude), is
 * not sent: COPY fills it with its default, like a column left out of a
 * COPY column list.  A generated column is sampled (so that the draws stay
 * those of synth_sample()) but not sent: COPY computes it.
 */
static TupleDesc
plan_columns(Relation rel, const StoredModel *sm, RowStream *rs,
			 List **attnames, List **attnums)
{
	TupleDesc	tdesc = RelationGetDescr(rel);
	const SynthModel *model = sm->model;
	int		   *match = palloc(sizeof(int) * Max(tdesc->natts, 1));
	bool	   *found = palloc0(sizeof(bool) * Max(model->ncolumns, 1));
	TupleDesc	sdesc;
	int			nsampled = 0;
	int			i,
				j;

	for (i = 0; i < tdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tdesc, i);

		match[i] = -1;
		if (att->attisdropped)
			continue;
		for (j = 0; j < model->ncolumns; j++)
			if (strcmp(model->columns[j].name, NameStr(att->attname)) == 0)
			{
				char	   *typname = format_type_be(att->atttypid);

				if (strcmp(typname, model->columns[j].type_name) != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("column \"%s\" has type %s in table \"%s\" but %s in synth model \"%s\"",
									NameStr(att->attname), typname, RelationGetRelationName(rel),
									model->columns[j].type_name, sm->name)));
				match[i] = j;
				found[j] = true;
				nsampled++;
				break;
			}
	}
	for (j = 0; j < model->ncolumns; j++)
		if (!found[j])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of synth model \"%s\" is not in table \"%s\"",
							model->columns[j].name, sm->name, RelationGetRelationName(rel)),
					 errhint("Populate a table that has the model's columns, or name another model with model => 'name'.")));

	sdesc = CreateTemplateTupleDesc(nsampled);
	rs->fields = palloc(sizeof(StreamField) * Max(nsampled, 1));
	rs->nfields = 0;
	*attnames = NIL;
	*attnums = NIL;
	nsampled = 0;
	for (i = 0; i < tdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tdesc, i);

		if (match[i] < 0)
			continue;
		TupleDescCopyEntry(sdesc, (AttrNumber) (nsampled + 1), tdesc, (AttrNumber) (i + 1));
		if (!att->attgenerated && model->columns[match[i]].kind != COLUMN_EXCLUDED)
		{
			StreamField *f = &rs->fields[rs->nfields++];

			f->stream = rs;
			f->index = nsampled;
			f->attnum = att->attnum;
			MemSet(&f->receive, 0, sizeof(FmgrInfo));
			f->receive.fn_addr = stream_value;
			f->receive.fn_oid = InvalidOid;
			f->receive.fn_nargs = 3;
			f->receive.fn_strict = true;	/* NULL fields are not asked for */
			f->receive.fn_stats = TRACK_FUNC_ALL;	/* never tracked */
			f->receive.fn_mcxt = CurrentMemoryContext;
			f->receive.fn_extra = f;
			f->typmod = att->atttypmod;
			f->coerce = false;
			if (att->atttypmod >= 0)
			{
				Oid			funcid;

				if (find_typmod_coercion_function(att->atttypid, &funcid) == COERCION_PATH_FUNC)
				{
					fmgr_info(funcid, &f->coercion);
					f->coerce = true;
				}
			}
			*attnames = lappend(*attnames, makeString(pstrdup(NameStr(att->attname))));
			*attnums = lappend_int(*attnums, att->attnum);
		}
		nsampled++;
	}
	if (rs->nfields == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" gives no column of table \"%s\" to fill",
						sm->name, RelationGetRelationName(rel)),
				 errdetail("Every column of the model is excluded from the model or generated in the table.")));
	pfree(match);
	pfree(found);
	return sdesc;
}

/*
 * The receive function CopyFrom() calls for every non-NULL field written:
 * the field's value in the row just drawn (see the file header), held to
 * the column's typmod as a receive function holds its input (varchar(n),
 * char(n), numeric(p,s) and timestamp(p) values already come out of the
 * sampler that way; this makes sure).
 */
static Datum
stream_value(PG_FUNCTION_ARGS)
{
	StreamField *f = (StreamField *) fcinfo->flinfo->fn_extra;
	Datum		value = f->stream->values[f->index];

	if (f->coerce)
		value = FunctionCall3(&f->coercion, value, Int32GetDatum(f->typmod), BoolGetDatum(false));
	return value;
}

/*
 * Put the next piece of the stream into rs->buf (emptied first): the
 * header, one row, or the trailer.  Returns false at the end.
 */
static bool
stream_next(RowStream *rs)
{
	MemoryContext old;
	int			i;

	resetStringInfo(&rs->buf);
	rs->pos = 0;
	switch (rs->phase)
	{
		case STREAM_HEADER:
			appendBinaryStringInfo(&rs->buf, copy_binary_signature, sizeof(copy_binary_signature));
			pq_sendint32(&rs->buf, 0);	/* flags: no OIDs */
			pq_sendint32(&rs->buf, 0);	/* no header extension */
			rs->phase = rs->nrows > 0 ? STREAM_ROWS : STREAM_TRAILER;
			return true;
		case STREAM_ROWS:
			break;
		case STREAM_TRAILER:
			pq_sendint16(&rs->buf, (uint16) -1);
			rs->phase = STREAM_DONE;
			return true;
		case STREAM_DONE:
			return false;
	}

	/* the previous row has been stored or inserted: its memory can go */
	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(rs->rowctx);
	old = MemoryContextSwitchTo(rs->rowctx);
	sample_row(rs->sampler, rs->values, rs->nulls);
	MemoryContextSwitchTo(old);

	pq_sendint16(&rs->buf, (uint16) rs->nfields);
	for (i = 0; i < rs->nfields; i++)
		pq_sendint32(&rs->buf, rs->nulls[rs->fields[i].index] ? (uint32) -1 : 0);
	rs->generated++;
	if (rs->generated == rs->nrows)
		rs->phase = STREAM_TRAILER;
	return true;
}

/*
 * The copy_data_source_cb CopyFrom() reads from: at least minread and at
 * most maxread bytes of the active stream, fewer only at its end.  It
 * starts no new piece (no new row) once it has minread bytes, so that
 * CopyFrom() has consumed a row before the next one is drawn.
 */
static int
stream_read(void *outbuf, int minread, int maxread)
{
	RowStream  *rs = active_stream;
	char	   *out = outbuf;
	int			copied = 0;

	if (rs == NULL)
		elog(ERROR, "synth_populate: no active stream");
	while (copied < maxread)
	{
		int			chunk = rs->buf.len - rs->pos;

		if (chunk == 0)
		{
			if (copied >= minread || !stream_next(rs))
				break;
			continue;
		}
		chunk = Min(chunk, maxread - copied);
		memcpy(out + copied, rs->buf.data + rs->pos, chunk);
		rs->pos += chunk;
		copied += chunk;
	}
	return copied;
}

/* the exact length of the stream: header, rows, trailer */
static int64
stream_bytes(RowStream *rs)
{
	return COPY_BINARY_HEADER_BYTES + rs->nrows * (2 + 4 * (int64) rs->nfields) + 2;
}

/*
 * Run COPY FROM the stream into rel, for the columns attnames, drawing
 * from a generator seeded with "seed"; returns the number of rows COPY
 * inserted.
 */
static uint64
copy_stream(ParseState *pstate, Relation rel, List *attnames, RowStream *rs, uint64 seed)
{
	RowStream  *saved = active_stream;
	List	   *options = list_make1(makeDefElem("format", (Node *) makeString("binary"), -1));
	SynthRng   *rng = synth_rng_create(seed);
	volatile uint64 processed = 0;

	sampler_set_rng(rs->sampler, rng);
	sampler_set_rows(rs->sampler, rs->nrows);
	active_stream = rs;
	PG_TRY();
	{
		CopyFromState cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, stream_read,
											 attnames, options);
		int			i;

		/* the values come from the sampler, not from bytes */
		if (!cstate->opts.binary || list_length(cstate->attnumlist) != rs->nfields)
			elog(ERROR, "synth_populate: unexpected COPY state");
		for (i = 0; i < rs->nfields; i++)
			cstate->in_functions[rs->fields[i].attnum - 1] = rs->fields[i].receive;
		pgstat_progress_update_param(PROGRESS_COPY_BYTES_TOTAL, stream_bytes(rs));

		processed = CopyFrom(cstate);
		EndCopyFrom(cstate);
	}
	PG_FINALLY();
	{
		active_stream = saved;
		sampler_set_rng(rs->sampler, NULL);
		synth_rng_free(rng);
	}
	PG_END_TRY();
	return processed;
}

/*
 * synth_populate(target regclass, n bigint, model text, seed bigint,
 *				  stream integer, streams integer, workers integer)
 *		returns bigint
 *
 * Inserts n synthetic rows (or part "stream" of them) into target, drawn
 * exactly as synth_sample(NULL::target, n, model, seed, stream, streams)
 * draws them, and returns the number of rows inserted.  With workers = k
 * > 1, k background workers insert streams 0 to k - 1 of the n rows
 * (populate_workers.c).
 */
Datum
synth_populate(PG_FUNCTION_ARGS)
{
	Oid			relid;
	int64		n;
	uint64		seed;
	char	   *model_name;
	Relation	rel;
	MemoryContext callctx;
	MemoryContext old;
	ParseState *pstate;
	StoredModel *sm;
	RowStream  *rs;
	TupleDesc	sdesc;
	List	   *attnames;
	List	   *attnums;
	uint64		processed;
	int64		total;
	uint64		base_seed;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target table must not be NULL")));
	relid = PG_GETARG_OID(0);
	n = synth_arg_row_count(fcinfo, 1);
	model_name = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	seed = synth_arg_seed(fcinfo, 3);
	total = n;
	base_seed = seed;
	if (PG_NARGS() > 6 && PG_ARGISNULL(6))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("workers must not be NULL"),
				 errhint("Leave workers out for one backend.")));
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6) && PG_GETARG_INT32(6) != 1 &&
		((!PG_ARGISNULL(4) && PG_GETARG_INT32(4) != 0) || (!PG_ARGISNULL(5) && PG_GETARG_INT32(5) != 1)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workers cannot be combined with stream or streams"),
				 errhint("Each worker populates a stream of its own: give workers => k alone.")));
	synth_arg_stream(fcinfo, 4, &n, &seed);

	if (PG_NARGS() > 6 && !PG_ARGISNULL(6) && PG_GETARG_INT32(6) != 1)
	{
		int32		workers = PG_GETARG_INT32(6);

		if (workers < 1 || workers > POPULATE_MAX_WORKERS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("workers must be between 1 and %d", POPULATE_MAX_WORKERS),
					 errdetail("workers is %d.", workers)));
		PG_RETURN_INT64((int64) populate_with_workers(fcinfo->flinfo->fn_oid, relid, n,
													  model_name, seed, workers));
	}

	rel = try_relation_open(relid, RowExclusiveLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));

	check_relkind(rel);

	callctx = AllocSetContextCreate(CurrentMemoryContext, "synth populate", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(callctx);

	sm = synth_model_for_relation(relid, model_name);
	rs = palloc0(sizeof(RowStream));
	sdesc = plan_columns(rel, sm, rs, &attnames, &attnums);
	pstate = make_parsestate(NULL);
	check_target(pstate, rel, attnums);

	rs->sampler = sampler_prepare(sm->model, sdesc, sm->name);
	synth_arg_numbering(fcinfo, 4, rs->sampler, total, base_seed);
	rs->nrows = n;
	rs->values = palloc(sizeof(Datum) * Max(sdesc->natts, 1));
	rs->nulls = palloc(sizeof(bool) * Max(sdesc->natts, 1));
	rs->rowctx = AllocSetContextCreate(callctx, "synth populate row", ALLOCSET_DEFAULT_SIZES);
	rs->phase = STREAM_HEADER;
	initStringInfo(&rs->buf);

	processed = copy_stream(pstate, rel, attnames, rs, seed);

	MemoryContextSwitchTo(old);
	table_close(rel, NoLock);
	MemoryContextDelete(callctx);
	PG_RETURN_INT64((int64) processed);
}
