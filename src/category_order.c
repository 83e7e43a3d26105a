/*-------------------------------------------------------------------------
 *
 * category_order.c
 *	  Order a model's categories so that the copula can relate them.
 *
 * The copula relates two columns through the order of their values: a
 * category covers an interval of its column's uniform, and correlation
 * moves neighbouring intervals together.  A nominal column (a distributor,
 * a genre) has no order of its own, and with its categories in order of
 * frequency a relation such as "this distributor's films are rated higher"
 * is non-monotone, so the copula keeps little of it.  Here the categories
 * of each column with three or more are put in the order of their mean
 * normal score on the numeric column they tell most about (the largest
 * correlation ratio, eta squared: the share of that column's variance that
 * lies between the categories).  The relation to that column becomes
 * monotone, and so, in part, the relations to every column that moves with
 * it.  The pooled rare values stay last, and only the order changes: the
 * same labels with the same shares.  This is the one-dimensional optimal
 * scaling of a nominal variable (Gifi, "Nonlinear Multivariate Analysis",
 * 1990), with a single partner instead of an iteration.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "category_order.h"
#include "column_model.h"
#include "numerics.h"

/*
 * The order needs the level means only roughly: at most ORDER_ROWS rows of
 * the fitting sample, evenly spaced through it (a sample of a small table
 * holds its rows in table order).
 */
#define ORDER_ROWS 10000





/*
 * Normal scores of a numeric column from its ranks in the sample, ties
 * sharing their mean rank (NaN for NULL); NULL if the column is constant.
 * "known_order", if not NULL, is the sample's own order of the rows with a
 * value (SampleColumn.order), which spares the sort.
 */
static double *
numeric_scores(const ColumnModel *cm, const SampleColumn *sc, int n, const int *known_order)
{
	int		   *order;
	double	   *z;
	int			m,
				i,
				r;

	if (cm->kind != COLUMN_NUMERIC || cm->null_frac >= 1.0 || sc->isnull == NULL ||
		sc->numbers == NULL)
		return NULL;
	order = palloc(sizeof(int) * Max(n, 1));
	if (known_order != NULL)
	{
		/* the sample's own order (these are all its rows) */
		m = sample_column_values(sc, n);
		memcpy(order, known_order, sizeof(int) * m);
	}
	else
		m = sort_rows_by_value(sc->numbers, sc->isnull, n, order);
	if (m < 2 || sc->numbers[order[0]] == sc->numbers[order[m - 1]])
	{
		pfree(order);
		return NULL;
	}
	z = palloc(sizeof(double) * n);
	for (r = 0; r < n; r++)
		z[r] = NAN;
	for (i = 0; i < m;)
	{
		int			j = i;
		double		score;

		while (j + 1 < m && sc->numbers[order[j + 1]] == sc->numbers[order[i]])
			j++;
		/* mean rank of the tie, as a share in (0, 1) */
		score = synth_normal_quantile(((i + j) / 2.0 + 0.5) / m);
		for (; i <= j; i++)
			z[order[i]] = score;
	}
	pfree(order);
	return z;
}

/*
 * category_order: reorder the categories of model's columns (fitted on
 * sample) for the copula; with "only", just the columns c where only[c].
 * A column whose model a group shares with "parent" keeps the parent's
 * order.
 */
void
category_order(SynthModel *model, const TableSample *sample, const SynthModel *parent,
			   const bool *only)
{
	int			n = Min(sample->nrows, ORDER_ROWS);
	int			ncols = model->ncolumns;
	double	  **z;
	int		   *codes;
	SampleColumn *cols;
	int			nnumeric = 0,
				nordered = 0;
	int			c,
				j,
				r;

	/* anything to order? */
	for (c = 0; c < ncols; c++)
		if (model->columns[c].kind == COLUMN_CATEGORICAL && model->columns[c].ncategories >= 3 &&
			!(parent != NULL && model->columns[c].labels == parent->columns[c].labels) &&
			(only == NULL || only[c]))
			nordered++;
	if (nordered == 0 || n < 2)
		return;

	/* the rows to learn the order from */
	cols = palloc(sizeof(SampleColumn) * ncols);
	for (j = 0; j < ncols; j++)
	{
		const SampleColumn *sc = &sample->columns[j];

		cols[j].order = NULL;
		cols[j].ids = NULL;
		cols[j].dict = sc->dict;
		if (sc->isnull == NULL)
		{
			/* a column the fit does not read (excluded, uuid) */
			cols[j].isnull = NULL;
			cols[j].numbers = NULL;
			cols[j].strings = NULL;
			continue;
		}
		cols[j].isnull = palloc(sizeof(bool) * n);
		cols[j].numbers = sc->numbers ? palloc(sizeof(double) * n) : NULL;
		cols[j].strings = sc->strings ? palloc(sizeof(char *) * n) : NULL;
		cols[j].ids = sc->ids ? palloc(sizeof(int) * n) : NULL;
		for (r = 0; r < n; r++)
		{
			int			from = (int) ((int64) r * sample->nrows / n);

			cols[j].isnull[r] = sc->isnull[from];
			if (sc->numbers)
				cols[j].numbers[r] = sc->numbers[from];
			if (sc->strings)
				cols[j].strings[r] = sc->strings[from];
			if (sc->ids)
				cols[j].ids[r] = sc->ids[from];
		}
	}

	z = palloc0(sizeof(double *) * ncols);
	codes = palloc(sizeof(int) * n);
	for (j = 0; j < ncols; j++)
		if ((z[j] = numeric_scores(&model->columns[j], &cols[j], n,
								   n == sample->nrows ? sample->columns[j].order : NULL)) != NULL)
			nnumeric++;

	for (c = 0; c < ncols && nnumeric > 0; c++)
	{
		ColumnModel *cm = &model->columns[c];
		int			k = cm->ncategories;
		ValueIndex *best = NULL;
		double		best_eta = 0.0;
		double		best_rare = NAN;	/* the pooled rare values' mean */
		double	   *sum,
				   *count;
		double	   *prob;
		char	  **labels;
		double		last;
		int			i;

		if (cm->kind != COLUMN_CATEGORICAL || k < 3 || cols[c].isnull == NULL)
			continue;
		if ((parent != NULL && cm->labels == parent->columns[c].labels) ||
			(only != NULL && !only[c]))
			continue;
		CHECK_FOR_INTERRUPTS();
		category_codes(cm, &cols[c], n, codes);
		sum = palloc(sizeof(double) * k);
		count = palloc(sizeof(double) * k);
		for (j = 0; j < ncols; j++)
		{
			double		total = 0.0,
						total_sq = 0.0,
						rows = 0.0,
						between = 0.0,
						rare_sum = 0.0,
						rare_rows = 0.0,
						eta;

			if (z[j] == NULL)
				continue;
			memset(sum, 0, sizeof(double) * k);
			memset(count, 0, sizeof(double) * k);
			for (r = 0; r < n; r++)
			{
				if (codes[r] == CODE_RARE && !isnan(z[j][r]))
				{
					rare_sum += z[j][r];
					rare_rows += 1.0;
				}
				if (codes[r] < 0 || isnan(z[j][r]))
					continue;
				sum[codes[r]] += z[j][r];
				count[codes[r]] += 1.0;
				total += z[j][r];
				total_sq += z[j][r] * z[j][r];
				rows += 1.0;
			}
			if (rows < 2.0)
				continue;
			for (i = 0; i < k; i++)
				if (count[i] > 0.0)
					between += sum[i] * sum[i] / count[i];
			between -= total * total / rows;
			eta = total_sq - total * total / rows > 0.0 ?
				between / (total_sq - total * total / rows) : 0.0;
			if (eta > best_eta)
			{
				best_eta = eta;
				best_rare = rare_rows > 0.0 ? rare_sum / rare_rows : NAN;
				if (best == NULL)
					best = palloc(sizeof(ValueIndex) * k);
				for (i = 0; i < k; i++)
				{
					best[i].index = i;
					/* a category with no rows here keeps its place among equals */
					best[i].value = count[i] > 0.0 ? sum[i] / count[i] : 0.0;
				}
			}
		}
		pfree(sum);
		pfree(count);
		if (best == NULL)
			continue;

		/* the same labels and shares in the new order; "other" stays last */
		sort_value_indexes(best, k);

		/*
		 * The pooled rare values always come last.  Their rows have a mean
		 * too (small distributors gross little): if it lies nearer the low
		 * end, the order is reversed, so that the pool sits next to the
		 * categories it resembles, and a draw at the high end does not land
		 * in the pool.
		 */
		if (cm->other_prob > 0.0 && !isnan(best_rare) &&
			fabs(best_rare - best[0].value) < fabs(best_rare - best[k - 1].value))
		{
			for (i = 0; i < k / 2; i++)
			{
				ValueIndex	t = best[i];

				best[i] = best[k - 1 - i];
				best[k - 1 - i] = t;
			}
		}
		last = cm->category_cum[k - 1];
		prob = palloc(sizeof(double) * k);
		labels = palloc(sizeof(char *) * k);
		for (i = 0; i < k; i++)
		{
			int			l = best[i].index;

			prob[i] = cm->category_cum[l] - (l > 0 ? cm->category_cum[l - 1] : 0.0);
			labels[i] = cm->labels[l];
		}
		for (i = 0; i < k; i++)
		{
			cm->labels[i] = labels[i];
			/* never past the end: rounding over many tiny shares may add up */
			cm->category_cum[i] = Min(last, (i > 0 ? cm->category_cum[i - 1] : 0.0) + prob[i]);
		}
		/* exactly as before at the end, where "other" starts */
		cm->category_cum[k - 1] = last;
		pfree(prob);
		pfree(labels);
		pfree(best);
	}

	for (j = 0; j < ncols; j++)
	{
		if (z[j])
			pfree(z[j]);
		if (cols[j].isnull)
			pfree(cols[j].isnull);
		if (cols[j].numbers)
			pfree(cols[j].numbers);
		if (cols[j].strings)
			pfree(cols[j].strings);
		if (cols[j].ids)
			pfree(cols[j].ids);
	}
	pfree(cols);
	pfree(z);
	pfree(codes);
}
