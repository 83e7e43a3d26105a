/*-------------------------------------------------------------------------
 *
 * sampler.c
 *	  Drawing synthetic rows from a model: the per-row hot path.
 *
 * Everything that can be decided once is decided in sampler_prepare():
 * the output row type's columns are matched to the model by name and type,
 * the categories are turned into Datums of the output type, the copula is
 * factored.  sample_row() then only draws random numbers, looks values up
 * in the column models and fills values/nulls: no catalog access, and what
 * it allocates goes to the caller's (per-row) memory context.
 *
 * Used by the synth_sample() functions (sample.c) and by anything else that
 * produces rows from a model.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/uuid.h"

#include "column_model.h"
#include "column_types.h"
#include "condition.h"
#include "conditional.h"
#include "dependence.h"
#include "marginal_alignment.h"
#include "numerics.h"
#include "sampler.h"
#include "string_shape.h"

bool		synth_balanced_sampling = true;


/*
 * A group's categorical column, balanced across the groups of a block
 * (balance_categories()): its model as aligned, where each of its
 * categories (then its pooled share) is in the table's model, and scratch.
 */
typedef struct CategoryBalance
{
	const ColumnModel *cm;
	const int  *table_category; /* its categories' places in the table's
								 * model (ColumnSampler's) */
	int			table_other;	/* the place of its pooled share */
	int		   *count;			/* ncategories + 1 */
	ValueIndex *candidates;		/* ncategories + 1 */
} CategoryBalance;

/* how one output column is produced */
typedef struct ColumnSampler
{
	const ColumnModel *cm;		/* NULL: the column is always NULL */
	int			model_index;
	int			missing_index;	/* where its missingness uniform is */
	ColumnKind	kind;
	NumericRepr repr;
	QuantileGuide guide;		/* for the numeric quantile function */
	const double *aligned;		/* a group's map of u onto the table's */
	int			aligned_intervals;	/* (its points, less one) */
	int		   *table_category; /* a category's index in the table's model,
								 * where asked for (map_table_categories) */
	const QuantileFunction *target; /* quantile function, or NULL */
	const QuantileGuide *target_guide;	/* (marginal_alignment.h) */
	double		scale;			/* decimals_scale() of the column */
	int32		typmod;
	Datum	   *category_values;	/* Datums of the output type */
	bool		fresh_is_text;	/* fresh strings are plain text */
	FmgrInfo	input;			/* otherwise made with the type's input */
	Oid			ioparam;
	int			fresh_maxlen;
	const LabelIndex *kept_labels;	/* the table's kept values, by label: */
	int			nkept_labels;	/* what a made-up string must not be */
} ColumnSampler;

struct Sampler
{
	int			natts;
	ColumnSampler *cols;
	DependenceSampler *dependence;
	double	   *u;				/* per model column: value, then missingness */
	SynthRng   *rng;
	char		strbuf[STRING_SHAPE_MAX_LENGTH + 1];

	/* a mixture: each row comes from one group's sampler */
	int			ngroups;
	const double *group_cum;
	struct Sampler **groups;

	/* sampling under a condition (set on the top sampler) */
	const SynthModel *model;
	Condition  *condition;
	int			nleaves;		/* the parts rows come from (a model, or */
	struct Sampler **leaves;	/* a piece of one, see hierarchy_pieces()), */
	ConditionalSampler **leaf_conditional;	/* each drawn given the condition, */
	double	   *leaf_cum;		/* with its probability given it, */
	int		   *leaf_arm;		/* and the arm of an OR across columns it
								 * draws from (or -1) */
	MemoryContext attempt_ctx;	/* a row's values until the next row */
	bool		keys_checked;	/* the condition names a key column */
	int64		attempts;
	int64		accepted;

	/* unique keys (on the top sampler): see sampler_set_numbering() */
	int			nkeys;
	int		   *key_att;
	bool	   *key_text;		/* a text key (else an integer one) */
	int64	   *key_lo;			/* the model's range of the key */
	int64	   *key_hi;
	int64	   *key_min;		/* its type's */
	int64	   *key_max;
	int64	   *key_base;		/* where this call's keys start */
	uint64	   *key_range;
	uint64		key_seed;
	int64		key_row;		/* rows (or attempts) drawn so far */
	int32		key_stream;
	int32		key_streams;

	/* balanced blocks (on the top sampler): see sampler_set_rows() */
	int64		rows_left;		/* rows not yet drawn into a block */
	int			block_max;		/* rows per block */
	int			block_stride;	/* from one dimension to the next in block_u */
	int			block_rows;		/* in the current block */
	int			block_next;		/* its next row to hand out */
	struct Sampler **block_leaf;	/* the model each row comes from */
	double	   *block_u;		/* its uniforms, dimension by dimension */
	int			udim;
	int		   *block_perm;		/* scratch, block_max each */
	int		   *block_members;
	int		   *block_used;
	bool	   *block_done;
	int		   *block_order;
	int		   *block_bucket;
	int		   *block_count;	/* block_max + 1 */
	double	   *block_value;
	int64	   *block_keys;		/* nkeys x block_max: each row's keys */
	ValueIndex *block_ranked;	/* scratch, block_max */
	int64	   *block_keyvals;	/* scratch, block_max */
	int		   *block_byrank;	/* scratch, block_max */

	/*
	 * Categories balanced across groups (align_marginals()): per model
	 * column, a group's CategoryBalance (NULL: none), and on the top
	 * sampler how far each table category's count is from its expectation
	 * (table's ncategories + 1 each), summed over this call's blocks.
	 */
	CategoryBalance **category_balance;
	double	  **category_residual;
	int		   *category_residual_n;

	/*
	 * Numbers balanced across groups (align_marginals()): per model column,
	 * a group's alignment map (NULL: none), and on the top sampler whether
	 * any group has one.
	 */
	const double **aligned_column;
	bool	   *numeric_aligned;
	int			aligned_intervals;	/* of every map of this call */

	/*
	 * Hierarchies (hierarchy.c; on the top sampler): the output columns of
	 * each, and (all samplers of the tree share it) the table's category
	 * each column of a hierarchy took in the row being drawn, -1 for none.
	 */
	int			nhierarchies;
	int		   *hierarchy_from;
	int		   *hierarchy_to;
	int		   *row_category;
};

static Sampler *prepare_model(const SynthModel *model, TupleDesc desc,
							  const char *model_name);
static void align_marginals(Sampler *top);
static void share_kept_labels(Sampler *top, int att);
static bool makes_up_strings(const Sampler *s, int att);
static void prepare_hierarchies(Sampler *top);
static void apply_hierarchies(Sampler *top, Datum *values, bool *nulls);
static void balance_numbers(Sampler *top, int b, int c);
static void balance_categories(Sampler *top, CategoryBalance *cb, double *residual,
							   const int *rows, int m, int c);

/*
 * sampler_prepare: match the output row type "desc" to the model and make
 * everything the per-row loop needs.  Errors name the first column that
 * does not match.  A mixture's groups are aligned to the table's column
 * models (marginal_alignment.h) unless synth.align_marginals is off.
 */
Sampler *
sampler_prepare(const SynthModel *model, TupleDesc desc, const char *model_name)
{
	Sampler    *s = prepare_model(model, desc, model_name);
	int			att;

	for (att = 0; att < s->natts; att++)
		share_kept_labels(s, att);
	if (synth_align_marginals && model->ngroups > 0)
		align_marginals(s);
	if (model->nhierarchies > 0)
		prepare_hierarchies(s);
	return s;
}

/* the categories of cm, sorted by label (for bsearch with compare_label_index) */
static LabelIndex *
labels_by_name(const ColumnModel *cm)
{
	LabelIndex *sorted = palloc(sizeof(LabelIndex) * Max(cm->ncategories, 1));
	int			k;

	for (k = 0; k < cm->ncategories; k++)
	{
		sorted[k].label = cm->labels[k];
		sorted[k].index = k;
	}
	qsort(sorted, cm->ncategories, sizeof(LabelIndex), compare_label_index);
	return sorted;
}

/* every sampler of the tree: the table's kept values of output column att */
static void
set_kept_labels(Sampler *s, int att, const LabelIndex *sorted, int n)
{
	int			g;

	s->cols[att].kept_labels = sorted;
	s->cols[att].nkept_labels = n;
	for (g = 0; g < s->ngroups; g++)
		set_kept_labels(s->groups[g], att, sorted, n);
}

/*
 * Where output column att makes up strings (in any model of the tree), the
 * table's kept values of it, sorted, for fresh_string(): a group keeps a
 * value only if the table does (it has fewer rows), so these are all.
 */
static void
share_kept_labels(Sampler *top, int att)
{
	const ColumnModel *table = top->cols[att].cm;

	if (table == NULL || table->kind != COLUMN_CATEGORICAL || table->ncategories == 0 ||
		!makes_up_strings(top, att))
		return;
	set_kept_labels(top, att, labels_by_name(table), table->ncategories);
}

/* does any model of the tree make up strings for output column att? */
static bool
makes_up_strings(const Sampler *s, int att)
{
	int			g;

	if (s->cols[att].cm != NULL && s->cols[att].cm->kind == COLUMN_CATEGORICAL &&
		s->cols[att].cm->shape != NULL)
		return true;
	for (g = 0; g < s->ngroups; g++)
		if (makes_up_strings(s->groups[g], att))
			return true;
	return false;
}

/*
 * The Datum of category j of column cs, by its type's input function.  A
 * label the type no longer takes (an enum value renamed or dropped since
 * the fit, a varchar made shorter) is an error that names the model, the
 * column and the value, with the type's own message as its detail.
 */
static Datum
category_datum(ColumnSampler *cs, int j, const char *model_name, const char *typname)
{
	MemoryContext caller = CurrentMemoryContext;
	const ColumnModel *cm = cs->cm;
	Datum		d = (Datum) 0;

	PG_TRY();
	{
		d = InputFunctionCall(&cs->input, cm->labels[j], cs->ioparam, cs->typmod);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/*
		 * A data exception (class 22) or a domain's constraint (class 23)
		 * becomes the error below, raised at once (the abort cleans up
		 * after both); anything else, a cancel say, goes on as it was.
		 */
		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION)
		{
			FreeErrorData(edata);
			PG_RE_THROW();
		}
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("synth model \"%s\" holds the value \"%s\" of column \"%s\", which type %s does not take",
						model_name, cm->labels[j], cm->name, typname),
				 errdetail("%s", edata->message),
				 errhint("The type may have changed since the fit (an enum value renamed or dropped, a shorter length); fit the model again.")));
	}
	PG_END_TRY();
	return d;
}

/* sampler_prepare() of one model of the tree: it and its groups */
static Sampler *
prepare_model(const SynthModel *model, TupleDesc desc, const char *model_name)
{
	Sampler    *s = palloc0(sizeof(Sampler));
	bool	   *used = palloc0(sizeof(bool) * model->ncolumns);
	int			i,
				j;

	s->natts = desc->natts;
	s->model = model;
	s->cols = palloc0(sizeof(ColumnSampler) * Max(desc->natts, 1));
	s->u = palloc0(sizeof(double) * 2 * model->ncolumns);

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnSampler *cs = &s->cols[i];
		const ColumnModel *cm = NULL;
		char	   *typname;

		if (att->attisdropped)
			continue;
		for (j = 0; j < model->ncolumns; j++)
			if (strcmp(model->columns[j].name, NameStr(att->attname)) == 0)
				cm = &model->columns[j];
		if (cm == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the template is not in synth model \"%s\"",
							NameStr(att->attname), model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
		typname = format_type_be(att->atttypid);
		if (strcmp(typname, cm->type_name) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s in the template but %s in synth model \"%s\"",
							NameStr(att->attname), typname, cm->type_name, model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
		j = cm - model->columns;
		used[j] = true;

		cs->cm = cm;
		cs->model_index = j;
		cs->missing_index = model->ncolumns + j;
		cs->kind = cm->kind;
		cs->typmod = att->atttypmod;
		if (cm->kind == COLUMN_NUMERIC)
		{
			cs->repr = classify_type(att->atttypid).repr;
			cs->scale = decimals_scale(cm->decimals);
			if (cm->quantiles.npieces > 0)
				quantile_guide_build(&cm->quantiles, &cs->guide);
			if (cs->repr == REPR_NONE)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" models column \"%s\" of type %s as a number",
								model_name, cm->name, typname)));
		}
		else if (cm->kind == COLUMN_CATEGORICAL)
		{
			Oid			infunc;
			TypeInfo	t = classify_type(att->atttypid);

			if (t.kind != COLUMN_CATEGORICAL)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" models column \"%s\" of type %s as categorical",
								model_name, cm->name, typname)));
			getTypeInputInfo(att->atttypid, &infunc, &cs->ioparam);
			fmgr_info(infunc, &cs->input);
			cs->category_values = palloc(sizeof(Datum) * Max(cm->ncategories, 1));
			for (j = 0; j < cm->ncategories; j++)
				cs->category_values[j] = category_datum(cs, j, model_name, typname);
			if (cm->shape && !t.fresh_strings)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" makes up strings for column \"%s\" of type %s",
								model_name, cm->name, typname)));
			cs->fresh_is_text = att->atttypid == TEXTOID;
			cs->fresh_maxlen = STRING_SHAPE_MAX_LENGTH;
			if (att->atttypmod >= VARHDRSZ)
				cs->fresh_maxlen = Min(cs->fresh_maxlen, att->atttypmod - VARHDRSZ);
			if (cs->fresh_maxlen < 1)
				cs->fresh_maxlen = 1;
		}
		else if (cm->kind == COLUMN_UUID && att->atttypid != UUIDOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("synth model \"%s\" models column \"%s\" of type %s as uuid",
							model_name, cm->name, typname)));
	}
	s->key_att = palloc(sizeof(int) * Max(desc->natts, 1));
	s->key_text = palloc(sizeof(bool) * Max(desc->natts, 1));
	s->key_lo = palloc(sizeof(int64) * Max(desc->natts, 1));
	s->key_hi = palloc(sizeof(int64) * Max(desc->natts, 1));
	s->key_min = palloc(sizeof(int64) * Max(desc->natts, 1));
	s->key_max = palloc(sizeof(int64) * Max(desc->natts, 1));
	s->key_base = palloc(sizeof(int64) * Max(desc->natts, 1));
	s->key_range = palloc(sizeof(uint64) * Max(desc->natts, 1));
	for (i = 0; i < desc->natts; i++)
	{
		const ColumnModel *cm = s->cols[i].cm;

		if (cm != NULL && cm->kind == COLUMN_NUMERIC && cm->is_key &&
			cm->quantiles.npieces > 0 && s->cols[i].repr >= REPR_INT2 &&
			s->cols[i].repr <= REPR_INT8)
		{
			int			k = s->nkeys++;
			double		lo = ceil(cm->quantiles.pieces[0].lo);
			double		hi = floor(cm->quantiles.pieces[cm->quantiles.npieces - 1].hi);

			s->key_att[k] = i;
			s->key_text[k] = false;
			s->key_min[k] = s->cols[i].repr == REPR_INT2 ? PG_INT16_MIN :
				s->cols[i].repr == REPR_INT4 ? PG_INT32_MIN : PG_INT64_MIN;
			s->key_max[k] = s->cols[i].repr == REPR_INT2 ? PG_INT16_MAX :
				s->cols[i].repr == REPR_INT4 ? PG_INT32_MAX : PG_INT64_MAX;
			/* within the type (doubles near 2^63 round): the model's range */
			s->key_lo[k] = lo <= (double) s->key_min[k] ? s->key_min[k] :
				lo >= (double) s->key_max[k] ? s->key_max[k] : (int64) lo;
			s->key_hi[k] = hi >= (double) s->key_max[k] ? s->key_max[k] :
				hi <= (double) s->key_lo[k] ? s->key_lo[k] : (int64) hi;
		}
		else if (cm != NULL && cm->kind == COLUMN_CATEGORICAL && cm->is_key)
		{
			/* a text key: each row's number, from 0, written into its string */
			int			k;

			if (!classify_type(TupleDescAttr(desc, i)->atttypid).fresh_strings)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("synth model \"%s\" makes column \"%s\" of type %s a key",
								model_name, cm->name, format_type_be(TupleDescAttr(desc, i)->atttypid)),
						 errhint("Drop it with synth_drop() and fit it again with synth_fit().")));
			k = s->nkeys++;

			s->key_att[k] = i;
			s->key_text[k] = true;
			s->key_min[k] = 0;
			s->key_max[k] = PG_INT64_MAX;
			s->key_lo[k] = 0;
			s->key_hi[k] = 0;
		}
	}
	sampler_set_numbering(s, 0, 0, 0, 1);

	for (j = 0; j < model->ncolumns; j++)
		if (!used[j])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of synth model \"%s\" is missing from the template",
							model->columns[j].name, model_name),
					 errhint("Sample with the row type of the table the model was fitted on, or fit the model again.")));
	pfree(used);

	s->dependence = dependence_sampler_create(model);

	if (model->group_column >= 0)
	{
		s->ngroups = model->ngroups;
		s->group_cum = model->group_cum;
		s->groups = palloc(sizeof(Sampler *) * model->ngroups);
		for (j = 0; j < model->ngroups; j++)
			s->groups[j] = prepare_model(model->groups[j], desc, model_name);
	}
	return s;
}

/*
 * A made-up string for column cs, u picking its length.  It is drawn again
 * (up to FRESH_STRING_ATTEMPTS times in all) while it is one of the
 * table's kept values: a made-up value stands for the rare ones, and one
 * that chanced on a kept value would add to that value's share, and pair
 * with other columns as no row of it does (hierarchies fix nothing for it).
 */
#define FRESH_STRING_ATTEMPTS 8

static Datum
fresh_string(Sampler *s, ColumnSampler *cs, double u)
{
	int			len = 0;
	int			attempt;

	for (attempt = 0; attempt < FRESH_STRING_ATTEMPTS; attempt++)
	{
		LabelIndex	key;

		len = string_shape_generate(cs->cm->shape, s->rng, u, s->strbuf, cs->fresh_maxlen);
		key.label = s->strbuf;
		key.index = -1;
		if (cs->nkept_labels == 0 ||
			bsearch(&key, cs->kept_labels, cs->nkept_labels, sizeof(LabelIndex),
					compare_label_index) == NULL)
			break;
	}

	if (cs->fresh_is_text)
		return PointerGetDatum(cstring_to_text_with_len(s->strbuf, len));
	return InputFunctionCall(&cs->input, s->strbuf, cs->ioparam, cs->typmod);
}

static Datum
fresh_uuid(Sampler *s)
{
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));
	int			i;

	for (i = 0; i < UUID_LEN; i += 4)
	{
		uint32		r = synth_rng_uint32(s->rng);

		memcpy(&uuid->data[i], &r, 4);
	}
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;	/* version 4 */
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return UUIDPGetDatum(uuid);
}

/* the per-call state of s and its groups (see sampler_begin_call()) */
static void
forget_call(Sampler *s)
{
	int			g;

	s->rng = NULL;
	for (g = 0; g < s->ngroups; g++)
		forget_call(s->groups[g]);
}

void
sampler_begin_call(Sampler *s)
{
	forget_call(s);

	/* a condition (sampler_set_condition()) */
	s->condition = NULL;
	s->nleaves = 0;
	s->leaves = NULL;
	s->leaf_conditional = NULL;
	s->leaf_cum = NULL;
	s->leaf_arm = NULL;
	s->attempt_ctx = NULL;
	s->keys_checked = false;
	s->attempts = 0;
	s->accepted = 0;

	/* keys (sampler_set_numbering()) */
	s->key_row = 0;

	/* balanced blocks (sampler_set_rows()) and their scratch */
	s->rows_left = 0;
	s->block_max = 0;
	s->block_stride = 0;
	s->block_rows = 0;
	s->block_next = 0;
	s->udim = 0;
	s->block_leaf = NULL;
	s->block_u = NULL;
	s->block_perm = NULL;
	s->block_members = NULL;
	s->block_used = NULL;
	s->block_done = NULL;
	s->block_order = NULL;
	s->block_bucket = NULL;
	s->block_count = NULL;
	s->block_value = NULL;
	s->block_keys = NULL;
	s->block_ranked = NULL;
	s->block_keyvals = NULL;
	s->block_byrank = NULL;
}

/* the sampler and all its groups' draw from rng */
void
sampler_set_rng(Sampler *s, SynthRng *rng)
{
	int			g;

	s->rng = rng;
	for (g = 0; g < s->ngroups; g++)
		sampler_set_rng(s->groups[g], rng);
}

/* the Datum of a number drawn for numeric column cs */
static inline Datum
numeric_datum_at(const ColumnSampler *cs, double v)
{
	const ColumnModel *cm = cs->cm;

	if (cm->step > 0.0)
		v = cm->step_offset + rint((v - cm->step_offset) / cm->step) * cm->step;
	return numeric_datum(cs->repr, v, cm->decimals, cs->scale, cs->typmod);
}

/* the value of a numeric column at uniform u */
static inline Datum
numeric_value_at(const ColumnSampler *cs, double u)
{
	double		v;

	if (cs->aligned != NULL)
	{
		double		t = u * cs->aligned_intervals;
		int			k = Min((int) t, cs->aligned_intervals - 1);
		double		p = cs->aligned[k] + (cs->aligned[k + 1] - cs->aligned[k]) * (t - k);

		if (!(p >= 0.0))
			p = 0.0;			/* (not a number: a broken map) */
		v = quantile_sample_guided(cs->target, cs->target_guide, Min(p, SYNTH_U_MAX));
	}
	else
		v = quantile_sample_guided(&cs->cm->quantiles, &cs->guide, u);
	return numeric_datum_at(cs, v);
}

/*
 * The row of values/nulls for the uniforms u[k * stride] (s->u: stride 1).
 * "table_scale": a block's row, whose aligned numbers balance_numbers() has
 * already put on the table's scale.
 */
static void
fill_row(Sampler *s, const double *u_row, Size stride, Datum *values, bool *nulls,
		 bool table_scale)
{
	int			i;

	for (i = 0; i < s->natts; i++)
	{
		ColumnSampler *cs = &s->cols[i];
		const ColumnModel *cm = cs->cm;
		double		u;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (s->row_category != NULL && cs->table_category != NULL)
			s->row_category[i] = -1;
		if (cm == NULL || cs->kind == COLUMN_EXCLUDED)
			continue;
		if (cm->null_frac > 0.0 &&
			(cm->null_frac >= 1.0 || u_row[cs->missing_index * stride] < cm->null_frac))
			continue;
		u = u_row[cs->model_index * stride];
		nulls[i] = false;

		switch (cs->kind)
		{
			case COLUMN_NUMERIC:
				if (table_scale && cs->aligned != NULL)
				{
					double		v = quantile_sample_guided(cs->target, cs->target_guide,
														   Min(u, SYNTH_U_MAX));

					values[i] = numeric_datum_at(cs, v);
				}
				else
					values[i] = numeric_value_at(cs, u);
				break;
			case COLUMN_CATEGORICAL:
				{
					int			k = category_draw(cm, u);

					if (k < 0 && cm->shape == NULL)
					{
						/* no made-up strings: the last category takes the rest */
						if (cm->ncategories == 0)
						{
							nulls[i] = true;
							break;
						}
						k = cm->ncategories - 1;
					}
					if (k >= 0)
					{
						values[i] = cs->category_values[k];
						if (s->row_category != NULL && cs->table_category != NULL)
							s->row_category[i] = cs->table_category[k];
					}
					else
					{
						double		start = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;

						values[i] = fresh_string(s, cs, (u - start) / Max(cm->other_prob, 1e-300));
					}
					break;
				}
			case COLUMN_UUID:
				values[i] = fresh_uuid(s);
				break;
			case COLUMN_EXCLUDED:
				break;
		}
	}
}

/*
 * A bijection of [0, range): a four-round Feistel network on the smallest
 * even number of bits that covers the range, keyed by "key", walked until
 * it lands inside (cycle walking; fewer than four steps on average).
 */
static uint64
permute(uint64 x, uint64 range, uint64 key)
{
	int			bits = 2;
	int			half;
	uint64		mask;

	while (bits < 62 && (UINT64CONST(1) << bits) < range)
		bits += 2;
	half = bits / 2;
	mask = (UINT64CONST(1) << half) - 1;
	do
	{
		uint64		left = x >> half;
		uint64		right = x & mask;
		int			round;

		for (round = 0; round < 4; round++)
		{
			uint64		f = synth_mix_seed(right ^ key ^ ((uint64) (round + 1) << 56)) & mask;
			uint64		next = left ^ f;

			left = right;
			right = next;
		}
		x = (left << half) | right;
	} while (x >= range);
	return x;
}

/*
 * Unique keys: the row's number g (rows of stream i of k are numbered i,
 * i + k, i + 2k, ..., so streams never share one) is mapped by a keyed
 * permutation of [0, range) to base + its image; numbers past the range
 * (rows rejected under a condition) take the values just above the range,
 * then just below it, which the permutation never reaches.
 */
static int64
key_value(const Sampler *s, int k, uint64 g)
{
	uint64		range = s->key_range[k];
	uint64		extra,
				above,
				below;

	if (g < range)
		return (int64) ((uint64) s->key_base[k] + permute(g, range, s->key_seed + k));

	/* past the range: above it while the type has room, then below */
	extra = g - range;
	above = (uint64) s->key_max[k] - ((uint64) s->key_base[k] + (range - 1));
	below = (uint64) s->key_base[k] - (uint64) s->key_min[k];
	if (extra < above)
		return (int64) ((uint64) s->key_base[k] + range + extra);
	if (extra - above < below)
		return (int64) ((uint64) s->key_base[k] - 1 - (extra - above));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("no unique values of key column \"%s\" are left", s->cols[s->key_att[k]].cm->name),
			 errdetail("Its type %s holds no more distinct values.", s->cols[s->key_att[k]].cm->type_name)));
	return 0;					/* keep the compiler quiet */
}

static inline Datum
key_datum(const ColumnSampler *cs, int64 v)
{
	return cs->repr == REPR_INT2 ? Int16GetDatum((int16) v) :
		cs->repr == REPR_INT4 ? Int32GetDatum((int32) v) : Int64GetDatum(v);
}

#define KEY_TEXT_CAPACITY (UINT64CONST(1) << 62)

/*
 * A text key's value: the row's string "d" (made up in the column's shape)
 * with the row's unique number v written into its own characters.  Each
 * character stays in its class (a letter a letter, a digit a digit), so the
 * string keeps its shape; the last characters whose classes together hold
 * at most 2^62 values carry a keyed permutation of v in mixed radix.  Which
 * characters those are, and their radixes, follow from the classes alone,
 * so two equal strings carry the same number: strings of different rows
 * never collide.  A string too short to hold v gets digits appended, up to
 * the column's length limit (then no unique value is left: an error).
 */
static Datum
text_key_datum(Sampler *s, int k, Datum d, uint64 v)
{
	ColumnSampler *cs = &s->cols[s->key_att[k]];
	text	   *t = DatumGetTextPP(d);
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *buf = s->strbuf;
	uint64		capacity;
	uint64		x;
	int			first,
				i;

	/* a longer kept value is cut at a character boundary */
	if (len > STRING_SHAPE_MAX_LENGTH)
		len = pg_mbcliplen(VARDATA_ANY(t), len, STRING_SHAPE_MAX_LENGTH);
	memcpy(buf, VARDATA_ANY(t), len);
	/* char(n) pads with spaces that do not count: the number goes before them */
	if (!cs->fresh_is_text)
		while (len > 0 && buf[len - 1] == ' ')
			len--;
	for (;;)
	{
		capacity = 1;
		for (first = len; first > 0; first--)
		{
			int			r = string_shape_radix((unsigned char) buf[first - 1]);

			if (capacity > KEY_TEXT_CAPACITY / r)
				break;
			capacity *= r;
		}
		if (v < capacity)
			break;
		if (len >= cs->fresh_maxlen)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("no unique values of key column \"%s\" are left", cs->cm->name),
					 errdetail("Its made-up strings of at most %d characters hold no more distinct values.",
							   cs->fresh_maxlen),
					 errhint("Ask for fewer rows, or sample into a column that allows longer values.")));
		buf[len++] = '0';
	}
	buf[len] = '\0';
	x = permute(v, capacity, s->key_seed + k);
	for (i = len - 1; i >= first; i--)
	{
		int			r = string_shape_radix((unsigned char) buf[i]);

		if (r > 1)
		{
			buf[i] = string_shape_class_char((unsigned char) buf[i], (int) (x % r));
			x /= r;
		}
	}
	if (cs->fresh_is_text)
		return PointerGetDatum(cstring_to_text_with_len(buf, len));
	return InputFunctionCall(&cs->input, buf, cs->ioparam, cs->typmod);
}

/* set key k of a row to the key numbered v (key_value()) */
static inline void
put_key(Sampler *s, int k, Datum *values, int64 v)
{
	int			att = s->key_att[k];

	if (s->key_text[k])
		values[att] = text_key_datum(s, k, values[att], (uint64) v);
	else
		values[att] = key_datum(&s->cols[att], v);
}

static void
apply_keys(Sampler *s, Datum *values, bool *nulls)
{
	uint64		g = (uint64) s->key_row * s->key_streams + s->key_stream;
	int			k;

	s->key_row++;
	for (k = 0; k < s->nkeys; k++)
	{
		if (nulls[s->key_att[k]])
			continue;
		put_key(s, k, values, key_value(s, k, g));
	}
}

/*
 * The numbering of the rows for unique keys: this call draws stream
 * "stream" of "streams" of "total" rows, whose randomness comes from
 * "seed" (the caller's, before mixing in the stream).  Each key column
 * draws from [lo, lo + range) with range the larger of the model's range
 * and the total.
 */
void
sampler_set_numbering(Sampler *s, uint64 seed, int64 total, int32 stream, int32 streams)
{
	int			k;

	s->key_seed = synth_mix_seed(seed ^ UINT64CONST(0x6b6579));
	s->key_row = 0;
	s->key_stream = stream;
	s->key_streams = Max(streams, 1);
	for (k = 0; k < s->nkeys; k++)
	{
		const ColumnSampler *cs = &s->cols[s->key_att[k]];
		uint64		model_range = (uint64) s->key_hi[k] - (uint64) s->key_lo[k] + 1;
		uint64		capacity = (uint64) s->key_max[k] - (uint64) s->key_min[k];	/* less one */
		uint64		range = Max(model_range, (uint64) Max(total, 1));

		if (range - 1 > capacity)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("key column \"%s\" of type %s cannot hold " INT64_FORMAT " unique values",
							cs->cm->name, cs->cm->type_name, total)));
		s->key_range[k] = range;
		/* extend the model's range upwards, or downwards near the type's end */
		s->key_base[k] = s->key_lo[k];
		if ((uint64) s->key_max[k] - (uint64) s->key_base[k] < range - 1)
			s->key_base[k] = (int64) ((uint64) s->key_max[k] - (range - 1));
	}
}

static void sample_row_conditional(Sampler *s, Datum *values, bool *nulls);
static bool condition_names_key(const Sampler *s, const Condition *cond);
#define HIERARCHY_PIECES 3
static int	hierarchy_pieces(Sampler *top, Sampler *leaf, const ConditionAtom *atoms, int natoms,
							 USet **sets, int nsets, USet ***pieces);

/*
 * Balanced blocks.
 *
 * Independent draws put sampling noise into every sample: a column's
 * share of a category or of a range differs from the model's by about
 * sqrt(p (1 - p) / n), which at a few hundred or thousand rows is most of
 * the gap between a synthetic column and the real one.  When the number
 * of rows is known, rows are drawn in blocks of up to BALANCE_BLOCK
 * instead, and each block is balanced like a Latin hypercube over the
 * copula: the model a row comes from is chosen by a stratified uniform
 * (stratum k of the block_rows strata, in random order), and within each
 * model, each dimension's uniforms are replaced by stratified ones with
 * the same ranks: the row of rank k gets (k + v) / m, v uniform, for the m
 * rows of the block that use the dimension (the value dimension of a
 * column: the rows where it is not NULL).  Every row still follows the
 * model (each stratified uniform is uniform, and the ranks carry the
 * copula's dependence); a block matches the model's marginals and mixture
 * shares to within one row each.  Conditional sampling draws independent
 * rows.
 */
#define BALANCE_BLOCK 4096
#define BALANCE_BLOCK_BYTES (8 * 1024 * 1024)	/* bound on a block's uniforms */

/*
 * sampler_set_rows: this call will draw "nrows" rows; balance them (if
 * synth.balanced_sampling allows).  Allocates in the current context.
 */
void
sampler_set_rows(Sampler *s, int64 nrows)
{
	int			udim = 2 * s->model->ncolumns;

	s->rows_left = 0;
	s->block_rows = s->block_next = 0;
	if (!synth_balanced_sampling || nrows < 2 || udim == 0)
		return;
	s->udim = udim;
	s->block_max = (int) Min(Min((int64) BALANCE_BLOCK, nrows),
							 Max((int64) 64, BALANCE_BLOCK_BYTES / (int64) (sizeof(double) * udim)));
	/* not a power of two: the dimensions of a row map to different cache sets */
	s->block_stride = s->block_max + 8;
	if (s->block_leaf == NULL)
	{
		s->block_leaf = palloc(sizeof(Sampler *) * BALANCE_BLOCK);
		s->block_u = palloc(sizeof(double) * udim * s->block_stride);
		s->block_perm = palloc(sizeof(int) * BALANCE_BLOCK);
		s->block_members = palloc(sizeof(int) * BALANCE_BLOCK);
		s->block_used = palloc(sizeof(int) * BALANCE_BLOCK);
		s->block_done = palloc(sizeof(bool) * BALANCE_BLOCK);
		s->block_order = palloc(sizeof(int) * BALANCE_BLOCK);
		s->block_bucket = palloc(sizeof(int) * BALANCE_BLOCK);
		s->block_count = palloc(sizeof(int) * (BALANCE_BLOCK + 1));
		s->block_value = palloc(sizeof(double) * BALANCE_BLOCK);
		s->block_byrank = palloc(sizeof(int) * BALANCE_BLOCK);
		if (s->nkeys > 0)
		{
			s->block_keys = palloc(sizeof(int64) * s->nkeys * BALANCE_BLOCK);
			s->block_ranked = palloc(sizeof(ValueIndex) * BALANCE_BLOCK);
			s->block_keyvals = palloc(sizeof(int64) * BALANCE_BLOCK);
		}
	}
	else
		s->block_u = repalloc(s->block_u, sizeof(double) * udim * s->block_stride);
	s->rows_left = nrows;

	/* each call's categories start from a random place within a row */
	if (s->category_residual != NULL)
	{
		int			c,
					t;

		for (c = 0; c < s->model->ncolumns; c++)
			for (t = 0; t < s->category_residual_n[c]; t++)
				s->category_residual[c][t] = synth_rng_uniform(s->rng) - 0.5;
	}
}

/*
 * Give the m block rows rows[] of dimension dim stratified uniforms in the
 * order of their current ones.  The uniforms are ordered by bucket of
 * width 1 / m only (counting sort): they are uniform, so a bucket holds
 * about one, and two that share one are within 1 / m of each other anyway.
 */
static void
balance_dimension(Sampler *top, const int *rows, int m, int dim)
{
	int		   *order = top->block_order;
	int		   *count = top->block_count;
	double	   *value = top->block_value;
	double	   *column = &top->block_u[(Size) dim * top->block_stride];
	int			i,
				k;

	if (m < 2)
		return;					/* nothing to balance; keep its dependence */
	memset(count, 0, sizeof(int) * (m + 1));
	for (i = 0; i < m; i++)
	{
		double		x = column[rows[i]];
		int			b = (int) (x * m);

		b = Max(0, Min(m - 1, b));
		value[i] = x;
		top->block_bucket[i] = b;
		count[b + 1]++;
	}
	for (k = 0; k < m; k++)
		count[k + 1] += count[k];
	for (i = 0; i < m; i++)
		order[count[top->block_bucket[i]]++] = i;
	for (k = 0; k < m; k++)
	{
		/*
		 * Within its stratum the row keeps where its own uniform fell
		 * within its bucket: uniform, and independent of the bucket.
		 */
		double		x = value[order[k]] * m;
		double		u = (k + (x - floor(x))) / m;

		column[rows[order[k]]] = Min(u, SYNTH_U_MAX);
	}
}


static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

/*
 * The keys of a block.  The block's row numbers give it a set of unique
 * keys (key_value(), as for independent rows); they are handed out in the
 * order of the values the rows' own draws give the key column, so keys stay
 * unique and still relate to the other columns as the real ones do (a
 * serial id rises with the date a row was entered, for example).  A row
 * whose key is NULL takes its place in the order and leaves its key unused.
 */
static void
assign_block_keys(Sampler *top, int b)
{
	ValueIndex *ranked = top->block_ranked;
	int64	   *keyvals = top->block_keyvals;
	int			k,
				r;

	for (k = 0; k < top->nkeys; k++)
	{
		int			att = top->key_att[k];

		for (r = 0; r < b; r++)
		{
			const ColumnSampler *cs = &top->block_leaf[r]->cols[att];
			double		u = top->block_u[(Size) cs->model_index * top->block_stride + r];

			ranked[r].value = cs->cm->kind == COLUMN_NUMERIC && cs->cm->quantiles.npieces > 0 ?
				quantile_sample_guided(&cs->cm->quantiles, &cs->guide, u) : u;
			ranked[r].index = r;
			keyvals[r] = key_value(top, k, (uint64) (top->key_row + r) * top->key_streams +
								   top->key_stream);
		}
		sort_value_indexes(ranked, b);
		qsort(keyvals, b, sizeof(int64), compare_int64);
		for (r = 0; r < b; r++)
			top->block_keys[(Size) k * top->block_max + ranked[r].index] = keyvals[r];
	}
	top->key_row += b;
}

/*
 * After balance_dimension(), the m rows rows[] of one group hold stratified
 * uniforms of categorical column c: each category gets the floor or the
 * ceiling of its expected count.  Which ones get the ceiling is left to
 * chance there, so over many groups a category's count drifts by about a
 * row per group.  Here the ceilings go to the categories that the groups
 * drawn before (in this block and this call's earlier ones) left furthest
 * below their expectation, tracked per table category in residual[]; the
 * rows keep their order (the copula's dependence), and each keeps its place
 * within its stratum inside its category.
 */
static void
balance_categories(Sampler *top, CategoryBalance *cb, double *residual,
				   const int *rows, int m, int c)
{
	const ColumnModel *cm = cb->cm;
	int			ncat = cm->ncategories;
	int		   *byrank = top->block_byrank;
	double	   *column = &top->block_u[(Size) c * top->block_stride];
	int			ncand = 0,
				floors = 0,
				extra,
				k,
				j,
				pos = 0;

	if (m < 2)
		return;
	/* balance_dimension() left the rows in the order of their strata */
	for (j = 0; j < m; j++)
		byrank[j] = rows[top->block_order[j]];

	for (k = 0; k <= ncat; k++)
	{
		double		start = k > 0 ? cm->category_cum[k - 1] : 0.0;
		double		end = k < ncat ? cm->category_cum[k] : 1.0;
		double		expected = Max(end - start, 0.0) * m;
		double		f = floor(expected);
		int			t = k < ncat ? cb->table_category[k] : cb->table_other;

		cb->count[k] = (int) f;
		floors += (int) f;
		if (expected - f > 0.0)
		{
			/* below expectation after a floor: the lower, the sooner a ceiling */
			cb->candidates[ncand].value = (t >= 0 ? residual[t] : 0.0) - (expected - f);
			cb->candidates[ncand].index = k;
			ncand++;
		}
	}
	extra = Max(0, Min(ncand, m - floors));
	if (extra > 0 && extra < ncand)
		sort_value_indexes(cb->candidates, ncand);
	for (j = 0; j < extra; j++)
		cb->count[cb->candidates[j].index]++;
	/* a row or so that rounding leaves over (or short) goes to the largest */
	if (floors + extra != m)
	{
		int			largest = 0;

		for (k = 1; k <= ncat; k++)
			if (cb->count[k] > cb->count[largest])
				largest = k;
		cb->count[largest] = Max(0, cb->count[largest] + m - floors - extra);
	}

	for (k = 0; k <= ncat; k++)
	{
		double		start = k > 0 ? cm->category_cum[k - 1] : 0.0;
		double		end = k < ncat ? cm->category_cum[k] : 1.0;
		int			t = k < ncat ? cb->table_category[k] : cb->table_other;
		int			q;

		if (t >= 0)
			residual[t] += cb->count[k] - Max(end - start, 0.0) * m;
		for (q = 0; q < cb->count[k] && pos < m; q++, pos++)
		{
			int			row = byrank[pos];
			double		x = column[row] * m;
			double		u = start + (end - start) * (q + (x - floor(x))) / cb->count[k];

			if (u >= end)
				u = nextafter(end, 0.0);
			column[row] = Min(Max(start, u), SYNTH_U_MAX);
		}
	}
}

/*
 * After each group's rows are balanced on their own, stratify numeric
 * column c over the whole block where the groups meet: on the table's
 * scale, the alignment map's value v of each row with a number (all groups
 * together uniform).  The rows keep their order on that scale (so within
 * each group too) and their place within their stratum, and the block
 * keeps v (fill_row() reads it as such): the block's numbers then follow
 * the table's distribution to within a row rather than a row per group.
 */
static void
balance_numbers(Sampler *top, int b, int c)
{
	int		   *rows = top->block_members;
	double	   *column = &top->block_u[(Size) c * top->block_stride];
	const double *missing = &top->block_u[(Size) (top->model->ncolumns + c) * top->block_stride];
	int			m = 0,
				r;

	for (r = 0; r < b; r++)
	{
		Sampler    *leaf = top->block_leaf[r];
		const ColumnModel *cm = &leaf->model->columns[c];
		const double *grid;
		double		t;
		int			k;

		if (leaf->aligned_column == NULL || (grid = leaf->aligned_column[c]) == NULL)
			continue;
		if (cm->null_frac > 0.0 && (cm->null_frac >= 1.0 || missing[r] < cm->null_frac))
			continue;
		t = column[r] * top->aligned_intervals;
		k = Min((int) t, top->aligned_intervals - 1);
		column[r] = grid[k] + (grid[k + 1] - grid[k]) * (t - k);	/* v, for now */
		rows[m++] = r;
	}
	balance_dimension(top, rows, m, c);
}

/* draw the next block of rows into top->block_* */
static void
fill_block(Sampler *top)
{
	int			b = (int) Min((int64) top->block_max, top->rows_left);
	int			ncols = top->model->ncolumns;
	int		   *perm = top->block_perm;
	int		   *members = top->block_members;
	int		   *used = top->block_used;
	bool	   *done = top->block_done;
	int			r,
				c,
				i;

	top->rows_left -= b;
	top->block_rows = b;
	top->block_next = 0;

	/* the strata of the model choice, in random order */
	for (r = 0; r < b; r++)
	{
		int			j = Min(r, (int) (synth_rng_uniform(top->rng) * (r + 1)));

		perm[r] = perm[j];
		perm[j] = r;
	}
	for (r = 0; r < b; r++)
	{
		Sampler    *s = top;
		double		u = (perm[r] + synth_rng_uniform(top->rng)) / b;

		while (s->ngroups > 0)
		{
			int			g = 0;
			double		lo,
						hi;

			while (g < s->ngroups - 1 && u >= s->group_cum[g])
				g++;
			lo = g > 0 ? s->group_cum[g - 1] : 0.0;
			hi = g < s->ngroups - 1 ? s->group_cum[g] : 1.0;
			u = hi > lo ? Min(SYNTH_U_MAX, Max(0.0, (u - lo) / (hi - lo))) : 0.0;
			s = s->groups[g];
		}
		top->block_leaf[r] = s;
		done[r] = false;
		dependence_draw(s->dependence, top->rng, &top->block_u[r], top->block_stride);
	}

	/* balance each model's rows, dimension by dimension */
	for (r = 0; r < b; r++)
	{
		Sampler    *leaf = top->block_leaf[r];
		int			m = 0;

		if (done[r])
			continue;
		for (i = r; i < b; i++)
			if (top->block_leaf[i] == leaf)
			{
				members[m++] = i;
				done[i] = true;
			}
		for (c = 0; c < ncols; c++)
		{
			const ColumnModel *cm = &leaf->model->columns[c];
			int			k = 0;

			if ((cm->kind != COLUMN_NUMERIC && cm->kind != COLUMN_CATEGORICAL) ||
				cm->null_frac >= 1.0)
				continue;
			if (cm->null_frac > 0.0)
			{
				balance_dimension(top, members, m, ncols + c);
				for (i = 0; i < m; i++)
					if (top->block_u[(Size) (ncols + c) * top->block_stride + members[i]] >= cm->null_frac)
						used[k++] = members[i];
			}
			else
			{
				memcpy(used, members, sizeof(int) * m);
				k = m;
			}
			balance_dimension(top, used, k, c);
			if (leaf->category_balance != NULL && leaf->category_balance[c] != NULL)
				balance_categories(top, leaf->category_balance[c], top->category_residual[c],
								   used, k, c);
		}
	}
	if (top->numeric_aligned != NULL)
		for (c = 0; c < ncols; c++)
			if (top->numeric_aligned[c])
				balance_numbers(top, b, c);
	if (top->nkeys > 0)
		assign_block_keys(top, b);
}

/*
 * One synthetic row; pass-by-reference values go to the current context
 * (under a condition, to the sampler's, valid until the next row).
 */
void
sample_row(Sampler *s, Datum *values, bool *nulls)
{
	Sampler    *top = s;

	if (s->condition != NULL)
	{
		sample_row_conditional(s, values, nulls);
		return;
	}
	if (s->rows_left > 0 || s->block_next < s->block_rows)
	{
		int			r,
					i;

		if (s->block_next == s->block_rows)
			fill_block(s);
		r = s->block_next++;
		s = s->block_leaf[r];
		fill_row(s, &top->block_u[r], top->block_stride, values, nulls, true);
		if (top->nhierarchies > 0)
			apply_hierarchies(top, values, nulls);
		for (i = 0; i < top->nkeys; i++)
		{
			int			att = top->key_att[i];

			if (!nulls[att])
				put_key(top, i, values, top->block_keys[(Size) i * top->block_max + r]);
		}
		return;
	}
	while (s->ngroups > 0)
	{
		double		u = synth_rng_uniform(s->rng);
		int			g = 0;

		while (g < s->ngroups - 1 && u >= s->group_cum[g])
			g++;
		s = s->groups[g];
	}
	dependence_draw(s->dependence, s->rng, s->u, 1);
	fill_row(s, s->u, 1, values, nulls, false);
	if (top->nhierarchies > 0)
		apply_hierarchies(top, values, nulls);
	if (top->nkeys > 0)
		apply_keys(top, values, nulls);
}

/*
 * Sampling under a condition.
 *
 * Each atom of the condition (condition.h) restricts the uniforms of one
 * column in every model the rows can come from (the groups of a mixture
 * have column models of their own): a value condition to the set of u
 * whose value satisfies it, IS [NOT] NULL the missingness uniform to
 * [0, null_frac) or [null_frac, 1).  The value of a column is a
 * nondecreasing function of u (quantile function, lattice, rounding to the
 * type), so "value < c" holds on an interval [0, t) of u, "value > c" on
 * one [t, 1), "value = c" on their intersection: t is found by bisection
 * with the condition's own operator on the very Datum sampling would
 * return.  A category holds on its interval of u.  conditional.c then
 * draws the uniforms given these sets, and each model of the mixture is
 * chosen with its share times the probability of the condition under it.
 * Every row is checked against the whole condition; only the residual
 * (what is not an atom) ever fails that check.
 */

#define BISECTION_STEPS 64

/* the cap on rejection: give up when fewer than 1 in REJECTION_RATIO pass */
#define REJECTION_MIN_ATTEMPTS 100000
#define REJECTION_RATIO 1000

/* does the value of numeric column cs at u satisfy "value op constant"? */
static bool
numeric_test(const ColumnSampler *cs, const ConditionAtom *atom, FmgrInfo *op,
			 double u, MemoryContext scratch)
{
	MemoryContext old = MemoryContextSwitchTo(scratch);
	bool		result = condition_atom_test(atom, op, numeric_value_at(cs, u));

	MemoryContextSwitchTo(old);
	MemoryContextReset(scratch);
	return result;
}

/*
 * The u where a test that holds on a prefix [0, t) (prefix = true) or a
 * suffix [t, 1] of u stops or starts holding: the last u that holds for a
 * prefix, the first for a suffix; -1 when it holds nowhere.
 */
static double
bisect(const ColumnSampler *cs, const ConditionAtom *atom, FmgrInfo *op,
	   bool prefix, MemoryContext scratch)
{
	double		yes = prefix ? 0.0 : SYNTH_U_MAX;
	double		no = prefix ? SYNTH_U_MAX : 0.0;
	int			i;

	if (!numeric_test(cs, atom, op, yes, scratch))
		return -1.0;
	if (numeric_test(cs, atom, op, no, scratch))
		return prefix ? 1.0 : 0.0;
	for (i = 0; i < BISECTION_STEPS; i++)
	{
		double		mid = (yes + no) / 2.0;

		if (mid == yes || mid == no)
			break;
		if (numeric_test(cs, atom, op, mid, scratch))
			yes = mid;
		else
			no = mid;
	}
	return yes;
}

/* [lo, hi] of u where numeric column cs equals the i-th constant */
static void
equal_interval(const ColumnSampler *cs, const ConditionAtom *atom, int i,
			   MemoryContext scratch, double *lo, double *hi)
{
	ConditionAtom one = *atom;

	one.nconsts = 1;
	one.consts = &atom->consts[i];
	*lo = bisect(cs, &one, &one.ge, false, scratch);
	*hi = bisect(cs, &one, &one.le, true, scratch);
}

static int
compare_interval_starts(const void *a, const void *b)
{
	const double *x = (const double *) a;
	const double *y = (const double *) b;

	return x[0] < y[0] ? -1 : (x[0] > y[0] ? 1 : 0);
}

/* below this share of the uniforms, an interval on a continuous column is a rounding sliver */
#define CONTINUOUS_ATOM_MIN_WIDTH 1e-9

/*
 * Is the column sampled continuously: a double kept to every digit, or a
 * numeric without a declared scale written to 15 significant digits, with
 * no step?  (A real's own steps carry shares of 1e-8 to 1e-12: not this.)
 */
static bool
sampled_continuously(const ColumnSampler *cs)
{
	const ColumnModel *cm = cs->cm;

	return cm != NULL && cm->kind == COLUMN_NUMERIC && cm->step <= 0.0 &&
		((cs->repr == REPR_FLOAT8 && cm->decimals < 0) ||
		 (cs->repr == REPR_NUMERIC && cs->typmod < 0 &&
		  (cm->decimals < 0 || cm->decimals > 15)));
}

/*
 * On a column sampled continuously, a single value has a chance only as an
 * atom, whose share is at least min_group_size rows of the fit (1e-7 and
 * more).  What is left narrower than CONTINUOUS_ATOM_MIN_WIDTH is the few
 * uniforms that round onto a piece's end (1e-16 or so), which "= 50" or
 * "BETWEEN 50 AND 50" would otherwise draw every row from while "= 51" has
 * none: no support.
 */
static USet *
without_slivers(const USet *set)
{
	USet	   *kept = uset_make(set->n);
	int			i;

	for (i = 0; i < set->n; i++)
		if (set->hi[i] - set->lo[i] >= CONTINUOUS_ATOM_MIN_WIDTH)
			uset_add(kept, set->lo[i], set->hi[i]);
	return kept;
}

static int
compare_label_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * Does category k of column cs pass the atom?  An ATOM_EXPR answers from
 * what it gave on the table's labels (prepare_expr_atoms()); a label it was
 * not tried on, or an atom that could not be tried, passes, and the check
 * of each row decides.
 */
static bool
category_passes(const ConditionAtom *atom, const ColumnSampler *cs, int k)
{
	const char *const *hit;

	if (atom->kind != ATOM_EXPR)
		return condition_atom_holds(atom, cs->category_values[k]);
	if (atom->unusable || atom->nmemo == 0)
		return true;
	hit = bsearch(&cs->cm->labels[k], atom->memo_labels, atom->nmemo, sizeof(char *),
				  compare_label_strings);
	return hit == NULL || atom->memo_pass[hit - atom->memo_labels];
}

/*
 * Try an ATOM_EXPR on each of the table's kept labels of its column, once
 * per call, in a subtransaction: an error (a cast that another conjunct
 * guards, as in "code ~ '^[0-9]+$' AND code::int > 5") leaves the atom to
 * the check of each row, which evaluates the conjuncts in order, as it did.
 * A cancel is not swallowed.
 */
static void
prepare_expr_atom(Sampler *top, ConditionAtom *atom)
{
	const ColumnSampler *cs = &top->cols[atom->attno];
	const ColumnModel *cm = cs->cm;
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	int			n,
				k;
	int		   *order;

	if (atom->kind != ATOM_EXPR || cm == NULL || cm->kind != COLUMN_CATEGORICAL ||
		cs->category_values == NULL)
		return;
	n = cm->ncategories;
	atom->memo_labels = palloc(sizeof(char *) * Max(n, 1));
	atom->memo_pass = palloc0(sizeof(bool) * Max(n, 1));
	order = palloc(sizeof(int) * Max(n, 1));
	for (k = 0; k < n; k++)
		atom->memo_labels[k] = cm->labels[k];
	qsort(atom->memo_labels, n, sizeof(char *), compare_label_strings);
	for (k = 0; k < n; k++)
	{
		const char *const *hit = bsearch(&cm->labels[k], atom->memo_labels, n, sizeof(char *),
										 compare_label_strings);

		order[k] = hit - atom->memo_labels;
	}

	if (IsInParallelMode())
	{
		/* no subtransaction here: the check of each row decides */
		atom->unusable = true;
		pfree(order);
		return;
	}
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		for (k = 0; k < n; k++)
		{
			CHECK_FOR_INTERRUPTS();
			atom->memo_pass[order[k]] = condition_atom_holds(atom, cs->category_values[k]);
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		atom->nmemo = n;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
		FreeErrorData(edata);
		atom->unusable = true;
	}
	PG_END_TRY();
	pfree(order);
}

/* is the atom a test of one column that rows are checked against (made-up strings)? */
static bool
expr_atom_checked(const ConditionAtom *atom, const ColumnModel *cm)
{
	return atom->kind == ATOM_EXPR && (atom->unusable || cm == NULL || cm->shape != NULL);
}

/* the ATOM_EXPRs of the condition and of its arms, tried on the table's labels */
static void
prepare_expr_atoms(Sampler *top, Condition *cond)
{
	int			a,
				j;

	for (a = 0; a < cond->natoms; a++)
		prepare_expr_atom(top, &cond->atoms[a]);
	for (j = 0; j < cond->narms; j++)
		for (a = 0; a < cond->arm_natoms[j]; a++)
			prepare_expr_atom(top, &cond->arm_atoms[j][a]);
}

/* the set of u where column cs's value satisfies the atom */
static USet *
value_set(const ColumnSampler *cs, const ConditionAtom *atom, MemoryContext scratch)
{
	const ColumnModel *cm = cs->cm;
	USet	   *set;
	int			k;

	if (atom->kind == ATOM_ANY)
	{
		/* the union of the branches, each the intersection of its parts */
		set = uset_make(1);
		for (k = 0; k < atom->nbranches; k++)
		{
			USet	   *branch = value_set(cs, &atom->branch[k][0], scratch);
			int			j;

			for (j = 1; j < atom->branch_len[k]; j++)
				branch = uset_intersect(branch, value_set(cs, &atom->branch[k][j], scratch));
			set = uset_union(set, branch);
		}
		return set;
	}

	if (cm->kind == COLUMN_CATEGORICAL)
	{
		set = uset_make(cm->ncategories + 1);
		if (atom->kind == ATOM_VALUES && atom->strategy != BTEqualStrategyNumber)
			return set;			/* not an atom on categories */
		for (k = 0; k < cm->ncategories; k++)
		{
			double		lo = k == 0 ? 0.0 : cm->category_cum[k - 1];
			double		hi = cm->category_cum[k];

			/* without made-up strings the last category takes the rest */
			if (k == cm->ncategories - 1 && cm->shape == NULL)
				hi = 1.0;
			if (category_passes(atom, cs, k))
				uset_add(set, lo, hi);
		}

		/*
		 * A made-up string is none of the kept values; under "<>" it may
		 * still chance on the constant (a rare value), which the check of
		 * each row then refuses.
		 */
		if ((atom->negated || atom->kind == ATOM_EXPR) && cm->shape != NULL)
			uset_add(set, cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0, 1.0);
		return set;
	}

	if (cm->kind != COLUMN_NUMERIC || cm->quantiles.npieces == 0)
		return uset_make(1);
	if (atom->strategy == BTEqualStrategyNumber)
	{
		double	   *iv = palloc(sizeof(double) * 2 * atom->nconsts);

		for (k = 0; k < atom->nconsts; k++)
			equal_interval(cs, atom, k, scratch, &iv[2 * k], &iv[2 * k + 1]);
		qsort(iv, atom->nconsts, 2 * sizeof(double), compare_interval_starts);
		set = uset_make(atom->nconsts);
		for (k = 0; k < atom->nconsts; k++)
			if (iv[2 * k] >= 0.0 && iv[2 * k + 1] >= 0.0)
				uset_add(set, iv[2 * k], iv[2 * k + 1]);
		pfree(iv);
		return atom->negated ? uset_complement(set) : set;
	}
	else
	{
		bool		prefix = atom->strategy == BTLessStrategyNumber ||
			atom->strategy == BTLessEqualStrategyNumber;
		double		t = bisect(cs, atom, (FmgrInfo *) &atom->op, prefix, scratch);

		set = uset_make(1);
		if (t >= 0.0)
		{
			if (prefix)
				uset_add(set, 0.0, t);
			else
				uset_add(set, t, 1.0);
		}
		return set;
	}
}

/* restrict uniform d to "set" (intersecting what is there) */
static void
restrict_uniform(USet **sets, int d, USet *set)
{
	sets[d] = sets[d] == NULL ? set : uset_intersect(sets[d], set);
}

/*
 * Is the atom a condition on a key's values?  A key's values do not come
 * from its uniform (they are generated fresh), so only checking each row
 * can hold such an atom.
 */
static inline bool
atom_on_key(const ConditionAtom *atom, const ColumnModel *cm)
{
	return atom->kind != ATOM_IS_NULL && atom->kind != ATOM_IS_NOT_NULL && cm != NULL && cm->is_key;
}

/*
 * The sets of uniforms of model s that the atoms allow; false if an atom
 * cannot hold under s at all.  With "only" >= 0, just that atom.
 */
static bool
atom_sets(Sampler *s, const ConditionAtom *atoms, int natoms, int only, USet **sets,
		  MemoryContext scratch)
{
	int			ncols = s->model->ncolumns;
	int			a;

	for (a = 0; a < natoms; a++)
	{
		const ConditionAtom *atom = &atoms[a];
		const ColumnSampler *cs = &s->cols[atom->attno];
		const ColumnModel *cm = cs->cm;
		int			j;
		double		f;
		USet	   *set;

		if (only >= 0 && a != only)
			continue;
		if (cm == NULL || cs->kind == COLUMN_EXCLUDED || cm->null_frac >= 1.0)
		{
			/* always NULL */
			if (atom->kind != ATOM_IS_NULL)
				return false;
			continue;
		}
		j = cs->model_index;
		f = cm->null_frac;
		if (atom->kind == ATOM_IS_NULL)
		{
			if (f <= 0.0)
				return false;
			set = uset_make(1);
			uset_add(set, 0.0, f);
			restrict_uniform(sets, ncols + j, set);
			continue;
		}
		if (f > 0.0)
		{
			set = uset_make(1);
			uset_add(set, f, 1.0);
			restrict_uniform(sets, ncols + j, set);
		}
		if (atom->kind != ATOM_IS_NOT_NULL && !atom_on_key(atom, cm))
			restrict_uniform(sets, j, value_set(cs, atom, scratch));
	}
	for (a = 0; a < natoms; a++)
	{
		const ColumnSampler *cs = &s->cols[atoms[a].attno];

		if ((only < 0 || a == only) && sampled_continuously(cs) && cs->kind != COLUMN_EXCLUDED &&
			sets[cs->model_index] != NULL)
			sets[cs->model_index] = without_slivers(sets[cs->model_index]);
	}
	for (a = 0; a < 2 * ncols; a++)
		if (sets[a] != NULL && sets[a]->n == 0)
			return false;
	return true;
}

/* collect the models rows come from, with their shares */
static void
collect_leaves(Sampler *s, double share, Sampler **leaves, double *shares, int *n)
{
	int			g;

	if (s->ngroups == 0)
	{
		leaves[*n] = s;
		shares[*n] = share;
		(*n)++;
		return;
	}
	for (g = 0; g < s->ngroups; g++)
		collect_leaves(s->groups[g],
					   share * (s->group_cum[g] - (g > 0 ? s->group_cum[g - 1] : 0.0)),
					   leaves, shares, n);
}

static int
count_leaves(const Sampler *s)
{
	int			g,
				n = 0;

	if (s->ngroups == 0)
		return 1;
	for (g = 0; g < s->ngroups; g++)
		n += count_leaves(s->groups[g]);
	return n;
}

/* the output column of model column c */
static int
output_column(const Sampler *s, int c)
{
	int			i;

	for (i = 0; i < s->natts; i++)
		if (s->cols[i].cm != NULL && s->cols[i].model_index == c)
			return i;
	return -1;
}

/* a label's index among the table's categories (sorted), or -1 */
static int
table_category_of(const LabelIndex *sorted, int n, const char *label)
{
	LabelIndex	key;
	LabelIndex *hit;

	key.label = label;
	key.index = -1;
	hit = n > 0 ? bsearch(&key, sorted, n, sizeof(LabelIndex), compare_label_index) : NULL;
	return hit != NULL ? hit->index : -1;
}

/* give each sampler of the tree the table's index of its categories of column att */
static void
map_categories(Sampler *s, int att, const LabelIndex *sorted, int n)
{
	ColumnSampler *cs = &s->cols[att];
	int			g,
				k;

	if (cs->table_category == NULL && cs->cm != NULL)
	{
		cs->table_category = palloc(sizeof(int) * Max(cs->cm->ncategories, 1));
		for (k = 0; k < cs->cm->ncategories; k++)
			cs->table_category[k] = table_category_of(sorted, n, cs->cm->labels[k]);
	}
	for (g = 0; g < s->ngroups; g++)
		map_categories(s->groups[g], att, sorted, n);
}

/*
 * Give every sampler of the tree the table's index of its categories of
 * output column att (the groups keep their own lists), once: the alignment
 * of groups and the hierarchies both read it.
 */
static void
map_table_categories(Sampler *top, int att)
{
	const ColumnModel *table = top->cols[att].cm;
	LabelIndex *sorted;

	if (top->cols[att].table_category != NULL)
		return;
	sorted = labels_by_name(table);
	map_categories(top, att, sorted, table->ncategories);
	pfree(sorted);
}

/* every sampler of the tree records the row's categories in "row" */
static void
share_row_categories(Sampler *s, int *row)
{
	int			g;

	s->row_category = row;
	for (g = 0; g < s->ngroups; g++)
		share_row_categories(s->groups[g], row);
}

/*
 * prepare_hierarchies: the output columns of the model's hierarchies, and
 * for each column they involve the table's index of every group's
 * categories.
 */
static void
prepare_hierarchies(Sampler *top)
{
	const SynthModel *model = top->model;
	int			h;

	top->nhierarchies = model->nhierarchies;
	top->hierarchy_from = palloc(sizeof(int) * model->nhierarchies);
	top->hierarchy_to = palloc(sizeof(int) * model->nhierarchies);
	{
		int		   *row = palloc(sizeof(int) * Max(top->natts, 1));

		for (h = 0; h < top->natts; h++)
			row[h] = -1;
		share_row_categories(top, row);
	}
	for (h = 0; h < model->nhierarchies; h++)
	{
		int			from = output_column(top, model->hierarchies[h].from);
		int			to = output_column(top, model->hierarchies[h].to);

		if (from < 0 || to < 0)
			elog(ERROR, "a column of a hierarchy is not in the row type");
		top->hierarchy_from[h] = from;
		top->hierarchy_to[h] = to;
		map_table_categories(top, from);
		map_table_categories(top, to);
	}
}

/*
 * Set each column a hierarchy fixes from the value drawn for the column
 * that fixes it, where that is one of the table's kept values (a made-up
 * value or NULL fixes nothing), in the hierarchies' order.
 */
static void
apply_hierarchies(Sampler *top, Datum *values, bool *nulls)
{
	int			h;

	for (h = 0; h < top->nhierarchies; h++)
	{
		const ColumnHierarchy *ch = &top->model->hierarchies[h];
		int			to = top->hierarchy_to[h];
		int			k = top->row_category[top->hierarchy_from[h]];
		int			t;

		if (k < 0 || k >= ch->nvalues)
			continue;
		t = ch->value[k];
		if (t == HIERARCHY_NONE)
			continue;
		if (t == HIERARCHY_NULL)
		{
			values[to] = (Datum) 0;
			nulls[to] = true;
			top->row_category[to] = -1;
		}
		else
		{
			values[to] = top->cols[to].category_values[t];
			nulls[to] = false;
			top->row_category[to] = t;
		}
	}
}

/*
 * align_marginals: give every group of the mixture "top" the maps that make
 * the groups together sample each column as the table's model does
 * (marginal_alignment.h).  Keys keep their own draws.  Work done once per
 * call, in the current memory context; the model itself is not changed (a
 * group's categorical model is replaced by an adjusted copy).
 */
static void
align_marginals(Sampler *top)
{
	int			nleaves = count_leaves(top);
	Sampler   **leaves = palloc(sizeof(Sampler *) * nleaves);
	double	   *shares = palloc(sizeof(double) * nleaves);
	double	   *weight = palloc(sizeof(double) * nleaves);
	QuantileFunction **mono = palloc(sizeof(QuantileFunction *) * nleaves);
	ColumnModel **copies = palloc(sizeof(ColumnModel *) * nleaves);
	int		  **index = palloc(sizeof(int *) * nleaves);
	int			ncols = top->model->ncolumns;
	int			nnumeric = 0;
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "synth alignment",
												  ALLOCSET_DEFAULT_SIZES);
	int			n = 0,
				i,
				l;

	collect_leaves(top, 1.0, leaves, shares, &n);

	/* the maps' resolution, so that all of them stay within the budget */
	for (i = 0; i < top->natts; i++)
		if (top->cols[i].cm != NULL && top->cols[i].cm->kind == COLUMN_NUMERIC)
			nnumeric++;
	top->aligned_intervals = ALIGNMENT_GRID;
	if ((int64) nnumeric * n * (ALIGNMENT_GRID + 1) > ALIGNMENT_BUDGET)
		top->aligned_intervals = Max(ALIGNMENT_GRID_MIN,
									 (int) (ALIGNMENT_BUDGET / ((int64) nnumeric * n)) - 1);

	top->category_residual = palloc0(sizeof(double *) * ncols);
	top->category_residual_n = palloc0(sizeof(int) * ncols);
	top->numeric_aligned = palloc0(sizeof(bool) * ncols);
	for (i = 0; i < top->natts; i++)
	{
		const ColumnModel *table = top->cols[i].cm;
		int			c = top->cols[i].model_index;
		double		total = 0.0;

		if (table == NULL || table->is_key ||
			(table->kind != COLUMN_NUMERIC && table->kind != COLUMN_CATEGORICAL))
			continue;
		for (l = 0; l < n; l++)
		{
			const ColumnModel *cm = leaves[l]->cols[i].cm;

			weight[l] = 0.0;
			if (cm == NULL || cm->null_frac >= 1.0)
				continue;
			if (cm->kind == COLUMN_NUMERIC && cm->quantiles.npieces == 0)
				continue;
			weight[l] = shares[l] * (1.0 - cm->null_frac);
			total += weight[l];
		}
		if (total <= 0.0)
			continue;

		if (table->kind == COLUMN_NUMERIC)
		{
			QuantileFunction *target;
			QuantileGuide *guide;
			MixtureCdf *mix;

			if (table->quantiles.npieces == 0)
				continue;
			target = palloc(sizeof(QuantileFunction));
			guide = palloc(sizeof(QuantileGuide));
			quantile_monotone(&table->quantiles, target);
			quantile_guide_build(target, guide);

			/* the groups' monotone forms and their mixture: scratch */
			MemoryContextSwitchTo(scratch);
			for (l = 0; l < n; l++)
			{
				mono[l] = NULL;
				if (weight[l] <= 0.0)
					continue;
				mono[l] = palloc(sizeof(QuantileFunction));
				quantile_monotone(&leaves[l]->cols[i].cm->quantiles, mono[l]);
			}
			mix = alignment_mixture((const QuantileFunction *const *) mono, weight, n);
			MemoryContextSwitchTo(outer);
			for (l = 0; l < n; l++)
			{
				ColumnSampler *cs = &leaves[l]->cols[i];

				if (weight[l] <= 0.0)
					continue;
				cs->aligned = alignment_numeric_grid(mix, mono[l], top->aligned_intervals);
				cs->aligned_intervals = top->aligned_intervals;
				cs->target = target;
				cs->target_guide = guide;
				if (leaves[l]->aligned_column == NULL)
					leaves[l]->aligned_column = palloc0(sizeof(double *) * ncols);
				leaves[l]->aligned_column[c] = cs->aligned;
				top->numeric_aligned[c] = true;
			}
			MemoryContextReset(scratch);
		}
		else
		{
			if (table->ncategories == 0)
				continue;		/* made-up strings only */
			for (l = 0; l < n; l++)
			{
				copies[l] = NULL;
				if (weight[l] <= 0.0)
					continue;
				copies[l] = palloc(sizeof(ColumnModel));
				*copies[l] = *leaves[l]->cols[i].cm;
			}
			map_table_categories(top, i);
			for (l = 0; l < n; l++)
				index[l] = leaves[l]->cols[i].table_category;
			alignment_categorical(table, copies, weight, n, (const int *const *) index);
			for (l = 0; l < n; l++)
				if (copies[l] != NULL)
				{
					Sampler    *leaf = leaves[l];
					CategoryBalance *cb = palloc(sizeof(CategoryBalance));
					int			nc = copies[l]->ncategories + 1;

					leaf->cols[i].cm = copies[l];
					cb->cm = copies[l];
					cb->table_category = leaf->cols[i].table_category;
					cb->table_other = table->ncategories;
					cb->count = palloc(sizeof(int) * nc);
					cb->candidates = palloc(sizeof(ValueIndex) * nc);
					if (leaf->category_balance == NULL)
						leaf->category_balance = palloc0(sizeof(CategoryBalance *) * ncols);
					leaf->category_balance[c] = cb;
				}
			top->category_residual[c] = palloc0(sizeof(double) * (table->ncategories + 1));
			top->category_residual_n[c] = table->ncategories + 1;
		}
	}
	pfree(leaves);
	pfree(shares);
	pfree(weight);
	pfree(mono);
	pfree(copies);
	pfree(index);
	MemoryContextDelete(scratch);
}

/* the text form of a Datum of type typid, for messages */
static char *
datum_text(Oid typid, Datum d)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(typid, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

/* does any value of an "=" or IN atom lie within the column's sampled range? */
static bool
equality_inside_range(const ConditionAtom *atom, const ColumnSampler *cs)
{
	Datum		low = numeric_value_at(cs, 0.0);
	Datum		high = numeric_value_at(cs, SYNTH_U_MAX);
	int			i;

	for (i = 0; i < atom->nconsts; i++)
		if (DatumGetBool(FunctionCall2Coll((FmgrInfo *) &atom->le, atom->collation, low, atom->consts[i])) &&
			DatumGetBool(FunctionCall2Coll((FmgrInfo *) &atom->ge, atom->collation, high, atom->consts[i])))
			return true;
	return false;
}

/* why atom a has no support in the top model, as an error */
static void
report_unsupported_atom(Sampler *s, const Condition *cond, int a, TupleDesc desc,
						const char *model_name)
{
	const ConditionAtom *atom = &cond->atoms[a];
	const ColumnSampler *cs = &s->cols[atom->attno];
	const ColumnModel *cm = cs->cm;
	Form_pg_attribute att = TupleDescAttr(desc, atom->attno);
	const char *col = NameStr(att->attname);

	if (cm == NULL || cs->kind == COLUMN_EXCLUDED || cm->null_frac >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
				 errdetail("Column \"%s\" is always NULL in the model.", col)));
	if (atom->kind == ATOM_IS_NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
				 errdetail("Column \"%s\" is never NULL in the model.", col)));
	if (cm->kind == COLUMN_CATEGORICAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
				 s->model->epsilon > 0.0 ?
				 errdetail("No value of column \"%s\" that the model keeps satisfies it; a differentially private model keeps only values whose noisy count stood out from the noise.",
						   col) :
				 errdetail("No value of column \"%s\" that the model keeps satisfies it; values seen in fewer than %d rows are not stored.",
						   col, s->model->min_group_size),
				 errhint("synth_model('%s') lists the values the model keeps.", model_name)));
	/*
	 * An equality inside the range: the value falls between the steps the
	 * column was recorded with, or on a continuous stretch, where no single
	 * value has a chance.  Outside it, the range is all there is to say.
	 */
	if (atom->strategy == BTEqualStrategyNumber && !atom->negated &&
		equality_inside_range(atom, cs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
				 errdetail("The model samples no value of column \"%s\" equal to it: between %s and %s its values fall on the steps the column was recorded with, or spread continuously.",
						   col, datum_text(att->atttypid, numeric_value_at(cs, 0.0)),
						   datum_text(att->atttypid, numeric_value_at(cs, SYNTH_U_MAX))),
				 errhint("Ask for a range instead, for example \"%s\" BETWEEN two values.", col)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
			 errdetail("The model's values of column \"%s\" lie between %s and %s.", col,
					   datum_text(att->atttypid, numeric_value_at(cs, 0.0)),
					   datum_text(att->atttypid, numeric_value_at(cs, SYNTH_U_MAX)))));
}

/*
 * sampler_set_condition: from now on, rows of s satisfy "cond" (parsed
 * against desc).  Draws from the sampler's generator (set it first).
 * Errors when the model gives the condition no support.
 */
void
sampler_set_condition(Sampler *s, Condition *cond, TupleDesc desc, const char *model_name)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "synth condition",
												  ALLOCSET_SMALL_SIZES);
	int			nsets = 2 * s->model->ncolumns;
	int			maxleaves = count_leaves(s);
	double	   *shares = palloc(sizeof(double) * maxleaves);
	Sampler   **leaves = palloc(sizeof(Sampler *) * maxleaves);
	double		total = 0.0;
	int			n = 0;
	int			narms;
	bool		use_arms;
	ConditionAtom **arm_atoms;
	int		   *arm_natoms;
	int			a,
				h,
				i,
				j;

	if (cond->always_false)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the condition is always false")));

	prepare_expr_atoms(s, cond);

	/* each atom must be possible on its own under the whole table's model */
	for (a = 0; a < cond->natoms; a++)
	{
		USet	  **sets = palloc0(sizeof(USet *) * Max(nsets, 1));

		if (!atom_sets(s, cond->atoms, cond->natoms, a, sets, scratch))
			report_unsupported_atom(s, cond, a, desc, model_name);
	}

	/*
	 * An OR across columns is drawn arm by arm (Karp and Luby's union
	 * sampling): each arm, with the other atoms, is one more condition
	 * with its own probability, and sample_row_conditional() keeps a row
	 * drawn from an arm with probability 1 / (the arms it satisfies), so a
	 * row that satisfies two arms is not drawn twice as often.
	 */
	use_arms = cond->narms > 0;
	for (j = 0; use_arms && j < cond->narms; j++)
		for (a = 0; a < cond->arm_natoms[j]; a++)
		{
			const ConditionAtom *atom = &cond->arm_atoms[j][a];

			/*
			 * An arm on a key is not drawn (keys are generated), nor one on a
			 * column a hierarchy fixes: a row drawn from the arm would not be
			 * sure to satisfy it once the hierarchy sets the column (a second
			 * hierarchy, a chain), and the arms it satisfies would not be
			 * those it could have been drawn from.  The OR is then only
			 * checked.
			 */
			if (atom_on_key(atom, s->cols[atom->attno].cm))
				use_arms = false;
			for (h = 0; h < s->nhierarchies; h++)
				if (s->hierarchy_to[h] == atom->attno)
					use_arms = false;
		}
	narms = use_arms ? cond->narms : 1;
	cond->arms_drawn = use_arms;
	cond->arms_checked = false;
	for (j = 0; use_arms && j < cond->narms; j++)
		for (a = 0; a < cond->arm_natoms[j]; a++)
			if (expr_atom_checked(&cond->arm_atoms[j][a], s->cols[cond->arm_atoms[j][a].attno].cm))
				cond->arms_checked = true;
	arm_atoms = palloc(sizeof(ConditionAtom *) * narms);
	arm_natoms = palloc(sizeof(int) * narms);
	for (j = 0; j < narms; j++)
	{
		int			extra = use_arms ? cond->arm_natoms[j] : 0;

		arm_natoms[j] = cond->natoms + extra;
		arm_atoms[j] = palloc(sizeof(ConditionAtom) * Max(arm_natoms[j], 1));
		if (cond->natoms > 0)
			memcpy(arm_atoms[j], cond->atoms, sizeof(ConditionAtom) * cond->natoms);
		if (extra > 0)
			memcpy(&arm_atoms[j][cond->natoms], cond->arm_atoms[j], sizeof(ConditionAtom) * extra);
	}

	/* each model of the mixture, weighed by the condition's probability */
	collect_leaves(s, 1.0, leaves, shares, &n);
	s->leaves = palloc(sizeof(Sampler *) * HIERARCHY_PIECES * narms * Max(n, 1));
	s->leaf_conditional = palloc(sizeof(ConditionalSampler *) * HIERARCHY_PIECES * narms * Max(n, 1));
	s->leaf_cum = palloc(sizeof(double) * HIERARCHY_PIECES * narms * Max(n, 1));
	s->leaf_arm = palloc(sizeof(int) * HIERARCHY_PIECES * narms * Max(n, 1));
	s->nleaves = 0;
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < narms; j++)
		{
			USet	  **sets = palloc0(sizeof(USet *) * Max(nsets, 1));
			USet	  **pieces[HIERARCHY_PIECES];
			int			npieces,
						q;

			if (shares[i] <= 0.0 ||
				!atom_sets(leaves[i], arm_atoms[j], arm_natoms[j], -1, sets, scratch))
				continue;
			npieces = hierarchy_pieces(s, leaves[i], arm_atoms[j], arm_natoms[j], sets, nsets,
									   pieces);
			for (q = 0; q < npieces; q++)
			{
				double		p = 0.0;
				ConditionalSampler *c = conditional_create(leaves[i]->dependence, pieces[q],
														   s->rng, &p);

				if (c == NULL || !(p > 0.0))
					continue;
				total += shares[i] * p;
				s->leaves[s->nleaves] = leaves[i];
				s->leaf_conditional[s->nleaves] = c;
				s->leaf_cum[s->nleaves] = total;
				s->leaf_arm[s->nleaves] = use_arms ? j : -1;
				s->nleaves++;
			}
		}
	}
	if (s->nleaves == 0 || !(total > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("synth model \"%s\" has no row that satisfies the condition", model_name),
				 use_arms ?
				 errdetail("No arm of its OR is possible together with the rest of the condition.") :
				 errdetail("Each part of the condition is possible, but no row of the model satisfies all of them together.")));
	for (i = 0; i < s->nleaves; i++)
		s->leaf_cum[i] /= total;
	MemoryContextDelete(scratch);

	s->condition = cond;
	s->keys_checked = condition_names_key(s, cond);
	s->attempt_ctx = AllocSetContextCreate(CurrentMemoryContext, "synth conditional row",
										   ALLOCSET_SMALL_SIZES);
	s->attempts = 0;
	s->accepted = 0;
}

/*
 * The columns the condition names, atoms and checked parts alike (offset
 * by FirstLowInvalidHeapAttributeNumber, as pull_varattnos() gives them).
 */
static Bitmapset *
condition_columns(const Condition *cond)
{
	Bitmapset  *attnos = NULL;
	ListCell   *lc;
	int			a,
				j;

	for (a = 0; a < cond->natoms; a++)
		attnos = bms_add_member(attnos, cond->atoms[a].attno + 1 - FirstLowInvalidHeapAttributeNumber);
	foreach(lc, cond->residual_parts)
		pull_varattnos((Node *) lfirst(lc), 1, &attnos);
	for (j = 0; j < cond->narms; j++)
		for (a = 0; a < cond->arm_natoms[j]; a++)
			attnos = bms_add_member(attnos, cond->arm_atoms[j][a].attno + 1 - FirstLowInvalidHeapAttributeNumber);
	return attnos;
}

/*
 * Does the condition name a key column?  Then each attempt needs its keys
 * before the check; otherwise only the rows that pass take key numbers, so
 * rejected attempts use none up (a text key's strings would grow, an
 * integer key's values leave the model's range).
 */
static bool
condition_names_key(const Sampler *s, const Condition *cond)
{
	Bitmapset  *attnos = condition_columns(cond);
	int			k;

	for (k = 0; k < s->nkeys; k++)
		if (bms_is_member(s->key_att[k] + 1 - FirstLowInvalidHeapAttributeNumber, attnos))
			return true;
	return false;
}

/*
 * Hierarchies under a condition.  A direct condition on the column a
 * hierarchy fixes ("to") is met through the column that fixes it ("from"),
 * by cutting the leaf (its uniforms "sets" under the atoms) into pieces
 * that together hold its rows once each, each drawn given its own sets and
 * weighed by its own probability:
 *
 *	A. "from" takes a value that fixes "to" to a value the atoms on "to" let
 *	   pass: "to" is not restricted (it is set from "from");
 *	B. "from" takes a value that fixes nothing, or a made-up one: the atoms
 *	   restrict "to" as drawn;
 *	C. "from" is NULL: the same.
 *
 * So every row pairs the two columns as the table does, in the proportions
 * of the model given the condition.  The first hierarchy the atoms name is
 * cut this way, unless another hierarchy sets its "from" (a chain); every
 * other column a hierarchy sets is drawn unrestricted and left to the check
 * of each row.  Returns the number of pieces (0: none of the leaf's rows
 * passes), the sets of each in pieces[].
 */
/* a copy of "sets" where column "from" is not NULL and takes a value in "values" */
static USet **
piece_of_values(USet **sets, int nsets, int ncols, const ColumnSampler *from, USet *values)
{
	USet	  **p = palloc(sizeof(USet *) * Max(nsets, 1));

	memcpy(p, sets, sizeof(USet *) * Max(nsets, 1));
	restrict_uniform(p, from->model_index, values);
	if (from->cm->null_frac > 0.0)
	{
		USet	   *not_null = uset_make(1);

		uset_add(not_null, from->cm->null_frac, 1.0);
		restrict_uniform(p, ncols + from->model_index, not_null);
	}
	return p;
}

/* the pieces A, B, C of hierarchy h */
static int
hierarchy_cut(Sampler *top, Sampler *leaf, const ConditionAtom *atoms, int natoms, int h,
			  USet **sets, int nsets, USet ***pieces)
{
	int			ncols = leaf->model->ncolumns;
	const ColumnHierarchy *ch = &top->model->hierarchies[h];
	const ColumnSampler *to = &top->cols[top->hierarchy_to[h]];
	const ColumnSampler *from = &leaf->cols[top->hierarchy_from[h]];
	const ColumnSampler *leaf_to = &leaf->cols[top->hierarchy_to[h]];
	const ColumnModel *fm = from->cm;
	bool	   *passes;
	bool		null_passes = true;
	USet	   *fixing,
			   *free_values;
	int			np = 0,
				a,
				t,
				i;

	/* which of the table's values of "to" (and NULL) the atoms let pass */
	passes = palloc(sizeof(bool) * Max(to->cm->ncategories, 1));
	for (t = 0; t < to->cm->ncategories; t++)
		passes[t] = true;
	for (a = 0; a < natoms; a++)
	{
		const ConditionAtom *atom = &atoms[a];

		if (atom->attno != top->hierarchy_to[h])
			continue;
		if (atom->kind == ATOM_IS_NULL)
		{
			for (t = 0; t < to->cm->ncategories; t++)
				passes[t] = false;
			continue;
		}
		null_passes = false;	/* IS NOT NULL, or a value */
		if (atom->kind != ATOM_IS_NOT_NULL)
			for (t = 0; t < to->cm->ncategories; t++)
				passes[t] = passes[t] && category_passes(atom, to, t);
	}
	/* the leaf's values of "from" that fix a passing value, and those that fix none */
	fixing = uset_make(fm->ncategories + 1);
	free_values = uset_make(fm->ncategories + 1);
	for (i = 0; i < fm->ncategories; i++)
	{
		int			tf = from->table_category[i];
		int			fixed = tf >= 0 && tf < ch->nvalues ? ch->value[tf] : HIERARCHY_NONE;
		double		lo = i == 0 ? 0.0 : fm->category_cum[i - 1];
		double		hi = fm->category_cum[i];

		if (i == fm->ncategories - 1 && fm->shape == NULL)
			hi = 1.0;
		if (fixed == HIERARCHY_NONE)
			uset_add(free_values, lo, hi);
		else if (fixed == HIERARCHY_NULL ? null_passes :
				 fixed >= 0 && fixed < to->cm->ncategories && passes[fixed])
			uset_add(fixing, lo, hi);
	}
	if (fm->ncategories == 0)
		uset_add(free_values, 0.0, 1.0);
	else if (fm->shape != NULL)
		uset_add(free_values, fm->category_cum[fm->ncategories - 1], 1.0);
	pfree(passes);

	/* A: "to" set from a passing fixed value, not restricted itself */
	if (fixing->n > 0)
	{
		USet	  **p = piece_of_values(sets, nsets, ncols, from, fixing);

		p[leaf_to->model_index] = NULL;
		p[ncols + leaf_to->model_index] = NULL;
		pieces[np++] = p;
	}
	/* B: "from" fixes nothing; the atoms hold "to" */
	if (free_values->n > 0)
		pieces[np++] = piece_of_values(sets, nsets, ncols, from, free_values);
	/* C: "from" is NULL; the atoms hold "to" */
	if (fm->null_frac > 0.0)
	{
		USet	  **p = palloc(sizeof(USet *) * Max(nsets, 1));
		USet	   *null = uset_make(1);

		memcpy(p, sets, sizeof(USet *) * Max(nsets, 1));
		uset_add(null, 0.0, fm->null_frac);
		restrict_uniform(p, ncols + from->model_index, null);
		pieces[np++] = p;
	}
	return np;
}

/* does an atom name column att? */
static bool
atoms_name(const ConditionAtom *atoms, int natoms, int att)
{
	int			a;

	for (a = 0; a < natoms; a++)
		if (atoms[a].attno == att)
			return true;
	return false;
}

/* is column att set by a hierarchy (the "to" of one)? */
static bool
hierarchy_sets(const Sampler *top, int att)
{
	int			h;

	for (h = 0; h < top->nhierarchies; h++)
		if (top->hierarchy_to[h] == att)
			return true;
	return false;
}

static int
hierarchy_pieces(Sampler *top, Sampler *leaf, const ConditionAtom *atoms, int natoms,
				 USet **sets, int nsets, USet ***pieces)
{
	int			ncols = leaf->model->ncolumns;
	int			split = -1;
	USet	  **base;
	int			h;

	/* the hierarchy to cut: the first the atoms name whose "from" no other sets */
	for (h = 0; h < top->nhierarchies && split < 0; h++)
	{
		const ColumnSampler *to = &top->cols[top->hierarchy_to[h]];
		const ColumnSampler *from = &leaf->cols[top->hierarchy_from[h]];
		const ColumnSampler *leaf_to = &leaf->cols[top->hierarchy_to[h]];

		if (from->cm == NULL || from->cm->kind != COLUMN_CATEGORICAL ||
			from->table_category == NULL || to->cm == NULL || leaf_to->cm == NULL)
			continue;
		if (atoms_name(atoms, natoms, top->hierarchy_to[h]) &&
			!hierarchy_sets(top, top->hierarchy_from[h]))
			split = h;
	}

	/*
	 * Every other column a hierarchy sets is drawn unrestricted, and only
	 * checked: a restriction of its drawn value, which the hierarchy may
	 * then replace, would only bend the other columns.
	 */
	base = palloc(sizeof(USet *) * Max(nsets, 1));
	memcpy(base, sets, sizeof(USet *) * Max(nsets, 1));
	for (h = 0; h < top->nhierarchies; h++)
	{
		const ColumnSampler *leaf_to = &leaf->cols[top->hierarchy_to[h]];

		if (h == split || leaf_to->cm == NULL ||
			!atoms_name(atoms, natoms, top->hierarchy_to[h]))
			continue;
		base[leaf_to->model_index] = NULL;
		base[ncols + leaf_to->model_index] = NULL;
	}
	if (split < 0)
	{
		pieces[0] = base;
		return 1;
	}
	return hierarchy_cut(top, leaf, atoms, natoms, split, base, nsets, pieces);
}

/* the parts of the condition checked on each row, as SQL (for the error) */
static char *
checked_parts_text(Sampler *s)
{
	const Condition *cond = s->condition;
	bool	   *checked = palloc0(sizeof(bool) * Max(cond->natoms, 1));
	int			a;

	/*
	 * Atoms on keys are checked, and so are tests of one column that could
	 * not be tried, or that made-up strings must pass, and tests of a column
	 * a hierarchy sets (only the first such hierarchy is cut into pieces,
	 * and its pieces B and C still check the column as drawn)
	 */
	for (a = 0; a < cond->natoms; a++)
	{
		const ConditionAtom *atom = &cond->atoms[a];
		const ColumnModel *cm = s->cols[atom->attno].cm;

		checked[a] = atom_on_key(atom, cm) || expr_atom_checked(atom, cm) ||
			hierarchy_sets(s, atom->attno);
	}
	return condition_checked_text(cond, checked);
}

static void
sample_row_conditional(Sampler *s, Datum *values, bool *nulls)
{
	MemoryContext old = MemoryContextSwitchTo(s->attempt_ctx);
	char	   *residual;

	for (;;)
	{
		double		u = synth_rng_uniform(s->rng);
		int			g = 0;
		Sampler    *leaf;

		MemoryContextReset(s->attempt_ctx);
		while (g < s->nleaves - 1 && u >= s->leaf_cum[g])
			g++;
		leaf = s->leaves[g];
		conditional_draw(s->leaf_conditional[g], s->rng, leaf->u);
		fill_row(leaf, leaf->u, 1, values, nulls, false);
		if (s->nhierarchies > 0)
			apply_hierarchies(s, values, nulls);
		if (s->nkeys > 0 && s->keys_checked)
			apply_keys(s, values, nulls);
		s->attempts++;
		if (s->leaf_arm[g] >= 0)
		{
			/*
			 * Union sampling: a row of k arms is drawn from each of them, so
			 * it is kept with probability 1 / k; a row outside the arm it was
			 * drawn from (an arm's set may hold more, such as made-up
			 * strings) is not kept at all.
			 */
			bool		drawn_arm_held;
			int			held = condition_arms_held(s->condition, values, nulls,
												   s->leaf_arm[g], &drawn_arm_held);

			if (!drawn_arm_held || (held > 1 && synth_rng_uniform(s->rng) * held >= 1.0))
				goto next;
			if (condition_holds_stored(s->condition))
				break;
		}
		else if (condition_holds(s->condition, values, nulls))
			break;
next:
		if (s->attempts >= REJECTION_MIN_ATTEMPTS &&
			s->accepted * REJECTION_RATIO < s->attempts)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too few sampled rows satisfy the condition"),
					 (residual = checked_parts_text(s)) != NULL ?
					 errdetail("Only " INT64_FORMAT " of " INT64_FORMAT " rows drawn satisfied it; the part checked on each row is: %s.",
							   s->accepted, s->attempts, residual) :
					 errdetail("Only " INT64_FORMAT " of " INT64_FORMAT " rows drawn satisfied it.",
							   s->accepted, s->attempts),
					 errhint("Conditions synth samples directly need no luck: any test of one categorical or boolean column alone that fails for NULL (=, <>, IN, LIKE, <, a function of it); <, <=, >, >=, BETWEEN, =, <>, IN and NOT IN on numeric, date and timestamp columns; IS [NOT] NULL; an OR of these on one column; one OR across columns whose arms are ANDs of these; joined by AND (on keys, whose values are generated, only IS [NOT] NULL).")));
		CHECK_FOR_INTERRUPTS();
	}
	if (s->nkeys > 0 && !s->keys_checked)
		apply_keys(s, values, nulls);
	s->accepted++;
	MemoryContextSwitchTo(old);
}
