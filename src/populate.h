/*-------------------------------------------------------------------------
 *
 * populate.h
 *	  synth_populate() with background workers (populate_workers.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_POPULATE_H
#define SYNTH_POPULATE_H

/* most workers one call may ask for */
#define POPULATE_MAX_WORKERS 64

/*
 * Insert n rows into relid with nworkers background workers, worker i
 * running stream i of nworkers with the given seed, each committing on its
 * own; returns the rows inserted.  fn_oid: synth_populate() itself.
 */
extern uint64 populate_with_workers(Oid fn_oid, Oid relid, int64 n, const char *model_name,
									uint64 seed, int nworkers);

#endif							/* SYNTH_POPULATE_H */
