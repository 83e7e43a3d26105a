/*-------------------------------------------------------------------------
 *
 * sampler_cache.c
 *	  Prepared samplers kept between calls of a backend.
 *
 * At most SAMPLER_CACHE_ENTRIES samplers of at most synth.sampler_cache_mb
 * together are kept, each in a memory context of its own under
 * TopMemoryContext, the least recently used one going first.  An entry is
 * found by model name, row type (with the type cache's identifier of its
 * current definition, so an ALTER TABLE makes another), search_path (which
 * names the types the model's columns are checked against) and the
 * setting that shapes the prepared sampler (synth.align_marginals).  It is
 * used only if the model's stored row is still the one it was made from
 * (model_load_changed()), and no type, enum label or relation of its row
 * type has changed since (invalidation callbacks; any change of a type or
 * an enum drops every entry: they are rare; a sampler made while such a
 * change arrived serves its call but is not kept).  An entry is lent to one call
 * at a time: a call made while another uses it (a condition that samples
 * again, say) prepares a sampler of its own.  A call that fails gives its
 * entry back like one that succeeds: each call starts from
 * sampler_begin_call().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "parser/parse_type.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "marginal_alignment.h"
#include "sampler_cache.h"

#define SAMPLER_CACHE_ENTRIES 4

int			synth_sampler_cache_mb = 64;

typedef struct CacheEntry
{
	CachedSampler cached;		/* first: what callers see */
	MemoryContext context;		/* holds the entry and all it points to */
	char	   *name;
	ModelVersion version;
	Oid			typid;
	Oid			typrelid;		/* typid's relation (InvalidOid: jsonb form) */
	uint64		tupdesc_id;		/* typcache's identifier of typid's columns */
	char	   *search_path;
	bool		aligned;		/* synth.align_marginals when prepared */
	bool		kept;			/* in entries[] (else freed on release) */
	bool		in_use;
	bool		stale;			/* a type or relation it used has changed */
	uint64		last_used;
} CacheEntry;

static CacheEntry *entries[SAMPLER_CACHE_ENTRIES];
static MemoryContext cache_context = NULL;
static uint64 use_clock = 0;
static bool callbacks_registered = false;
static uint64 invalidations = 0;	/* that concern a sampler being made */
static Oid	preparing_relid = InvalidOid;	/* its row type's relation */

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

/*
 * Invalidation: a changed type or enum label (the samplers hold their
 * Datums and checked their names), or a changed relation of a row type.
 * Entries in use are only marked: they go when given back.
 */
static void
type_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	int			i;

	invalidations++;
	for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
		if (entries[i] != NULL)
			entries[i]->stale = true;
}

static void
relation_changed(Datum arg, Oid relid)
{
	int			i;

	if (!OidIsValid(relid) || relid == preparing_relid)
		invalidations++;
	for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
		if (entries[i] != NULL &&
			(!OidIsValid(relid) || entries[i]->typrelid == relid))
			entries[i]->stale = true;
}

static void
drop_entry(int i)
{
	MemoryContextDelete(entries[i]->context);
	entries[i] = NULL;
}

/* drop the entries no call uses that are stale */
static void
drop_stale(void)
{
	int			i;

	for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
		if (entries[i] != NULL && entries[i]->stale && !entries[i]->in_use)
			drop_entry(i);
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

static Size
cache_limit(void)
{
	return (Size) synth_sampler_cache_mb * 1024 * 1024;
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

	if (MemoryContextMemAllocated(e->context, true) > cache_limit())
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
	while (kept_bytes() > cache_limit() && (i = eviction_candidate(e)) >= 0)
		drop_entry(i);
}

CachedSampler *
sampler_cache_acquire(const char *model_name, Oid typid)
{
	uint64		tupdesc_id = row_type_identifier(typid);
	CacheEntry *found = NULL;
	uint64		seen;
	ModelVersion version;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext context;
	StoredModel *stored;
	CacheEntry *e;
	int			i;

	if (!callbacks_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, type_changed, (Datum) 0);
		CacheRegisterSyscacheCallback(ENUMOID, type_changed, (Datum) 0);
		CacheRegisterRelcacheCallback(relation_changed, (Datum) 0);
		callbacks_registered = true;
	}
	drop_stale();
	/* the setting may have been lowered since the entries were kept */
	while (kept_bytes() > cache_limit() && (i = eviction_candidate(NULL)) >= 0)
		drop_entry(i);
	for (i = 0; i < SAMPLER_CACHE_ENTRIES && found == NULL; i++)
	{
		e = entries[i];
		if (e != NULL && !e->in_use && e->typid == typid && tupdesc_id != 0 &&
			e->tupdesc_id == tupdesc_id && e->aligned == synth_align_marginals &&
			strcmp(e->name, model_name) == 0 &&
			strcmp(e->search_path, namespace_search_path) == 0)
			found = e;
	}

	/*
	 * The model's row now (read under the caller's privileges on every
	 * call).  If it is gone or hidden, so is the kept sampler.
	 */
	seen = invalidations;
	preparing_relid = OidIsValid(typid) ? typeOrDomainTypeRelid(typid) : InvalidOid;
	memset(&version, 0, sizeof(version));
	ItemPointerSetInvalid(&version.tid);
	if (found != NULL)
		version = found->version;
	context = AllocSetContextCreate(caller, "synth sampler", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		stored = model_load_changed(model_name, &version);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
			if (found != NULL && entries[i] == found)
				drop_entry(i);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (stored == NULL && found->stale)
	{
		/* a type or relation changed while the row was read: start again */
		MemoryContextSwitchTo(caller);
		MemoryContextDelete(context);
		for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
			if (entries[i] == found)
				drop_entry(i);
		return sampler_cache_acquire(model_name, typid);
	}
	if (stored == NULL)
	{
		MemoryContextSwitchTo(caller);
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
		e->typrelid = OidIsValid(typid) ? typeOrDomainTypeRelid(typid) : InvalidOid;
		e->tupdesc_id = tupdesc_id;
		e->search_path = pstrdup(namespace_search_path);
		e->aligned = synth_align_marginals;
		e->cached.stored = stored;
		e->cached.desc = OidIsValid(typid) ? lookup_rowtype_tupdesc_copy(typid, -1)
			: model_row_type(stored->model);
		e->cached.sampler = sampler_prepare(stored->model, e->cached.desc, stored->name);
		e->cached.call_context = AllocSetContextCreate(context, "synth sample call",
													   ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(caller);

		/*
		 * Kept only if nothing was invalidated while it was made: an entry
		 * outside entries[] is not marked stale, so a type changed half-way
		 * would go unnoticed.  (This call uses it all the same, as a fresh
		 * one would have.)
		 */
		if (tupdesc_id != 0 && synth_sampler_cache_mb > 0 && invalidations == seen)
			keep_entry(e);
	}
	e->in_use = true;
	e->last_used = ++use_clock;
	sampler_begin_call(e->cached.sampler);
	return &e->cached;
}

void
sampler_cache_release(CachedSampler *cs)
{
	CacheEntry *e = (CacheEntry *) cs;
	int			i;

	e->in_use = false;
	if (!e->kept)
	{
		MemoryContextDelete(e->context);
		return;
	}
	if (e->stale)
	{
		for (i = 0; i < SAMPLER_CACHE_ENTRIES; i++)
			if (entries[i] == e)
				drop_entry(i);
		return;
	}
	MemoryContextReset(e->cached.call_context);
}
