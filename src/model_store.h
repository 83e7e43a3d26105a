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

extern StoredModel *model_load(const char *name);
extern void model_save(const char *name, const char *source, int64 row_count,
					   const SynthModel *model);
extern bool model_delete(const char *name);
extern char *model_source(const char *name);
extern void check_model_name(const char *name);

#endif							/* SYNTH_MODEL_STORE_H */
