/*-------------------------------------------------------------------------
 *
 * table_sample.c
 *	  Splitting the fitting sample among groups.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "table_sample.h"

/*
 * sample_split: the rows of "sample" in each group 0 .. ngroups - 1, copied
 * column by column, each group gathering its rows in row order (a text
 * value's string is shared, not copied); a row of a group beyond those is
 * left out.  With "with_order", each group keeps the order of its rows'
 * values that a column has (SampleColumn's order).
 */
TableSample **
sample_split(const TableSample *sample, const int *row_group, int ngroups, bool with_order)
{
	TableSample **subs = palloc(sizeof(TableSample *) * ngroups);
	int		   *n = palloc0(sizeof(int) * ngroups);
	int		  **rows = palloc(sizeof(int *) * ngroups);	/* a group's rows */
	int		   *k = palloc(sizeof(int) * ngroups);
	int		   *row_in_group = NULL;	/* a row's number in its group */
	int			nvalues;
	int			c,
				g,
				r,
				i;

	if (with_order)
		row_in_group = palloc_extended(sizeof(int) * Max(sample->nrows, 1), MCXT_ALLOC_HUGE);
	for (r = 0; r < sample->nrows; r++)
		if (row_group[r] >= 0 && row_group[r] < ngroups)
			n[row_group[r]]++;
	for (g = 0; g < ngroups; g++)
	{
		rows[g] = palloc_extended(sizeof(int) * Max(n[g], 1), MCXT_ALLOC_HUGE);
		k[g] = 0;
		subs[g] = palloc0(sizeof(TableSample));
		subs[g]->ncolumns = sample->ncolumns;
		subs[g]->nrows = n[g];
		subs[g]->columns = palloc0(sizeof(SampleColumn) * sample->ncolumns);
	}
	for (r = 0; r < sample->nrows; r++)
	{
		g = row_group[r];
		if (g < 0 || g >= ngroups)
			continue;
		if (row_in_group)
			row_in_group[r] = k[g];
		rows[g][k[g]++] = r;
	}
	for (c = 0; c < sample->ncolumns; c++)
	{
		const SampleColumn *from = &sample->columns[c];

		if (from->isnull == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		for (g = 0; g < ngroups; g++)
		{
			SampleColumn *to = &subs[g]->columns[c];
			const int  *in = rows[g];
			int			m = n[g];
			bool	   *isnull = palloc_extended(sizeof(bool) * Max(m, 1), MCXT_ALLOC_HUGE);

			for (i = 0; i < m; i++)
				isnull[i] = from->isnull[in[i]];
			to->isnull = isnull;
			if (from->numbers)
			{
				const double *src = from->numbers;
				double	   *dst = palloc_extended(sizeof(double) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->numbers = dst;
			}
			if (from->strings)
			{
				char	  **src = from->strings;
				char	  **dst = palloc_extended(sizeof(char *) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->strings = dst;
			}
			if (from->ids)
			{
				const int  *src = from->ids;
				int		   *dst = palloc_extended(sizeof(int) * Max(m, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < m; i++)
					dst[i] = src[in[i]];
				to->ids = dst;
				to->dict = from->dict;
			}
		}
		if (from->order == NULL || row_in_group == NULL)
			continue;
		/* the order: the parent's, each row renumbered within its group */
		for (g = 0; g < ngroups; g++)
		{
			subs[g]->columns[c].order = palloc_extended(sizeof(int) * Max(n[g], 1),
														MCXT_ALLOC_HUGE);
			k[g] = 0;
		}
		nvalues = sample_column_values(from, sample->nrows);
		for (r = 0; r < nvalues; r++)
		{
			int			row = from->order[r];

			g = row_group[row];
			if (g >= 0 && g < ngroups)
				subs[g]->columns[c].order[k[g]++] = row_in_group[row];
		}
	}
	for (g = 0; g < ngroups; g++)
		pfree(rows[g]);
	pfree(rows);
	pfree(n);
	pfree(k);
	if (row_in_group)
		pfree(row_in_group);
	return subs;
}
