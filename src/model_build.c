/*-------------------------------------------------------------------------
 *
 * model_build.c
 *	  Learn a model from the fitting sample: each column's model, then the
 *	  dependence between columns (groups, copulas, the order of categories).
 *
 * A model with groups is a tree: every model of it has its own column
 * models, learnt from its rows like a table's; a model that splits (the
 * table, or a group within it) hands its rows to its groups, and only the
 * leaves fit a copula, from their share of the dependence budget (fit.h).
 * grouping.c chooses where to split; this file builds the tree.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "category_order.h"
#include "column_model.h"
#include "dependence.h"
#include "fit.h"
#include "grouping.h"
#include "hierarchy.h"
#include "model_build.h"
#include "numerics.h"
#include "table_sample.h"

/*
 * Does the model of a column keep nothing of its values but their shape,
 * every value being rare (an identifier, a name, a title)?  A group's own
 * model of such a column would be the same but for the shape, learnt from
 * fewer rows: a group takes it from its parent (build_model's "parent").
 */
static bool
only_made_up_strings(const ColumnModel *cm)
{
	return cm->kind == COLUMN_CATEGORICAL && cm->ncategories == 0 && cm->shape != NULL &&
		cm->null_frac < 1.0;
}

/*
 * learn each column's model from the sample; with "keep_order", a numeric
 * column's rows in order of value are left in the sample (SampleColumn's
 * order) for the groups to split.  A group's model ("parent" is the model
 * it is a group of) takes its parent's model of a column of made-up
 * strings, with its own NULL share.
 */
SynthModel *
build_model(FitColumn *cols, int ncols, TableSample *sample, int64 rows_read,
			int min_group_size, bool keep_order, const SynthModel *parent)
{
	SynthModel *model = palloc0(sizeof(SynthModel));
	int			n = sample->nrows;
	int			i,
				r;

	model->ncolumns = ncols;
	model->columns = palloc0(sizeof(ColumnModel) * ncols);
	model->min_group_size = min_group_size;
	model->rows_read = rows_read;
	model->rows_used = n;

	for (i = 0; i < ncols; i++)
	{
		FitColumn  *fc = &cols[i];
		ColumnModel *cm = &model->columns[i];
		SampleColumn *sc = &sample->columns[i];
		int			nvalues = 0;

		CHECK_FOR_INTERRUPTS();
		if (!column_model_begin(cm, fc))
			continue;
		for (r = 0; r < n; r++)
			if (!sc->isnull[r])
				nvalues++;

		if (parent != NULL && only_made_up_strings(&parent->columns[i]) && nvalues > 0)
		{
			*cm = parent->columns[i];
			cm->null_frac = (double) (n - nvalues) / n;
			continue;
		}

		switch (fc->type.kind)
		{
			case COLUMN_NUMERIC:
				{
					double	   *values = palloc_extended(sizeof(double) * Max(nvalues, 1), MCXT_ALLOC_HUGE);
					int			k = 0;

					/*
					 * In order of value (the column model sorts them, and
					 * only checks an ordered array); a group's rows come in
					 * order already.
					 */
					if (sc->order == NULL)
					{
						int		   *order = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE);

						sort_rows_by_value(sc->numbers, sc->isnull, n, order);
						for (k = 0; k < nvalues; k++)
							values[k] = sc->numbers[order[k]];
						if (keep_order)
							sc->order = order;
						else
							pfree(order);
					}
					else
						for (k = 0; k < nvalues; k++)
							values[k] = sc->numbers[sc->order[k]];
					/* a model's piece must have a width a double can hold */
					if (nvalues > 1 && !isfinite(values[nvalues - 1] - values[0]))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("values of column \"%s\" lie too far apart to model", fc->name),
								 errdetail("They run from %g to %g, a span beyond the range of double precision.",
										   values[0], values[nvalues - 1]),
								 errhint("Exclude the column, or fit a view that rescales it.")));
					column_fit_numeric(cm, values, nvalues, n, fc->max_decimals, min_group_size);
					/*
					 * NaN and infinities are not modelled (read as NULL); in
					 * a NOT NULL column the finite values take their share,
					 * so that no NULL is sampled into it
					 */
					if (fc->not_null && cm->quantiles.npieces > 0)
						cm->null_frac = 0.0;
					cm->is_key = fc->is_key;
					pfree(values);
					break;
				}
			case COLUMN_CATEGORICAL:
				{
					/*
					 * A text key's values are made up, never drawn: none is
					 * kept (each is seen once), not even with min_group_size
					 * 1, and their shape is learnt from all of them.
					 */
					int			mgs = fc->is_key ? Max(min_group_size, 2) : min_group_size;

					if (sc->ids != NULL)
						column_fit_categorical_ids(cm, sc, n, fc->type.fresh_strings, mgs);
					else
					{
						char	  **values = palloc_extended(sizeof(char *) * Max(nvalues, 1),
															 MCXT_ALLOC_HUGE);
						int			k = 0;

						for (r = 0; r < n; r++)
							if (!sc->isnull[r])
								values[k++] = sc->strings[r];
						column_fit_categorical(cm, values, nvalues, n, fc->type.fresh_strings,
											   mgs);
						pfree(values);
					}
				}
				cm->is_key = fc->is_key;
				break;
			case COLUMN_UUID:
				cm->kind = COLUMN_UUID;
				cm->null_frac = n > 0 ? (double) (n - nvalues) / n : 0.0;
				break;
			case COLUMN_EXCLUDED:
				break;
		}
	}

	model->group_column = -1;
	return model;
}

/* is every value of a sample column NULL? */
static bool
all_null(const SampleColumn *sc, int n)
{
	int			r;

	for (r = 0; r < n; r++)
		if (!sc->isnull[r])
			return false;
	return true;
}

/* a group's column blends in at most this many of the table's values */
#define BLEND_MAX_VALUES 256

/*
 * blend_pooled_with_table: a group's model of a categorical column pools
 * the values seen in fewer than min_group_size of the group's rows, and
 * would sample that share as made-up strings.  Part of it is values the
 * whole table's model keeps (a director with many films, few of them in
 * this group): that part is given to those values instead, so the group
 * samples real names the table may show, in proportion to "weight" (see
 * table_shortfall()).
 *
 * What is learnt from the group is one share: how much of the pool those
 * values hold.  Like the pooled share itself, it may be stored only when
 * it is spread over at least min_group_size distinct values (else it would
 * be one value's small count); when the rest of the pool (values rare in
 * the whole table) is held by fewer distinct values, the whole pool goes
 * to the table's values instead.  At most BLEND_MAX_VALUES of the table's
 * values, those of most weight, are added, to keep a model of many groups
 * small; the share of the others stays made-up strings.  Values of no
 * weight are not added.
 */
static void
blend_pooled_with_table(ColumnModel *own, const ColumnModel *all, const double *weight,
						const SampleColumn *sc, int n, int min_group_size)
{
	int		   *own_codes;
	int		   *all_codes;
	char	  **own_sorted;
	char	  **rare_values;
	bool	   *extra;
	bool	   *seen;
	ValueIndex *chosen;
	int			nextra = 0,
				in_table = 0,
				in_table_distinct = 0,
				rare = 0,
				rare_distinct,
				k,
				r;
	double		extra_mass = 0.0,
				chosen_mass = 0.0,
				pooled = own->other_prob,
				to_table,
				acc;
	char	  **labels;
	double	   *cum;

	if (own->kind != COLUMN_CATEGORICAL || all->kind != COLUMN_CATEGORICAL ||
		pooled <= 0.0 || all->ncategories == 0)
		return;

	/* the table's values that the group does not keep */
	own_sorted = palloc(sizeof(char *) * Max(own->ncategories, 1));
	if (own->ncategories > 0)
		memcpy(own_sorted, own->labels, sizeof(char *) * own->ncategories);
	qsort(own_sorted, own->ncategories, sizeof(char *), compare_cstring);
	extra = palloc0(sizeof(bool) * all->ncategories);
	for (k = 0; k < all->ncategories; k++)
	{
		if (weight[k] <= 0.0 ||
			(own->ncategories > 0 &&
			 bsearch(&all->labels[k], own_sorted, own->ncategories, sizeof(char *),
					 compare_cstring) != NULL))
			continue;
		extra[k] = true;
		nextra++;
		extra_mass += weight[k];
	}
	pfree(own_sorted);

	/* the group's pooled rows: a value the table keeps, or one rare there too */
	own_codes = palloc(sizeof(int) * Max(n, 1));
	all_codes = palloc(sizeof(int) * Max(n, 1));
	rare_values = palloc(sizeof(char *) * Max(n, 1));
	seen = palloc0(sizeof(bool) * all->ncategories);
	category_codes(own, sc, n, own_codes);
	category_codes(all, sc, n, all_codes);
	for (r = 0; r < n; r++)
	{
		if (own_codes[r] == CODE_NULL || own_codes[r] >= 0)
			continue;
		if (all_codes[r] >= 0)
		{
			in_table++;
			in_table_distinct += !seen[all_codes[r]];
			seen[all_codes[r]] = true;
		}
		else
			rare_values[rare++] = sc->strings[r];
	}
	rare_distinct = distinct_string_count(rare_values, rare);
	pfree(own_codes);
	pfree(all_codes);
	pfree(rare_values);
	pfree(seen);
	if (nextra == 0 || extra_mass <= 0.0 || in_table == 0 ||
		in_table_distinct < min_group_size)
	{
		pfree(extra);
		return;
	}
	if (rare_distinct >= min_group_size)
		to_table = pooled * in_table / (in_table + rare);
	else
		to_table = pooled;

	/* those of most weight, at most BLEND_MAX_VALUES */
	chosen = palloc(sizeof(ValueIndex) * nextra);
	for (k = 0, r = 0; k < all->ncategories; k++)
		if (extra[k])
		{
			chosen[r].value = -weight[k];
			chosen[r].index = k;
			r++;
		}
	sort_value_indexes(chosen, nextra);
	nextra = Min(nextra, BLEND_MAX_VALUES);
	for (r = 0; r < nextra; r++)
		chosen_mass -= chosen[r].value;

	labels = palloc(sizeof(char *) * (own->ncategories + nextra));
	cum = palloc(sizeof(double) * (own->ncategories + nextra));
	acc = 0.0;
	for (k = 0; k < own->ncategories; k++)
	{
		labels[k] = own->labels[k];
		cum[k] = own->category_cum[k];
		acc = cum[k];
	}
	for (r = 0; r < nextra; r++)
	{
		acc += to_table * -chosen[r].value / extra_mass;
		labels[own->ncategories + r] = all->labels[chosen[r].index];
		cum[own->ncategories + r] = Min(acc, 1.0);
	}
	k = own->ncategories + nextra;
	own->ncategories = k;
	own->labels = labels;
	own->category_cum = cum;
	/* the pool's rest: made-up strings, as before */
	own->other_prob = pooled - to_table * chosen_mass / extra_mass;
	if (own->other_prob <= 1e-12)
	{
		own->other_prob = 0.0;
		own->category_cum[k - 1] = 1.0;
	}
	else
		own->category_cum[k - 1] = 1.0 - own->other_prob;
	pfree(chosen);
	pfree(extra);
}

/*
 * A group's numbers stay inside the range the whole table's model gives the
 * column: a small group's extrapolated tails must not reach past it.
 */
static void
clamp_to_table_range(SynthModel *group, const SynthModel *table)
{
	int			c,
				i;

	for (c = 0; c < table->ncolumns; c++)
	{
		const QuantileFunction *all = &table->columns[c].quantiles;
		QuantileFunction *own = &group->columns[c].quantiles;
		double		lo,
					hi;

		if (table->columns[c].kind != COLUMN_NUMERIC || all->npieces == 0 ||
			group->columns[c].kind != COLUMN_NUMERIC)
			continue;
		lo = all->pieces[0].lo;
		hi = all->pieces[0].hi;
		for (i = 1; i < all->npieces; i++)
		{
			lo = Min(lo, all->pieces[i].lo);
			hi = Max(hi, all->pieces[i].hi);
		}
		for (i = 0; i < own->npieces; i++)
		{
			own->pieces[i].lo = Max(lo, Min(hi, own->pieces[i].lo));
			own->pieces[i].hi = Max(lo, Min(hi, own->pieces[i].hi));
		}
	}
}

/*
 * The rows the dependence is learnt from: the copula's correlations, the
 * order of categories and the choice of a grouping column.  Up to "want"
 * rows that is the whole sample; beyond, a uniform random subset of that
 * many rows (selection sampling, Knuth's algorithm S, with a fixed seed: a
 * fit stays repeatable).  The column models are still learnt from every row
 * of the sample; see DEPENDENCE_SAMPLE_ROWS for the budgets.  With
 * "with_order", the subset keeps the sample's order of values (for
 * grouping; a copula does not use it).
 */
static TableSample *
dependence_sample(const TableSample *sample, int want, bool with_order)
{
	int			n = sample->nrows;
	int		   *chosen;
	SynthRng   *rng;
	TableSample *sub;
	int			r;

	if (n <= want)
		return (TableSample *) sample;
	chosen = palloc(sizeof(int) * n);
	rng = synth_rng_create(DEPENDENCE_SAMPLE_SEED);
	for (r = 0; r < n; r++)
	{
		/* take row r with probability (still wanted) / (rows left) */
		bool		take = (n - r) * synth_rng_uniform(rng) < want;

		chosen[r] = take ? 0 : -1;
		want -= take;
	}
	synth_rng_free(rng);
	sub = sample_split(sample, chosen, 1, with_order)[0];
	pfree(chosen);
	return sub;
}

/*
 * The tails of the column the caller named (synth_fit's "tails") could not
 * be split off: say why.  "dep" is the sample the split is chosen on;
 * "tail_min_rows" the fewest rows a tail needs.
 */
static void
report_tails_refused(const SynthModel *model, const FitColumn *cols, int ncols,
					 int tail_column, const TableSample *dep, int tail_min_rows)
{
	const char *name = cols[tail_column].name;
	int			nvalues = sample_column_values(&dep->columns[tail_column], dep->nrows);
	int			per_tail = (int) (GROUP_TAIL_SHARE * nvalues);

	if (ncols < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("The table has no other column for its tails to tell about.")));
	if (!grouping_has_tails(&model->columns[tail_column]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("It has no continuous range of values to cut: too few distinct values, a key, or no values kept."),
				 errhint("Condition on its values directly, or name another column.")));
	if (per_tail < tail_min_rows)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot split off the tails of column \"%s\"", name),
				 errdetail("A tail is 5%% of the column's values, %d of its %d values among the %d rows the dependence is learnt from, and needs at least %d rows (100, 6 per column, and min_group_size).",
						   per_tail, nvalues, dep->nrows, tail_min_rows),
				 errhint("Fit a larger table, or lower min_group_size if it sets the minimum.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot split off the tails of column \"%s\"", name),
			 errdetail("Values tied at its 5%% and 95%% cuts leave both tails with fewer than %d rows.",
					   tail_min_rows),
			 errhint("Condition on its values directly, or name another column.")));
}

/*
 * table_shortfall: for each value column c of "model" keeps, its share of
 * the rows less the share the groups' own models give it (each group
 * weighted by its share of the rows), or 0 where the groups give it as much
 * or more: what the groups' pooled shares should make up for the mixture
 * to sample the column as the table does.  A director whose films are few
 * in every group is kept by no group, and gets his whole share; one that a
 * group keeps with all his films gets none, where the table's proportions
 * would add him again to the other groups' pools.  Only shares the models
 * store are used.  Into weight[], one per category of model's column c.
 */
#define SHORTFALL_EPSILON 1e-9

static void
table_shortfall(const SynthModel *model, int c, TableSample **subs, int ngroups, int nrows,
				double *weight)
{
	const ColumnModel *all = &model->columns[c];
	int			k,
				g,
				i;

	for (k = 0; k < all->ncategories; k++)
		weight[k] = (1.0 - all->null_frac) *
			(all->category_cum[k] - (k > 0 ? all->category_cum[k - 1] : 0.0));
	for (g = 0; g < ngroups; g++)
	{
		const ColumnModel *own = &model->groups[g]->columns[c];
		double		share = (double) subs[g]->nrows / Max(nrows, 1);
		char	  **sorted;
		int		   *index;

		if (own->kind != COLUMN_CATEGORICAL || own->ncategories == 0)
			continue;
		/* the group's labels in byte order, to find the table's among them */
		sorted = palloc(sizeof(char *) * own->ncategories);
		index = palloc(sizeof(int) * own->ncategories);
		memcpy(sorted, own->labels, sizeof(char *) * own->ncategories);
		qsort(sorted, own->ncategories, sizeof(char *), compare_cstring);
		for (i = 0; i < own->ncategories; i++)
		{
			char	  **hit = bsearch(&own->labels[i], sorted, own->ncategories,
									  sizeof(char *), compare_cstring);

			index[hit - sorted] = i;
		}
		for (k = 0; k < all->ncategories; k++)
		{
			char	  **hit = bsearch(&all->labels[k], sorted, own->ncategories,
									  sizeof(char *), compare_cstring);

			if (hit != NULL)
			{
				i = index[hit - sorted];
				weight[k] -= share * (1.0 - own->null_frac) *
					(own->category_cum[i] - (i > 0 ? own->category_cum[i - 1] : 0.0));
			}
		}
		pfree(sorted);
		pfree(index);
	}
	/* what rounding leaves of a share the groups give in full is none */
	for (k = 0; k < all->ncategories; k++)
		if (weight[k] < SHORTFALL_EPSILON)
			weight[k] = 0.0;
}

/*
 * Split the model into per-group models when a grouping column helps (see
 * grouping.c); each group is learnt from its own rows like a table, and may
 * split again, down to GROUP_DEPTH_MAX levels.  The whole table may split first by
 * the tails of a continuous column; the tails then stay whole, and the
 * middle may split again, by a discrete column or (as the whole table may)
 * by the quartiles of a continuous one ("numeric_ok").  "table" is the
 * whole table's model; "dep" is the part of "sample" that the grouping
 * column and the order of categories are chosen on (see
 * dependence_sample(); it may be "sample" itself).
 */
static void
build_groups(SynthModel *model, const SynthModel *parent, const SynthModel *table,
			 FitColumn *cols, int ncols, TableSample *sample, TableSample *dep,
			 int min_group_size, int depth, bool numeric_ok, int tail_column,
			 DependenceTimings *timings)
{
	int		   *row_group;
	int		   *dep_group;
	TableSample **subs;
	TableSample **dep_subs;
	int			ngroups;
	int			column;
	GroupSplit	split;
	int			middle;
	int			min_rows;
	int			tail_min_rows;
	int			g,
				c;
	bool	   *shared;
	double		acc = 0.0;
	instr_time	start;

	if (depth >= synth_group_depth)
		return;
	row_group = palloc(sizeof(int) * Max(sample->nrows, 1));
	dep_group = dep == sample ? row_group : palloc(sizeof(int) * Max(dep->nrows, 1));
	/* a group learns every column and pair from its rows: so many at least */
	min_rows = Max(depth == 0 ? GROUP_MIN_ROWS : GROUP_MIN_ROWS_NESTED,
				   GROUP_ROWS_PER_COLUMN * ncols);
	/* a tail as many as a group within a group, and enough to keep values */
	tail_min_rows = depth == 0 && (synth_tail_groups || tail_column >= 0) ?
		Max(Max(GROUP_MIN_ROWS_NESTED, GROUP_ROWS_PER_COLUMN * ncols), min_group_size) : 0;
	INSTR_TIME_SET_CURRENT(start);
	column = grouping_choose(model, dep, sample, min_rows, tail_min_rows, tail_column,
							 numeric_ok, dep_group, row_group, &ngroups, &split);
	timings->grouping += ms_since(start);
	if (tail_column >= 0 && (column != tail_column || split != GROUP_SPLIT_TAILS))
		report_tails_refused(model, cols, ncols, tail_column, dep, tail_min_rows);
	if (column < 0)
	{
		if (dep_group != row_group)
			pfree(dep_group);
		pfree(row_group);
		return;
	}
	INSTR_TIME_SET_CURRENT(start);
	subs = sample_split(sample, row_group, ngroups, true);
	dep_subs = dep == sample ? subs : sample_split(dep, dep_group, ngroups, true);
	timings->splits += ms_since(start);
	/* of a tail split, only the middle (the largest group) splits again */
	middle = 0;
	if (split == GROUP_SPLIT_TAILS)
		for (g = 1; g < ngroups; g++)
			if (subs[g]->nrows > subs[middle]->nrows)
				middle = g;
	model->group_column = column;
	model->ngroups = ngroups;
	model->group_cum = palloc(sizeof(double) * ngroups);
	model->groups = palloc(sizeof(SynthModel *) * ngroups);
	for (g = 0; g < ngroups; g++)
	{
		TableSample *sub = subs[g];
		SynthModel *gm;

		INSTR_TIME_SET_CURRENT(start);
		gm = build_model(cols, ncols, sub, model->rows_read, min_group_size, true, model);

		/*
		 * In a group, fewer rows share each value, so more values fall under
		 * min_group_size.  Where the group's own model keeps nothing of a
		 * column that has values in the group, the group uses the model it
		 * is a group of (the table's, or a group's for a group within a
		 * group) for the column, with the group's own NULL share; otherwise
		 * a categorical column's pooled share goes partly to the values that
		 * model keeps (blend_pooled_with_table).  The group's own shares of
		 * the values it keeps stay: a column the grouping column drives (a
		 * car's drive train by its class) would lose them to the table's.
		 */
		for (c = 0; c < ncols; c++)
		{
			ColumnModel *own = &gm->columns[c];
			const ColumnModel *all = &model->columns[c];

			if (all->null_frac < 1.0 && own->null_frac >= 1.0 &&
				(cols[c].not_null || !all_null(&sub->columns[c], sub->nrows)))
			{
				int			nvalues = sample_column_values(&sub->columns[c], sub->nrows);

				*own = *all;
				own->null_frac = (double) (sub->nrows - nvalues) / sub->nrows;
			}
			/*
			 * a NOT NULL column's NaN and infinities (read as NULL) are not
			 * sampled as NULL in a group either
			 */
			if (cols[c].not_null && all->null_frac < 1.0)
				own->null_frac = 0.0;
		}
		clamp_to_table_range(gm, table);
		model->groups[g] = gm;
		timings->group_columns += ms_since(start);
	}
	INSTR_TIME_SET_CURRENT(start);
	for (c = 0; c < ncols; c++)
	{
		const ColumnModel *all = &model->columns[c];
		double	   *weight;

		if (all->kind != COLUMN_CATEGORICAL || all->ncategories == 0 || all->null_frac >= 1.0)
			continue;
		weight = palloc(sizeof(double) * all->ncategories);
		table_shortfall(model, c, subs, ngroups, sample->nrows, weight);
		for (g = 0; g < ngroups; g++)
		{
			ColumnModel *own = &model->groups[g]->columns[c];

			if (own->labels != all->labels && own->null_frac < 1.0)
				blend_pooled_with_table(own, all, weight, &subs[g]->columns[c],
										subs[g]->nrows, min_group_size);
		}
		pfree(weight);
	}
	timings->group_columns += ms_since(start);

	/*
	 * Only a leaf's categories need the copula's order (category_order.c),
	 * and the columns a group takes whole from this model: those are
	 * ordered here, on this model's rows, unless this model took them from
	 * its own parent (which ordered them).  (So the choice of this model's
	 * grouping column, above, saw its categories in order of frequency:
	 * the order of its groups follows it, and beyond MAX_CODES a column's
	 * rarest categories share a code.)
	 */
	shared = palloc0(sizeof(bool) * ncols);
	for (g = 0; g < ngroups; g++)
	{

		for (c = 0; c < ncols; c++)
			if (model->columns[c].kind == COLUMN_CATEGORICAL &&
				model->groups[g]->columns[c].labels == model->columns[c].labels &&
				!(parent != NULL && parent->columns[c].labels == model->columns[c].labels))
				shared[c] = true;
	}
	INSTR_TIME_SET_CURRENT(start);
	category_order(model, dep, NULL, shared);
	timings->orders += ms_since(start);
	pfree(shared);

	for (g = 0; g < ngroups; g++)
	{
		TableSample *sub = subs[g];
		TableSample *dep_sub = dep_subs[g];
		SynthModel *gm = model->groups[g];

		if (split != GROUP_SPLIT_TAILS || g == middle)
			build_groups(gm, model, table, cols, ncols, sub, dep_sub, min_group_size, depth + 1,
						 split == GROUP_SPLIT_TAILS, -1, timings);
		/*
		 * a leaf: its order of categories, and its copula from its share of
		 * the budget (fit.h)
		 */
		if (gm->group_column < 0)
		{
			double		share = (double) sub->nrows / Max(table->rows_used, 1);
			TableSample *copula_rows;

			INSTR_TIME_SET_CURRENT(start);
			category_order(gm, dep_sub, model, NULL);
			timings->orders += ms_since(start);
			INSTR_TIME_SET_CURRENT(start);
			copula_rows = dependence_sample(sub, Max(DEPENDENCE_GROUP_MIN_ROWS,
													 (int) ceil(share * DEPENDENCE_SAMPLE_ROWS)),
											false);
			timings->splits += ms_since(start);
			INSTR_TIME_SET_CURRENT(start);
			dependence_fit(gm, copula_rows);
			timings->copulas += ms_since(start);
		}
		acc += sub->nrows;
		model->group_cum[g] = Min(acc / sample->nrows, 1.0);
	}
	model->group_cum[ngroups - 1] = 1.0;
	if (dep_group != row_group)
		pfree(dep_group);
	pfree(row_group);
}

/*
 * build_dependence: the dependence of a model whose column models were
 * learnt from "sample" by build_model() (with keep_order, if it may have
 * groups): the groups (build_groups), and a copula for the model itself if
 * it has none.  "tail_column", if >= 0, is the column whose tails the
 * caller named (synth_fit's "tails").  *timings says where the time went.
 */
void
build_dependence(SynthModel *model, FitColumn *cols, int ncols, TableSample *sample,
				 int min_group_size, int tail_column, DependenceTimings *timings)
{
	TableSample *dep;
	instr_time	start;

	memset(timings, 0, sizeof(DependenceTimings));
	INSTR_TIME_SET_CURRENT(start);
	dep = dependence_sample(sample, DEPENDENCE_SAMPLE_ROWS, true);
	timings->splits += ms_since(start);
	build_groups(model, NULL, model, cols, ncols, sample, dep, min_group_size, 0, true,
				 tail_column, timings);
	/* rows are drawn from the leaves only: a mixture needs no copula */
	if (model->group_column < 0)
	{
		INSTR_TIME_SET_CURRENT(start);
		category_order(model, dep, NULL, NULL);
		timings->orders += ms_since(start);
		INSTR_TIME_SET_CURRENT(start);
		dependence_fit(model, dep);
		timings->copulas += ms_since(start);
	}

	/*
	 * Last: category_order() reorders the table's lists of categories in
	 * place (its own, and those its groups share), and a hierarchy numbers
	 * them as they are finally stored.
	 */
	hierarchy_find(model, sample);
}
