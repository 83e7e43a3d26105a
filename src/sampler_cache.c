/*-------------------------------------------------------------------------
 *
 * sampler_cache.c
 *	  Prepared samplers kept between calls of a backend.
 *
 * At most SAMPLER_CACHE_ENTRIES samplers of at most SAMPLER_CACHE_BYTES
 * together are kept, each in a memory context of its own under
 * TopMemoryContext, the least recently used one going first.  An entry is
 * found by model name, row type (with the type cache's identifier of its
 * current definition, so an ALTER TABLE makes another) and the setting
 * that shapes the prepared sampler (synth.align_marginals); it is used
 * only if the model's stored row is still the one it was made from
 * (model_load_changed()).  An entry is lent to one call at a time: a call
 * made while another uses it (a condition that samples again, say)
 * prepares a sampler of its own.  A call that fails drops its entry.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "parser/parse_type.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "marginal_alignment.h"
#include "sampler_cache.h"

#define SAMPLER_CACHE_ENTRIES 4
#define SAMPLER_CACHE_BYTES ((Size) 64 * 1024 * 1024)

typedef struct CacheEntry
{
	CachedSampler cached;		/* first: what callers see */
	MemoryContext context;		/* holds the entry and all it points to */
	char	   *name;
	ModelVersion version;
	Oid			typid;
	uint64		tupdesc_id;		/* typcache's identifier of typid's columns */
	bool		aligned;		/* synth.align_marginals when prepared */
	bool		kept;			/* in entries[] (else freed on release) */
	bool		in_use;
	uint64		last_used;
} CacheEntry;

static CacheEntry *entries[SAMPLER_CACHE_ENTRIES];
static MemoryContext cache_context = NULL;
static uint64 use_clock = 0;

/* the identifier of typid's current columns, or 0 if it has none */
static uint64
row_type_identifier(Oid typid)
{
	TypeCacheEntry *tce;

	if (!OidIsValid(typid))
		return 1;				/* the model's own columns: fixed by the row */
	tce = lookup_type_cache(typid, TYPECACHE_TUPDESC);
	return tce->tupDesc != NULL ? tce->tupDesc_identifier : 0;
}

/* a row type made of the model's own columns (for the jsonb form) */
static TupleDesc
model_row_type(const SynthModel *model)
{
	TupleDesc	desc = CreateTemplateTupleDesc(model->ncolumns);
	int			i;

	for (i = 0; i < model->ncolumns; i++)
	{
		const ColumnModel *cm = &model->columns[i];
		Oid			coltype;
		int32		coltypmod;

		typenameTypeIdAndMod(NULL, typeStringToTypeName(cm->type_name), &coltype, &coltypmod);
		TupleDescInitEntry(desc, (AttrNumber) (i + 1), cm->name, coltype, -1, 0);
	}
	return BlessTupleDesc(desc);
}

static void
drop_entry(int i)
{
	MemoryContextDelete(entries[i]->context);
	entries[i] = NULL;
}

/* memory of the kept entries */
static Size
kept_bytes(void)
{
	Size		total = 0;
	int			i;

	for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
		if (entries[i] != NULL)
			total += MemoryContextMemAllocated(entries[i]->context, true);
	return total;
}

/* the least recently used entry no call is using, other than "keep"; -1 if none */
static int
eviction_candidate(const CacheEntry *keep)
{
	int			best = -1;
	int			i;

	for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
		if (entries[i] != NULL && entries[i] != keep && !entries[i]->in_use &&
			(best < 0 || entries[i]->last_used < entries[best]->last_used))
			best = i;
	return best;
}

/* keep e if there is room, making room by dropping the least recently used */
static void
keep_entry(CacheEntry *e)
{
	int			slot = -1;
	int			i;

	if (MemoryContextMemAllocated(e->context, true) > SAMPLER_CACHE_BYTES)
		return;
	for (i = 0; i < SAMPLER_CACHE_ENTRIES && slot < 0; i++)
		if (entries[i] == NULL)
			slot = i;
	if (slot < 0)
	{
		slot = eviction_candidate(NULL);
		if (slot < 0)
			return;				/* every entry is in use */
		drop_entry(slot);
	}
	if (cache_context == NULL)
		cache_context = AllocSetContextCreate(TopMemoryContext, "synth sampler cache",
											  ALLOCSET_SMALL_SIZES);
	MemoryContextSetParent(e->context, cache_context);
	entries[slot] = e;
	e->kept = true;
	while (kept_bytes() > SAMPLER_CACHE_BYTES && (i = eviction_candidate(e)) >= 0)
		drop_entry(i);
}

CachedSampler *
sampler_cache_acquire(const char *model_name, Oid typid)
{
	uint64		tupdesc_id = row_type_identifier(typid);
	CacheEntry *found = NULL;
	ModelVersion version;
	MemoryContext context;
	MemoryContext old;
	StoredModel *stored;
	CacheEntry *e;
	int			i;

	for (i = 0; i < SAMPLER_CACHE_ENTRIES && found == NULL; i++)
	{
		e = entries[i];
		if (e != NULL && !e->in_use && e->typid == typid && tupdesc_id != 0 &&
			e->tupdesc_id == tupdesc_id && e->aligned == synth_align_marginals &&
			strcmp(e->name, model_name) == 0)
			found = e;
	}

	/* the model's row now (checked under the caller's privileges every call) */
	memset(&version, 0, sizeof(version));
	ItemPointerSetInvalid(&version.tid);
	if (found != NULL)
		version = found->version;
	context = AllocSetContextCreate(CurrentMemoryContext, "synth sampler",
									ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	stored = model_load_changed(model_name, &version);
	if (stored == NULL)
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(context);
		e = found;
	}
	else
	{
		/* prepare a new entry (a stale one goes) */
		if (found != NULL)
			for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
				if (entries[i] == found)
					drop_entry(i);
		e = palloc0(sizeof(CacheEntry));
		e->context = context;
		e->name = stored->name;
		e->version = version;
		e->typid = typid;
		e->tupdesc_id = tupdesc_id;
		e->aligned = synth_align_marginals;
		e->cached.stored = stored;
		e->cached.desc = OidIsValid(typid) ? lookup_rowtype_tupdesc_copy(typid, -1)
			: model_row_type(stored->model);
		e->cached.sampler = sampler_prepare(stored->model, e->cached.desc, stored->name);
		e->cached.call_context = AllocSetContextCreate(context, "synth sample call",
													   ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(old);
		if (tupdesc_id != 0)
			keep_entry(e);
	}
	e->in_use = true;
	e->last_used = ++use_clock;
	sampler_begin_call(e->cached.sampler);
	return &e->cached;
}

void
sampler_cache_release(CachedSampler *cs, bool failed)
{
	CacheEntry *e = (CacheEntry *) cs;
	int			i;

	e->in_use = false;
	if (!e->kept)
	{
		MemoryContextDelete(e->context);
		return;
	}
	if (failed)
	{
		for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
			if (entries[i] == e)
				drop_entry(i);
		return;
	}
	MemoryContextReset(e->cached.call_context);
}
