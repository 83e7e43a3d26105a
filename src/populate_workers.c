/*-------------------------------------------------------------------------
 *
 * populate_workers.c
 *	  synth_populate(..., workers => k): k background workers, one stream each.
 *
 * The calling backend (the leader) starts k dynamic background workers and
 * waits for them.  Worker i connects to the leader's database as the
 * leader's current user and runs, in a transaction of its own,
 *
 *		SELECT synth_populate(target, n, model, seed, stream => i, streams => k)
 *
 * so the k workers together insert the rows that k sessions would, each
 * checking privileges and firing triggers as one synth_populate() call.
 * Parameters (with the leader's synth.balanced_sampling and
 * synth.align_marginals) and results go through a dynamic shared memory
 * segment: per worker its state, the rows it inserted, or its error's SQLSTATE and
 * message.  The leader returns the sum, or raises the first worker's error.
 *
 * Each worker commits on its own: the leader's statement inserts nothing
 * itself and cannot undo the workers' parts.  That is why it refuses to run
 * in a transaction block (the workers would not see its uncommitted work,
 * and could wait forever for its locks).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "marginal_alignment.h"
#include "populate.h"
#include "sampler.h"

typedef enum WorkerState
{
	WORKER_STARTING = 0,		/* or died before it could say anything */
	WORKER_DONE,
	WORKER_FAILED
} WorkerState;

typedef struct WorkerSlot
{
	WorkerState state;
	int64		processed;		/* WORKER_DONE: rows inserted and committed */
	int			sqlerrcode;		/* WORKER_FAILED: the error */
	char		message[512];
	char		detail[512];	/* empty if none */
	char		context[512];	/* empty if none */
} WorkerSlot;

/* copy text into a slot of "size" bytes, cut on a character boundary */
static void
copy_clipped(char *to, const char *from, int size)
{
	int			len = pg_mbcliplen(from, strlen(from), size - 1);

	memcpy(to, from, len);
	to[len] = '\0';
}

/* the dynamic shared memory segment: parameters, then one slot per worker */
typedef struct WorkerShared
{
	Oid			dbid;
	Oid			userid;
	Oid			relid;
	int64		n;
	int64		seed;
	int			nworkers;
	bool		has_model;
	bool		balanced_sampling;	/* the leader's sampling settings */
	bool		align_marginals;
	char		schema[NAMEDATALEN];	/* of synth_populate() */
	Size		model_offset;	/* of the model name, from the start */
	WorkerSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} WorkerShared;

PGDLLEXPORT void synth_populate_worker(Datum main_arg);

/*
 * populate_with_workers: see the file header.  fn_oid is synth_populate()'s
 * own OID, to call it by its schema-qualified name in the workers.
 */
uint64
populate_with_workers(Oid fn_oid, Oid relid, int64 n, const char *model_name, uint64 seed,
					  int nworkers)
{
	Size		model_len = model_name ? strlen(model_name) + 1 : 0;
	Size		size = offsetof(WorkerShared, slots) + sizeof(WorkerSlot) * nworkers + model_len;
	dsm_segment *seg;
	WorkerShared *shared;
	BackgroundWorkerHandle **handles = palloc0(sizeof(BackgroundWorkerHandle *) * nworkers);
	uint64		total = 0;
	int			failed = -1;
	int			i;

	if (IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("synth_populate() with workers cannot run inside a transaction block"),
				 errdetail("Each worker commits its rows on its own."),
				 errhint("Run it as a statement of its own, or without workers.")));
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));

	seg = dsm_create(size, 0);
	shared = dsm_segment_address(seg);
	memset(shared, 0, size);
	shared->dbid = MyDatabaseId;
	shared->userid = GetUserId();
	shared->relid = relid;
	shared->n = n;
	shared->seed = (int64) seed;
	shared->nworkers = nworkers;
	shared->has_model = model_name != NULL;
	shared->balanced_sampling = synth_balanced_sampling;
	shared->align_marginals = synth_align_marginals;
	strlcpy(shared->schema, get_namespace_name(get_func_namespace(fn_oid)), NAMEDATALEN);
	shared->model_offset = offsetof(WorkerShared, slots) + sizeof(WorkerSlot) * nworkers;
	if (model_name)
		memcpy((char *) shared + shared->model_offset, model_name, model_len);

	PG_TRY();
	{
		for (i = 0; i < nworkers; i++)
		{
			BackgroundWorker worker;

			memset(&worker, 0, sizeof(worker));
			worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
			worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
			worker.bgw_restart_time = BGW_NEVER_RESTART;
			snprintf(worker.bgw_library_name, BGW_MAXLEN, "synth");
			snprintf(worker.bgw_function_name, BGW_MAXLEN, "synth_populate_worker");
			snprintf(worker.bgw_name, BGW_MAXLEN, "synth_populate worker %d of %d for PID %d",
					 i, nworkers, MyProcPid);
			snprintf(worker.bgw_type, BGW_MAXLEN, "synth_populate worker");
			worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
			worker.bgw_notify_pid = MyProcPid;
			memcpy(worker.bgw_extra, &i, sizeof(i));
			if (!RegisterDynamicBackgroundWorker(&worker, &handles[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
						 errmsg("could not start synth_populate worker %d of %d", i, nworkers),
						 errhint("Ask for fewer workers, or raise max_worker_processes.")));
		}
		for (i = 0; i < nworkers; i++)
			WaitForBackgroundWorkerShutdown(handles[i]);
	}
	PG_FINALLY();
	{
		/* on error or cancel: stop the workers still running */
		for (i = 0; i < nworkers; i++)
			if (handles[i] != NULL)
				TerminateBackgroundWorker(handles[i]);
	}
	PG_END_TRY();

	pg_read_barrier();
	for (i = 0; i < nworkers; i++)
	{
		if (shared->slots[i].state == WORKER_DONE)
			total += shared->slots[i].processed;
		else if (failed < 0)
			failed = i;
	}
	if (failed >= 0)
	{
		WorkerSlot *slot = &shared->slots[failed];

		/* the worker's own error, with its detail and context (the key, the line) */
		if (slot->state == WORKER_FAILED)
			ereport(ERROR,
					(errcode(slot->sqlerrcode),
					 errmsg("%s", slot->message),
					 slot->detail[0] ? errdetail("%s", slot->detail) :
					 errdetail_plural("The workers that finished committed " UINT64_FORMAT " row.",
									  "The workers that finished committed " UINT64_FORMAT " rows.",
									  total, total),
					 slot->context[0] ? errcontext("%s", slot->context) : 0,
					 errcontext("synth_populate worker %d of %d; rows committed by the workers that finished: " UINT64_FORMAT,
								failed, nworkers, total)));
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("synth_populate worker %d of %d stopped before it finished", failed, nworkers),
				 errdetail_plural("The workers that finished committed " UINT64_FORMAT " row.",
								  "The workers that finished committed " UINT64_FORMAT " rows.",
								  total, total),
				 errhint("See the server log.  Workers connect as the current user, which must be allowed to log in.")));
	}
	dsm_detach(seg);
	return total;
}

/*
 * The background worker's entry point: run stream i of the call described
 * in the segment, in a transaction of its own, and report in slot i.
 */
void
synth_populate_worker(Datum main_arg)
{
	dsm_segment *seg;
	WorkerShared *shared;
	WorkerSlot *slot;
	int			index;
	volatile int64 processed = 0;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	memcpy(&index, MyBgworkerEntry->bgw_extra, sizeof(index));

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "synth_populate worker");
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not map the shared memory of synth_populate")));
	shared = dsm_segment_address(seg);
	if (index < 0 || index >= shared->nworkers)
		elog(ERROR, "synth_populate worker %d of %d", index, shared->nworkers);
	slot = &shared->slots[index];

	BackgroundWorkerInitializeConnectionByOid(shared->dbid, shared->userid, 0);

	/* the rows the leader's own session would draw */
	SetConfigOption("synth.balanced_sampling", shared->balanced_sampling ? "on" : "off",
					PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("synth.align_marginals", shared->align_marginals ? "on" : "off",
					PGC_USERSET, PGC_S_SESSION);

	PG_TRY();
	{
		Oid			argtypes[6] = {REGCLASSOID, INT8OID, TEXTOID, INT8OID, INT4OID, INT4OID};
		Datum		args[6];
		char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
		char	   *query;
		bool		isnull;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		query = psprintf("SELECT %s.synth_populate($1, $2, $3, $4, $5, $6)",
						 quote_identifier(shared->schema));
		pgstat_report_activity(STATE_RUNNING, query);

		args[0] = ObjectIdGetDatum(shared->relid);
		args[1] = Int64GetDatum(shared->n);
		if (shared->has_model)
			args[2] = CStringGetTextDatum((char *) shared + shared->model_offset);
		else
			nulls[2] = 'n';
		args[3] = Int64GetDatum(shared->seed);
		args[4] = Int32GetDatum(index);
		args[5] = Int32GetDatum(shared->nworkers);
		if (SPI_execute_with_args(query, 6, argtypes, args, nulls, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "synth_populate worker: unexpected result");
		processed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
												1, &isnull));

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		slot->sqlerrcode = edata->sqlerrcode;
		copy_clipped(slot->message, edata->message ? edata->message : "unknown error",
					 sizeof(slot->message));
		copy_clipped(slot->detail, edata->detail ? edata->detail : "", sizeof(slot->detail));
		copy_clipped(slot->context, edata->context ? edata->context : "", sizeof(slot->context));
		pg_write_barrier();
		slot->state = WORKER_FAILED;
		PG_RE_THROW();
	}
	PG_END_TRY();

	slot->processed = processed;
	pg_write_barrier();
	slot->state = WORKER_DONE;
	pgstat_report_activity(STATE_IDLE, NULL);
	dsm_detach(seg);
	proc_exit(0);
}
