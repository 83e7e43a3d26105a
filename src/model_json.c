/*-------------------------------------------------------------------------
 *
 * model_json.c
 *	  synth_model() and synth_drop(): review and remove stored models.
 *
 * The jsonb shows everything the model holds, so that a reviewer can see
 * what would leave the database with it: every number and string in the
 * binary model appears here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "model_store.h"

PG_FUNCTION_INFO_V1(synth_model);
PG_FUNCTION_INFO_V1(synth_drop);

static void
add_number(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

static void
add_key(StringInfo buf, const char *key, bool first)
{
	if (!first)
		appendStringInfoString(buf, ", ");
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
}

/* pieces with their own probability (not cumulative) */
static void
add_quantiles(StringInfo buf, const QuantileFunction *qf)
{
	int			i;
	double		prev = 0.0;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < qf->npieces; i++)
	{
		const QuantilePiece *p = &qf->pieces[i];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (p->lo == p->hi)
		{
			appendStringInfoString(buf, "{\"value\": ");
			add_number(buf, p->lo);
		}
		else
		{
			appendStringInfoString(buf, "{\"from\": ");
			add_number(buf, p->lo);
			appendStringInfoString(buf, ", \"to\": ");
			add_number(buf, p->hi);
		}
		appendStringInfoString(buf, ", \"p\": ");
		add_number(buf, p->cum - prev);
		appendStringInfoChar(buf, '}');
		prev = p->cum;
	}
	appendStringInfoChar(buf, ']');
}

static void
add_column(StringInfo buf, const ColumnModel *cm)
{
	int			i,
				j;
	static const char *const class_names[SHAPE_CLASSES] = {"upper", "lower", "digit", "space", "other"};

	appendStringInfoChar(buf, '{');
	add_key(buf, "name", true);
	escape_json(buf, cm->name);
	add_key(buf, "type", false);
	escape_json(buf, cm->type_name);
	add_key(buf, "kind", false);
	escape_json(buf, column_kind_name(cm->kind));
	add_key(buf, "null_fraction", false);
	add_number(buf, cm->null_frac);
	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			add_key(buf, "decimals", false);
			if (cm->decimals >= 0)
				appendStringInfo(buf, "%d", cm->decimals);
			else
				appendStringInfoString(buf, "null");
			if (cm->step > 0.0)
			{
				add_key(buf, "step", false);
				add_number(buf, cm->step);
				add_key(buf, "step_offset", false);
				add_number(buf, cm->step_offset);
			}
			if (cm->is_key)
			{
				/* sampled fresh: unique values in the distribution's range */
				add_key(buf, "key", false);
				appendStringInfoString(buf, "true");
			}
			add_key(buf, "distribution", false);
			add_quantiles(buf, &cm->quantiles);
			break;
		case COLUMN_CATEGORICAL:
			{
				double		prev = 0.0;

				add_key(buf, "categories", false);
				appendStringInfoChar(buf, '[');
				for (i = 0; i < cm->ncategories; i++)
				{
					if (i > 0)
						appendStringInfoString(buf, ", ");
					appendStringInfoString(buf, "{\"value\": ");
					escape_json(buf, cm->labels[i]);
					appendStringInfoString(buf, ", \"p\": ");
					add_number(buf, cm->category_cum[i] - prev);
					appendStringInfoChar(buf, '}');
					prev = cm->category_cum[i];
				}
				appendStringInfoChar(buf, ']');
				if (cm->is_key)
				{
					/* made up, each with a unique number written into it */
					add_key(buf, "key", false);
					appendStringInfoString(buf, "true");
				}
				add_key(buf, "fresh_strings_p", false);
				add_number(buf, cm->other_prob);
				if (cm->shape)
				{
					add_key(buf, "fresh_string_shape", false);
					appendStringInfoString(buf, "{\"length\": ");
					add_quantiles(buf, &cm->shape->length);
					appendStringInfoString(buf, ", \"classes_by_position\": [");
					for (i = 0; i < SHAPE_POSITIONS; i++)
					{
						double		p0 = 0.0;

						if (i > 0)
							appendStringInfoString(buf, ", ");
						appendStringInfoChar(buf, '{');
						for (j = 0; j < SHAPE_CLASSES; j++)
						{
							add_key(buf, class_names[j], j == 0);
							add_number(buf, cm->shape->class_cum[i][j] - p0);
							p0 = cm->shape->class_cum[i][j];
						}
						appendStringInfoChar(buf, '}');
					}
					appendStringInfoString(buf, "]}");
				}
				break;
			}
		case COLUMN_UUID:
		case COLUMN_EXCLUDED:
			break;
	}
	appendStringInfoChar(buf, '}');
}

static void
add_dependence(StringInfo buf, const SynthModel *model)
{
	const DependenceModel *dep = &model->dependence;
	int			i,
				j;

	appendStringInfoChar(buf, '{');
	add_key(buf, "kind", true);
	/* a grouped model's rows come from its groups' copulas ("groups") */
	escape_json(buf, dep->kind == DEPENDENCE_GAUSSIAN_COPULA ? "gaussian_copula" :
				model->group_column >= 0 ? "mixture" : "none");
	if (dep->kind == DEPENDENCE_GAUSSIAN_COPULA)
	{
		add_key(buf, "columns", false);
		appendStringInfoChar(buf, '[');
		for (i = 0; i < dep->dim; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, ", ");
			if (dep->columns[i] < model->ncolumns)
				escape_json(buf, model->columns[dep->columns[i]].name);
			else
			{
				char	   *label = psprintf("%s IS NULL",
											 model->columns[dep->columns[i] - model->ncolumns].name);

				escape_json(buf, label);
				pfree(label);
			}
		}
		appendStringInfoChar(buf, ']');
		add_key(buf, "correlation", false);
		appendStringInfoChar(buf, '[');
		for (i = 0; i < dep->dim; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, ", ");
			appendStringInfoChar(buf, '[');
			for (j = 0; j < dep->dim; j++)
			{
				if (j > 0)
					appendStringInfoString(buf, ", ");
				add_number(buf, dep->correlation[i * dep->dim + j]);
			}
			appendStringInfoChar(buf, ']');
		}
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoChar(buf, '}');
}

/* does group h (not g) have a model of the grouping column of its own that lists this? */
static bool
level_listed_elsewhere(const SynthModel *m, int g, const char *label, double atom)
{
	int			col = m->group_column;
	const ColumnModel *all = &m->columns[col];
	int			h,
				j;

	for (h = 0; h < m->ngroups; h++)
	{
		const ColumnModel *other = &m->groups[h]->columns[col];

		if (h == g)
			continue;
		if (label != NULL && other->kind == COLUMN_CATEGORICAL && other->labels != all->labels)
		{
			for (j = 0; j < other->ncategories; j++)
				if (strcmp(other->labels[j], label) == 0)
					return true;
		}
		else if (label == NULL && other->kind == COLUMN_NUMERIC &&
				 other->quantiles.pieces != all->quantiles.pieces)
		{
			for (j = 0; j < other->quantiles.npieces; j++)
				if (other->quantiles.pieces[j].lo == atom && other->quantiles.pieces[j].hi == atom)
					return true;
		}
	}
	return false;
}

/*
 * "levels": what group g holds of the grouping column, read from the
 * group's own model of it: its categories or its atoms (null for NULL), or
 * for a continuous column (grouped by quartiles or by its tails) the range
 * of its values, {"from": .., "to": ..}; "rare_levels": true when it also
 * holds values too rare to be kept.  A group whose model of the column is the table's (it
 * keeps none of its own: the pooled small levels) lists what no other
 * group lists.
 */
static void
add_group_levels(StringInfo buf, const SynthModel *m, int g)
{
	int			col = m->group_column;
	const ColumnModel *own = &m->groups[g]->columns[col];
	const ColumnModel *all = &m->columns[col];
	bool		first = true;
	bool		rare = false;
	int			i;

	add_key(buf, "levels", false);
	appendStringInfoChar(buf, '[');
	if (own->kind == COLUMN_CATEGORICAL)
	{
		bool		shared = own->labels == all->labels;

		for (i = 0; i < own->ncategories; i++)
		{
			if (shared && level_listed_elsewhere(m, g, own->labels[i], 0.0))
				continue;
			if (!first)
				appendStringInfoString(buf, ", ");
			escape_json(buf, own->labels[i]);
			first = false;
		}
		rare = own->other_prob > 0.0;
	}
	else if (own->kind == COLUMN_NUMERIC && own->quantiles.npieces > 0)
	{
		const QuantileFunction *qf = &own->quantiles;
		bool		shared = qf->pieces == all->quantiles.pieces;
		bool		atoms = true;
		double		lo = qf->pieces[0].lo,
					hi = qf->pieces[0].hi;

		for (i = 0; i < qf->npieces; i++)
		{
			atoms = atoms && qf->pieces[i].lo == qf->pieces[i].hi;
			lo = Min(lo, qf->pieces[i].lo);
			hi = Max(hi, qf->pieces[i].hi);
		}
		if (atoms)
			for (i = 0; i < qf->npieces; i++)
			{
				if (shared && level_listed_elsewhere(m, g, NULL, qf->pieces[i].lo))
					continue;
				if (!first)
					appendStringInfoString(buf, ", ");
				add_number(buf, qf->pieces[i].lo);
				first = false;
			}
		else
		{
			appendStringInfoString(buf, "{\"from\": ");
			add_number(buf, lo);
			appendStringInfoString(buf, ", \"to\": ");
			add_number(buf, hi);
			appendStringInfoChar(buf, '}');
			first = false;
		}
	}
	if (own->null_frac > 0.0 && own->null_frac < 1.0)
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		appendStringInfoString(buf, "null");
	}
	else if (own->null_frac >= 1.0 && first)
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, ']');
	if (rare)
	{
		add_key(buf, "rare_levels", false);
		appendStringInfoString(buf, "true");
	}
}

/* "grouped_by" and "groups", each group with its columns, copula and groups */
static void
add_groups(StringInfo buf, const SynthModel *m)
{
	int			g,
				i;
	double		prev = 0.0;

	if (m->group_column < 0)
		return;
	add_key(buf, "grouped_by", false);
	escape_json(buf, m->columns[m->group_column].name);
	add_key(buf, "groups", false);
	appendStringInfoChar(buf, '[');
	for (g = 0; g < m->ngroups; g++)
	{
		const SynthModel *gm = m->groups[g];

		if (g > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoChar(buf, '{');
		add_key(buf, "p", true);
		add_number(buf, m->group_cum[g] - prev);
		prev = m->group_cum[g];
		add_group_levels(buf, m, g);
		add_key(buf, "rows_used", false);
		appendStringInfo(buf, INT64_FORMAT, gm->rows_used);
		add_key(buf, "columns", false);
		appendStringInfoChar(buf, '[');
		for (i = 0; i < gm->ncolumns; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, ", ");
			add_column(buf, &gm->columns[i]);
		}
		appendStringInfoChar(buf, ']');
		add_key(buf, "dependence", false);
		add_dependence(buf, gm);
		add_groups(buf, gm);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
}

/*
 * "hierarchies" (if any): for each column fixed by another, the two columns
 * and the value (or null) each kept value of the fixing column fixes.
 */
static void
add_hierarchies(StringInfo buf, const SynthModel *m)
{
	int			h,
				k;

	if (m->nhierarchies == 0)
		return;
	add_key(buf, "hierarchies", false);
	appendStringInfoChar(buf, '[');
	for (h = 0; h < m->nhierarchies; h++)
	{
		const ColumnHierarchy *ch = &m->hierarchies[h];
		const ColumnModel *from = &m->columns[ch->from];
		const ColumnModel *to = &m->columns[ch->to];
		bool		first = true;

		if (h > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoChar(buf, '{');
		add_key(buf, "from", true);
		escape_json(buf, from->name);
		add_key(buf, "to", false);
		escape_json(buf, to->name);
		add_key(buf, "values", false);
		appendStringInfoChar(buf, '{');
		for (k = 0; k < ch->nvalues; k++)
		{
			if (ch->value[k] == HIERARCHY_NONE)
				continue;
			add_key(buf, from->labels[k], first);
			first = false;
			if (ch->value[k] == HIERARCHY_NULL)
				appendStringInfoString(buf, "null");
			else
				escape_json(buf, to->labels[ch->value[k]]);
		}
		appendStringInfoString(buf, "}}");
	}
	appendStringInfoChar(buf, ']');
}

/* synth_model(model text) returns jsonb */
Datum
synth_model(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	StoredModel *sm = model_load(name);
	const SynthModel *m = sm->model;
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	add_key(&buf, "name", true);
	escape_json(&buf, sm->name);
	add_key(&buf, "source", false);
	escape_json(&buf, sm->source);
	add_key(&buf, "fitted_at", false);
	escape_json(&buf, timestamptz_to_str(sm->fitted_at));
	add_key(&buf, "format_version", false);
	appendStringInfo(&buf, "%d", sm->format_version);
	add_key(&buf, "rows_read", false);
	appendStringInfo(&buf, INT64_FORMAT, m->rows_read);
	add_key(&buf, "rows_used", false);
	appendStringInfo(&buf, INT64_FORMAT, m->rows_used);
	add_key(&buf, "min_group_size", false);
	appendStringInfo(&buf, "%d", m->min_group_size);
	add_key(&buf, "differential_privacy", false);
	if (m->epsilon > 0.0)
		appendStringInfo(&buf, "{\"epsilon\": %.17g, \"delta\": %.17g, "
						 "\"budget\": {\"row_count\": %.17g, \"columns\": %.17g, \"dependence\": %.17g}}",
						 m->epsilon, m->delta, m->budget_rows, m->budget_columns,
						 m->budget_dependence);
	else
		appendStringInfoString(&buf, "null");
	add_key(&buf, "columns", false);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < m->ncolumns; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		add_column(&buf, &m->columns[i]);
	}
	appendStringInfoChar(&buf, ']');
	add_key(&buf, "dependence", false);
	add_dependence(&buf, m);
	add_hierarchies(&buf, m);
	add_groups(&buf, m);
	appendStringInfoChar(&buf, '}');

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* synth_drop(model text, if_exists boolean) returns boolean */
Datum
synth_drop(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		if_exists = PG_GETARG_BOOL(1);

	if (model_delete(name))
		PG_RETURN_BOOL(true);
	if (!if_exists)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("synth model \"%s\" does not exist", name),
				 errhint("Pass if_exists => true to skip a model that may not exist.")));
	ereport(NOTICE,
			(errmsg("synth model \"%s\" does not exist, skipping", name)));
	PG_RETURN_BOOL(false);
}
