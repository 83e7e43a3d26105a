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
 * A column is fixed by one column at most, and no chain of them closes on
 * itself (of two columns that fix each other, a one-to-one naming, only
 * one may fix the other).  Every pair that holds is a candidate; they are
 * taken in order of the fixing column's kept values (most first, then
 * column order), each unless its column is fixed already or it would
 * close a chain.  They are stored in the order to apply them, a column
 * that fixes another only after it is itself fixed.
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

/* candidates in the order to take them: most kept values first */
static int
compare_candidates(const void *x, const void *y)
{
	const ColumnHierarchy *a = (const ColumnHierarchy *) x;
	const ColumnHierarchy *b = (const ColumnHierarchy *) y;

	if (a->nvalues != b->nvalues)
		return a->nvalues > b->nvalues ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return (a->to > b->to) - (a->to < b->to);
}

/* hierarchies in order of their columns */
static int
compare_columns(const void *x, const void *y)
{
	const ColumnHierarchy *a = (const ColumnHierarchy *) x;
	const ColumnHierarchy *b = (const ColumnHierarchy *) y;

	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return (a->to > b->to) - (a->to < b->to);
}

void
hierarchy_find(SynthModel *model, const TableSample *sample)
{
	int			ncolumns = model->ncolumns;
	int			n = sample->nrows;
	int		  **codes = palloc0(sizeof(int *) * Max(ncolumns, 1));
	int			maxcandidates = Max(ncolumns, 1);
	ColumnHierarchy *candidates = palloc(sizeof(ColumnHierarchy) * maxcandidates);
	int			ncandidates = 0;
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

			if (ncandidates == maxcandidates)
			{
				maxcandidates *= 2;
				candidates = repalloc(candidates, sizeof(ColumnHierarchy) * maxcandidates);
			}
			candidates[ncandidates].from = a;
			candidates[ncandidates].to = b;
			candidates[ncandidates].nvalues = nvalues;
			candidates[ncandidates].value = value;
			ncandidates++;
		}
	}

	/* one fixer per column, no chain closing on itself */
	if (ncandidates > 1)
		qsort(candidates, ncandidates, sizeof(ColumnHierarchy), compare_candidates);
	for (i = 0; i < ncandidates; i++)
	{
		ColumnHierarchy *c = &candidates[i];

		if (fixed_by[c->to] >= 0 ||
			chain_reaches(found, fixed_by, ncolumns, c->from, c->to))
		{
			pfree(c->value);
			continue;
		}
		found[nfound] = *c;
		fixed_by[c->to] = nfound++;
	}
	pfree(candidates);

	/* back in column order (the order of the listing among equals) */
	if (nfound > 1)
		qsort(found, nfound, sizeof(ColumnHierarchy), compare_columns);
	for (i = 0; i < nfound; i++)
		fixed_by[found[i].to] = i;

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
