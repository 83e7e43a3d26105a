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

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "column_model.h"
#include "column_types.h"
#include "dependence.h"
#include "numerics.h"
#include "sampler.h"
#include "string_shape.h"

/* how one output column is produced */
typedef struct ColumnSampler
{
	const ColumnModel *cm;		/* NULL: the column is always NULL */
	int			model_index;
	int			missing_index;	/* where its missingness uniform is */
	ColumnKind	kind;
	NumericRepr repr;
	QuantileGuide guide;		/* for the numeric quantile function */
	double		scale;			/* decimals_scale() of the column */
	int32		typmod;
	Datum	   *category_values;	/* Datums of the output type */
	bool		fresh_is_text;	/* fresh strings are plain text */
	FmgrInfo	input;			/* otherwise made with the type's input */
	Oid			ioparam;
	int			fresh_maxlen;
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
};

/*
 * sampler_prepare: match the output row type "desc" to the model and make
 * everything the per-row loop needs.  Errors name the first column that
 * does not match.
 */
Sampler *
sampler_prepare(const SynthModel *model, TupleDesc desc, const char *model_name)
{
	Sampler    *s = palloc0(sizeof(Sampler));
	bool	   *used = palloc0(sizeof(bool) * model->ncolumns);
	int			i,
				j;

	s->natts = desc->natts;
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
				cs->category_values[j] = InputFunctionCall(&cs->input, cm->labels[j],
														   cs->ioparam, cs->typmod);
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
			s->groups[j] = sampler_prepare(model->groups[j], desc, model_name);
	}
	return s;
}

static Datum
fresh_string(Sampler *s, ColumnSampler *cs, double u)
{
	int			len = string_shape_generate(cs->cm->shape, s->rng, u, s->strbuf, cs->fresh_maxlen);

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

/* the sampler and all its groups' draw from rng */
void
sampler_set_rng(Sampler *s, SynthRng *rng)
{
	int			g;

	s->rng = rng;
	for (g = 0; g < s->ngroups; g++)
		sampler_set_rng(s->groups[g], rng);
}

/* one synthetic row; pass-by-reference values go to the current context */
void
sample_row(Sampler *s, Datum *values, bool *nulls)
{
	int			i;

	while (s->ngroups > 0)
	{
		double		u = synth_rng_uniform(s->rng);
		int			g = 0;

		while (g < s->ngroups - 1 && u >= s->group_cum[g])
			g++;
		s = s->groups[g];
	}
	dependence_draw(s->dependence, s->rng, s->u);
	for (i = 0; i < s->natts; i++)
	{
		ColumnSampler *cs = &s->cols[i];
		const ColumnModel *cm = cs->cm;
		double		u;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (cm == NULL || cs->kind == COLUMN_EXCLUDED)
			continue;
		if (cm->null_frac > 0.0 &&
			(cm->null_frac >= 1.0 || s->u[cs->missing_index] < cm->null_frac))
			continue;
		u = s->u[cs->model_index];
		nulls[i] = false;

		switch (cs->kind)
		{
			case COLUMN_NUMERIC:
				{
					double		v = quantile_sample_guided(&cm->quantiles, &cs->guide, u);

					if (cm->step > 0.0)
						v = cm->step_offset + rint((v - cm->step_offset) / cm->step) * cm->step;
					values[i] = numeric_datum(cs->repr, v, cm->decimals, cs->scale, cs->typmod);
				}
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
						values[i] = cs->category_values[k];
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
