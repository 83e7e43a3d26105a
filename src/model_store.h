/*-------------------------------------------------------------------------
 *
 * model_store.h
 *	  The stored model: its binary format and the synth_models table.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_MODEL_STORE_H
#define SYNTH_MODEL_STORE_H

#include "datatype/timestamp.h"
#include "storage/itemptr.h"
#include "model.h"

/* a row of synth_models, with the model decoded */
typedef struct StoredModel
{
	char	   *name;
	char	   *source;
	TimestampTz fitted_at;
	int64		row_count;
	int			format_version;
	SynthModel *model;
} StoredModel;

extern bytea *model_serialize(const SynthModel *model);
extern SynthModel *model_deserialize(const char *name, const char *data, Size len);

/*
 * Which row of synth_models a model was read from.  A refit, a grant and a
 * drop each leave another row (or none), so a model decoded from a row
 * with the same version is the model stored now.
 */
typedef struct ModelVersion
{
	Oid			table;			/* synth_models itself, if it was made again */
	TransactionId xmin;
	ItemPointerData tid;
} ModelVersion;

extern StoredModel *model_load(const char *name);

/*
 * model_load(), unless the row the caller can read is still *version: then
 * NULL, and nothing is decoded.  Sets *version to the row read.  Errors
 * like model_load() when there is no such model (or the caller may not
 * read it).
 */
extern StoredModel *model_load_changed(const char *name, ModelVersion *version);
extern void model_save(const char *name, const char *source, int64 row_count,
					   const SynthModel *model);
extern bool model_delete(const char *name);
extern char *model_source(const char *name);
extern void check_model_name(const char *name);

#endif							/* SYNTH_MODEL_STORE_H */
