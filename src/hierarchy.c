/*-------------------------------------------------------------------------
 *
 * hierarchy.c
 *	  Columns one of which fixes another.
 *
 * Real tables nest their categories: a car's model belongs to one maker and
 * has one drive, a city lies in one state.  The copula orders a column's
 * categories along one line, so with many of them (29 kept car models) it
 * cannot say which maker goes with which model, and a synthetic row pairs
 * them by chance (mpg's model and maker: 0.26 against 0.87 for a copy of the
 * real rows).  The fit therefore looks, over the rows it learns from, for a
 * categorical column "from" with at least HIERARCHY_MIN_VALUES kept values
 * each of whose rows all share one value (or NULL) of another column "to";
 * sampling then sets "to" from the value drawn for "from" whenever that is
 * one of its kept values (a made-up value fixes nothing).
 *
 * Privacy: each fact stored is that the at least min_group_size rows of a
 * kept value of "from" share one value of "to", a value the model keeps
 * anyway; no value is stored that the column models do not hold.
 *
 * A column is fixed by one column at most (the one with the most kept
 * values), and no chain of them closes on itself: of two columns that fix
 * each other (a one-to-one naming) only the one with more kept values, or
 * the first, fixes the other.  They are stored in the order to apply them,
 * a column that fixes another only after it is itself fixed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "column_model.h"
#include "hierarchy.h"

#define UNSEEN (-3)

/* does following what fixes "column" (via fixed_by) reach "target"? */
static bool
chain_reaches(const ColumnHierarchy *found, const int *fixed_by, int ncolumns,
			  int column, int target)
{
	int			steps;

	for (steps = 0; steps <= ncolumns && column >= 0; steps++)
	{
		if (column == target)
			return true;
		column = fixed_by[column] >= 0 ? found[fixed_by[column]].from : -1;
	}
	return false;
}

/* how many hierarchies lie above "column" (it, its fixer, ...) */
static int
chain_depth(const ColumnHierarchy *found, const int *fixed_by, int ncolumns, int column)
{
	int			depth = 0;

	while (fixed_by[column] >= 0 && depth <= ncolumns)
	{
		column = found[fixed_by[column]].from;
		depth++;
	}
	return depth;
}

void
hierarchy_find(SynthModel *model, const TableSample *sample)
{
	int			ncolumns = model->ncolumns;
	int			n = sample->nrows;
	int		  **codes = palloc0(sizeof(int *) * Max(ncolumns, 1));
	ColumnHierarchy *found = palloc0(sizeof(ColumnHierarchy) * Max(ncolumns, 1));
	int		   *fixed_by = palloc(sizeof(int) * Max(ncolumns, 1));
	int		   *order;
	int		   *depth;
	int			nfound = 0,
				a,
				b,
				i,
				r;

	model->nhierarchies = 0;
	model->hierarchies = NULL;
	for (a = 0; a < ncolumns; a++)
	{
		const ColumnModel *cm = &model->columns[a];

		fixed_by[a] = -1;
		if (cm->kind == COLUMN_CATEGORICAL && !cm->is_key && cm->ncategories > 0 &&
			sample->columns[a].isnull != NULL)
		{
			codes[a] = palloc(sizeof(int) * Max(n, 1));
			category_codes(cm, &sample->columns[a], n, codes[a]);
		}
	}

	for (a = 0; a < ncolumns; a++)
	{
		int			nvalues = model->columns[a].ncategories;

		if (codes[a] == NULL || nvalues < HIERARCHY_MIN_VALUES)
			continue;
		for (b = 0; b < ncolumns; b++)
		{
			int		   *value;
			bool		holds = true;
			int			first = UNSEEN;
			bool		varies = false;

			/* a column that takes one value only has nothing to fix */
			if (b == a || codes[b] == NULL ||
				model->columns[b].ncategories + (model->columns[b].null_frac > 0.0) < 2)
				continue;
			CHECK_FOR_INTERRUPTS();
			value = palloc(sizeof(int) * nvalues);
			for (i = 0; i < nvalues; i++)
				value[i] = UNSEEN;
			for (r = 0; r < n && holds; r++)
			{
				int			k = codes[a][r];
				int			v;

				if (k < 0)
					continue;	/* NULL or a pooled value: fixes nothing */
				if (codes[b][r] == CODE_RARE)
					holds = false;	/* a pooled value: nothing to fix it to */
				v = codes[b][r] == CODE_NULL ? HIERARCHY_NULL : codes[b][r];
				if (value[k] == UNSEEN)
					value[k] = v;
				else if (value[k] != v)
					holds = false;
			}
			for (i = 0; i < nvalues && holds; i++)
			{
				if (value[i] == UNSEEN)
					value[i] = HIERARCHY_NONE;
				else if (first == UNSEEN)
					first = value[i];
				else if (value[i] != first)
					varies = true;
			}
			if (!holds || !varies)
			{
				pfree(value);
				continue;
			}

			/* one fixer per column: the one with the most kept values */
			if (fixed_by[b] >= 0)
			{
				ColumnHierarchy *old = &found[fixed_by[b]];

				if (model->columns[old->from].ncategories >= nvalues)
				{
					pfree(value);
					continue;
				}
				pfree(old->value);
				old->from = a;
				old->nvalues = nvalues;
				old->value = value;
			}
			else
			{
				found[nfound].from = a;
				found[nfound].to = b;
				found[nfound].nvalues = nvalues;
				found[nfound].value = value;
				fixed_by[b] = nfound++;
			}
		}
	}

	/*
	 * No chain may close on itself: of the hierarchies in a cycle the one
	 * whose fixing column has the fewest kept values (the latest column of
	 * those) goes.
	 */
	for (;;)
	{
		int			drop = -1;

		for (i = 0; i < nfound; i++)
		{
			if (found[i].from < 0 ||
				!chain_reaches(found, fixed_by, ncolumns, found[i].from, found[i].to))
				continue;
			if (drop < 0 ||
				model->columns[found[i].from].ncategories < model->columns[found[drop].from].ncategories ||
				(model->columns[found[i].from].ncategories == model->columns[found[drop].from].ncategories &&
				 found[i].from > found[drop].from))
				drop = i;
		}
		if (drop < 0)
			break;
		fixed_by[found[drop].to] = -1;
		found[drop].from = -1;	/* gone */
	}

	/* in the order to apply them: fewer hierarchies above first */
	order = palloc(sizeof(int) * Max(nfound, 1));
	depth = palloc(sizeof(int) * Max(nfound, 1));
	for (i = 0; i < nfound; i++)
		if (found[i].from >= 0)
		{
			depth[model->nhierarchies] = chain_depth(found, fixed_by, ncolumns, found[i].from);
			order[model->nhierarchies++] = i;
		}
	if (model->nhierarchies > 0)
	{
		model->hierarchies = palloc(sizeof(ColumnHierarchy) * model->nhierarchies);
		for (i = 0; i < model->nhierarchies; i++)
		{
			int			j,
						best = i;

			/* a selection sort: a handful of hierarchies */
			for (j = i + 1; j < model->nhierarchies; j++)
				if (depth[j] < depth[best] || (depth[j] == depth[best] && order[j] < order[best]))
					best = j;
			if (best != i)
			{
				int			t = order[i];
				int			d = depth[i];

				order[i] = order[best];
				depth[i] = depth[best];
				order[best] = t;
				depth[best] = d;
			}
			model->hierarchies[i] = found[order[i]];
		}
	}
	for (a = 0; a < ncolumns; a++)
		if (codes[a] != NULL)
			pfree(codes[a]);
	pfree(codes);
	pfree(fixed_by);
	pfree(order);
	pfree(depth);
	pfree(found);
}
