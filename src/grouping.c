/*-------------------------------------------------------------------------
 *
 * grouping.c
 *	  Choose a grouping column for a mixture of per-group models.
 *
 * A single Gaussian copula cannot make a categorical column split a numeric
 * one into separate modes (penguin species and flipper length, weather and
 * temperature).  A mixture can: the rows are split by the levels of one
 * low-cardinality column, and each group gets its own column models and
 * copula.  The column chosen is the one that tells the most about the
 * others: the largest sum of mutual information with every other column
 * (numbers cut into ten quantile bins, NULL a level of its own) less the
 * Miller-Madow bias (k_g - 1)(k_c - 1) / 2n, and only if the G test (2n MI,
 * chi-square under independence) says the association is no chance one.
 *
 * Rare cases first: where the table is large enough, the top split is by
 * the tails of a continuous column, its lowest and its highest
 * GROUP_TAIL_SHARE of rows apart from the rest (the column whose tails tell
 * most about the other columns, by the same score).  The rows at a tail are
 * unlike the rest as a whole (the films that gross most come from a few
 * distributors, have bigger budgets and more votes), which a copula over
 * all rows draws too rarely; with models of their own, a condition on the
 * tail of that column, or of one that moves with it, draws from rows like
 * the real rare ones.  A tail needs as many rows as a group within a group
 * (see tail_min_rows); the tails stay whole, and only the middle rows are
 * grouped again, by the rules of a group within a group (the tail split
 * takes one of synth.group_depth's levels).
 *
 * Only levels with at least min_rows rows of the fitting sample (40, or
 * 100 for a group within a group, and at least GROUP_ROWS_PER_COLUMN per
 * column of the table) make
 * groups (at most GROUP_MAX of them); the rows of smaller levels form one
 * pooled group if they are that many together, else they join the largest
 * group.  Each group's model is learnt with the same min_group_size rule as
 * the whole table, so grouping never keeps a value seen in fewer rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"

#include "column_model.h"
#include "grouping.h"

#define CODE_BINS 10
#define GROUP_NUMERIC_BINS 4		/* a continuous column groups by quartiles */
#define MAX_CODES 256

/* is a numeric model made of few atoms only (a coded column)? */
static bool
all_atoms(const ColumnModel *cm)
{
	int			i;

	if (cm->kind != COLUMN_NUMERIC || cm->quantiles.npieces > MAX_CODES - 2)
		return false;
	for (i = 0; i < cm->quantiles.npieces; i++)
		if (cm->quantiles.pieces[i].lo != cm->quantiles.pieces[i].hi)
			return false;
	return true;
}

/* index of the atom equal to v, or npieces for a value none equals */
static int
atom_index(const ColumnModel *cm, double v)
{
	int			lo = 0,
				hi = cm->quantiles.npieces - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		double		x = cm->quantiles.pieces[mid].lo;

		if (x == v)
			return mid;
		if (x < v)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return cm->quantiles.npieces;
}

/*
 * The cumulative probability of each row's value of a numeric column (rows
 * with a value; palloc'd), by one walk along the model when the sample
 * knows the order of the values.
 */
static double *
column_cdf(const ColumnModel *cm, const SampleColumn *sc, int n)
{
	double	   *u;
	CdfIndex	ix;
	int			r;

	u = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	column_cdf_index_build(cm, &ix);
	if (sc->order != NULL)
		column_values_cdf_sorted(cm, &ix, sc->numbers, sc->order,
								 sample_column_values(sc, n), u);
	else
		for (r = 0; r < n; r++)
			if (!sc->isnull[r])
				u[r] = column_value_cdf_indexed(cm, &ix, sc->numbers[r]);
	column_cdf_index_free(&ix);
	return u;
}

/*
 * The level of a row without a number: 0 (NULL), except in a column whose
 * model samples no NULL (a NOT NULL column's NaN and infinities, which are
 * not modelled): the middle one of its nlevels, so that no group holds
 * only rows the column has no value for.
 */
static inline uint8
not_null_level(const ColumnModel *cm, int nlevels)
{
	return cm->null_frac > 0.0 ? 0 : (uint8) (1 + nlevels / 2);
}

/* small integer codes of a column's values, for counting (0 = NULL) */
static void
column_codes(const ColumnModel *cm, const SampleColumn *sc, int n, uint8 *out, int *work)
{
	int			i;

	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			{
				bool		atoms = all_atoms(cm);
				double	   *u = atoms ? NULL : column_cdf(cm, sc, n);

				for (i = 0; i < n; i++)
				{
					if (sc->isnull[i])
						out[i] = not_null_level(cm, atoms ? cm->quantiles.npieces : CODE_BINS);
					else if (atoms)
						out[i] = 1 + atom_index(cm, sc->numbers[i]);
					else
						out[i] = 1 + Min(CODE_BINS - 1, (int) (u[i] * CODE_BINS));
				}
				if (u)
					pfree(u);
				break;
			}
		case COLUMN_CATEGORICAL:
			category_codes(cm, sc, n, work);
			for (i = 0; i < n; i++)
				out[i] = work[i] == CODE_NULL ? 0 :
					work[i] == CODE_RARE ? 1 : (uint8) Min(MAX_CODES - 1, 2 + work[i]);
			break;
		default:
			for (i = 0; i < n; i++)
				out[i] = sc->isnull ? (sc->isnull[i] ? 0 : 1) : 1;
			break;
	}
}

/* a continuous column's levels: its quartiles, and NULL */
static void
quartile_codes(const ColumnModel *cm, const SampleColumn *sc, int n, uint8 *out)
{
	double	   *u = column_cdf(cm, sc, n);
	int			r;

	for (r = 0; r < n; r++)
		out[r] = sc->isnull[r] ? not_null_level(cm, GROUP_NUMERIC_BINS) :
			1 + Min(GROUP_NUMERIC_BINS - 1, (int) (u[r] * GROUP_NUMERIC_BINS));
	pfree(u);
}

/*
 * The values that bound a column's tails in a sample: *lo is its value at
 * rank GROUP_TAIL_SHARE, *hi at rank 1 - GROUP_TAIL_SHARE (of the rows with
 * a value, in order of value); false if a tail would hold fewer than
 * min_rows rows.
 */
static bool
tail_cuts(const SampleColumn *sc, int n, int min_rows, double *lo, double *hi)
{
	int		   *order = sc->order;
	int			m,
				k;

	if (order == NULL)
	{
		order = palloc(sizeof(int) * Max(n, 1));
		m = sort_rows_by_value(sc->numbers, sc->isnull, n, order);
	}
	else
		m = sample_column_values(sc, n);
	k = (int) (GROUP_TAIL_SHARE * m);
	if (k >= Max(min_rows, 1))
	{
		*lo = sc->numbers[order[k]];
		*hi = sc->numbers[order[m - 1 - k]];
	}
	if (order != sc->order)
		pfree(order);
	return k >= Max(min_rows, 1);
}

/*
 * a continuous column's tails: 1 for the values below lo, 3 for those above
 * hi (at most GROUP_TAIL_SHARE of the rows each, fewer where values tie at
 * the cut), 2 between and for NULL (the split is about the tails;
 * missingness groups nothing here)
 */
static void
tail_codes(const SampleColumn *sc, int n, double lo, double hi, uint8 *out)
{
	int			r;

	for (r = 0; r < n; r++)
		out[r] = sc->isnull[r] ? 2 :
			sc->numbers[r] < lo ? 1 : sc->numbers[r] > hi ? 3 : 2;
}

/* could the column's levels make groups? its numeric model is all atoms, few */
static bool
groupable(const ColumnModel *cm)
{
	if (cm->null_frac >= 1.0)
		return false;
	if (cm->kind == COLUMN_CATEGORICAL)
		return cm->ncategories >= 1 && cm->ncategories <= GROUP_MAX * 2;
	if (cm->kind == COLUMN_NUMERIC)
		return cm->quantiles.npieces <= GROUP_MAX * 2 && all_atoms(cm);
	return false;
}

/* is the column continuous, with tails to split off? */
bool
grouping_has_tails(const ColumnModel *cm)
{
	return cm->kind == COLUMN_NUMERIC && cm->null_frac < 1.0 && !cm->is_key &&
		cm->quantiles.npieces > 1 && !all_atoms(cm);
}

/*
 * The rows of the small levels of a split that make a pooled group of
 * their own, or 0 where they join the largest group: when they are too few
 * for a group, and always for a tail (pooling the two tails would make one
 * group of both ends; a small tail joins the middle).
 */
static int
pooled_rows(GroupSplit kind, int small_rows, int need)
{
	return kind == GROUP_SPLIT_TAILS || small_rows < need ? 0 : small_rows;
}

/* how often each code of a code column occurs */
typedef struct CodeCounts
{
	int			count[MAX_CODES];
	int			width;			/* one past the largest code present */
	int			levels;			/* codes present */
} CodeCounts;

static void
code_counts(const uint8 *codes, int n, CodeCounts *cc)
{
	int			i;

	memset(cc->count, 0, sizeof(cc->count));
	for (i = 0; i < n; i++)
		cc->count[codes[i]]++;
	cc->width = 0;
	cc->levels = 0;
	for (i = 0; i < MAX_CODES; i++)
		if (cc->count[i] > 0)
		{
			cc->levels++;
			cc->width = i + 1;
		}
}

/* log(c) for a count 0 < c <= n, from a table filled as counts come up */
static inline double
log_count(double *table, int c)
{
	if (isnan(table[c]))
		table[c] = log((double) c);
	return table[c];
}

/*
 * Mutual information (nats) of two code columns of n rows, with their
 * counts: sum over cells of c/n log(c n / (c_a c_b)), that is
 * (1/n) sum c (log c - log c_a - log c_b) + log n.  *df gets the degrees
 * of freedom (k_a - 1)(k_b - 1) of the matching independence test.
 * "joint" has room for MAX_CODES x MAX_CODES counts, of which only the
 * codes present are cleared and summed; "logs" has n + 1 entries (NaN
 * until used).
 */
static double
mutual_information(const uint8 *a, const CodeCounts *ca, const uint8 *b, const CodeCounts *cb,
				   int n, int *joint, double *logs, double *df)
{
	int			wb = cb->width;
	int			i,
				j;
	double		sum = 0.0;

	memset(joint, 0, sizeof(int) * ca->width * wb);
	for (i = 0; i < n; i++)
		joint[a[i] * wb + b[i]]++;
	for (i = 0; i < ca->width; i++)
	{
		double		log_a;

		if (ca->count[i] == 0)
			continue;
		log_a = log_count(logs, ca->count[i]);
		for (j = 0; j < wb; j++)
		{
			int			c = joint[i * wb + j];

			if (c > 0)
				sum += c * (log_count(logs, c) - log_a - log_count(logs, cb->count[j]));
		}
	}
	*df = (double) (ca->levels - 1) * (cb->levels - 1);
	return sum / n + log((double) n);
}

/*
 * grouping_choose: the index of the grouping column, or -1 if none helps,
 * judged on "sample" (the rows the dependence is learnt from).  On success
 * row_group[r] (r < sample->nrows) is the group of each of its rows,
 * all_group[r] (r < all->nrows) that of each row of "all" (the whole
 * fitting sample, of which "sample" is a subset; it may be "sample"
 * itself, and all_group row_group), and *ngroups their number; the last
 * group is the pooled one when some levels are too small for a group of
 * their own.  "tail_min_rows", if not 0, lets the tails of a continuous
 * column split first, each tail with at least that many rows (a smaller
 * tail stays in the middle; tails are never pooled); "tail_column", if not
 * -1, is the only column whose tails may split, chosen by the caller, so
 * without the chance test; "allow_numeric" lets a continuous column split
 * by its quartiles when no discrete column does; *split says which kind of
 * split was chosen.
 */
int
grouping_choose(const SynthModel *model, const TableSample *sample,
				const TableSample *all, int min_rows, int tail_min_rows,
				int tail_column, bool allow_numeric, int *row_group, int *all_group,
				int *ngroups, GroupSplit *split)
{
	int			n = sample->nrows;
	int			d = model->ncolumns;
	uint8	  **codes;
	uint8	  **gcodes;			/* each candidate's levels */
	CodeCounts *counts_of;		/* of each column's codes */
	CodeCounts	gcounts;
	int		   *work;
	int		   *joint;
	double	   *logs;
	int			best = -1;
	double		best_score = 0.0;
	GroupSplit	passes[3];
	double	   *tail_lo;		/* each candidate's tails: the cuts */
	double	   *tail_hi;
	int			npasses = 0;
	int			c,
				g,
				r,
				pass;

	*ngroups = 0;
	*split = GROUP_SPLIT_DISCRETE;
	if (n < 2 * min_rows || d < 2)
		return -1;

	codes = palloc(sizeof(uint8 *) * d);
	counts_of = palloc(sizeof(CodeCounts) * d);
	work = palloc(sizeof(int) * n);
	joint = palloc(sizeof(int) * MAX_CODES * MAX_CODES);
	logs = palloc(sizeof(double) * (n + 1));
	for (r = 0; r <= n; r++)
		logs[r] = get_float8_nan();
	for (c = 0; c < d; c++)
	{
		codes[c] = NULL;
		if (model->columns[c].kind == COLUMN_NUMERIC || model->columns[c].kind == COLUMN_CATEGORICAL)
		{
			codes[c] = palloc(n);
			column_codes(&model->columns[c], &sample->columns[c], n, codes[c], work);
			code_counts(codes[c], n, &counts_of[c]);
		}
	}

	gcodes = palloc0(sizeof(uint8 *) * d);
	tail_lo = palloc(sizeof(double) * d);
	tail_hi = palloc(sizeof(double) * d);

	/*
	 * First the tails of a continuous column (where the caller allows it:
	 * the whole table), then the discrete columns; only if none qualifies
	 * (and the caller allows it), the quartiles of a continuous one
	 * (flights: delay).  On the bundled tables a continuous column's
	 * quartiles that win over a discrete column, or split a group again,
	 * fit worse.
	 */
	if (tail_min_rows > 0)
		passes[npasses++] = GROUP_SPLIT_TAILS;
	/* a column named for its tails is split by them or not at all */
	if (tail_column < 0)
	{
		passes[npasses++] = GROUP_SPLIT_DISCRETE;
		if (allow_numeric)
			passes[npasses++] = GROUP_SPLIT_QUARTILES;
	}
	for (pass = 0; pass < npasses && best < 0; pass++)
	{
		for (g = 0; g < d; g++)
		{
			const CodeCounts *gc;
			int			big = 0,
						small_rows = 0;
			double		mi = 0.0,
						df = 0.0,
						score;
			const ColumnModel *gm = &model->columns[g];
			GroupSplit	kind = passes[pass];
			int			need = kind == GROUP_SPLIT_TAILS ? tail_min_rows : min_rows;
			bool		named = kind == GROUP_SPLIT_TAILS && g == tail_column;

			CHECK_FOR_INTERRUPTS();
			if (codes[g] == NULL || gcodes[g] != NULL)
				continue;
			if (kind == GROUP_SPLIT_DISCRETE)
			{
				if (!groupable(gm))
					continue;
				gcodes[g] = codes[g];
			}
			else if (kind == GROUP_SPLIT_TAILS && grouping_has_tails(gm) &&
					 (tail_column < 0 || g == tail_column) &&
					 tail_cuts(&sample->columns[g], n, need, &tail_lo[g], &tail_hi[g]))
			{
				gcodes[g] = palloc(n);
				tail_codes(&sample->columns[g], n, tail_lo[g], tail_hi[g], gcodes[g]);
			}
			else if (kind == GROUP_SPLIT_QUARTILES && !groupable(gm) &&
					 gm->kind == COLUMN_NUMERIC && gm->null_frac < 1.0 &&
					 n / GROUP_NUMERIC_BINS >= min_rows)
			{
				gcodes[g] = palloc(n);
				quartile_codes(gm, &sample->columns[g], n, gcodes[g]);
			}
			else
				continue;
			if (gcodes[g] == codes[g])
				gc = &counts_of[g];
			else
			{
				code_counts(gcodes[g], n, &gcounts);
				gc = &gcounts;
			}
			for (r = 0; r < MAX_CODES; r++)
			{
				if (gc->count[r] >= need)
					big++;
				else
					small_rows += gc->count[r];
			}
			small_rows = pooled_rows(kind, small_rows, need);
			if (big > GROUP_MAX || big + (small_rows > 0) < 2)
				continue;
			for (c = 0; c < d; c++)
			{
				double		df_c;

				if (c != g && codes[c] != NULL)
				{
					mi += mutual_information(gcodes[g], gc, codes[c], &counts_of[c], n,
											 joint, logs, &df_c);
					df += df_c;
				}
			}

			/*
			 * 2n MI is the G statistic, chi-square with df degrees of freedom
			 * under independence: the column must tell clearly more than chance
			 * (about four standard deviations above df), and the best is the one
			 * with the most information beyond the Miller-Madow bias df / 2n.
			 */
			if (2.0 * n * mi < df + 4.0 * sqrt(2.0 * Max(df, 1.0)) && !named)
				continue;
			score = mi - df / (2.0 * n);
			if (score > best_score || (named && best < 0))
			{
				best_score = score;
				best = g;
				*split = kind;
			}
		}
		/* a pass that found nothing leaves its columns' levels to the next */
		if (best < 0 && passes[pass] == GROUP_SPLIT_TAILS)
			for (g = 0; g < d; g++)
				if (gcodes[g] != NULL && gcodes[g] != codes[g])
				{
					pfree(gcodes[g]);
					gcodes[g] = NULL;
				}
	}

	if (best >= 0)
	{
		const int  *counts;
		int			group_of[MAX_CODES];
		int			k = 0;
		int			small_rows = 0;
		int			largest = 0;
		int			pooled_group;
		int			need = *split == GROUP_SPLIT_TAILS ? tail_min_rows : min_rows;

		if (gcodes[best] == codes[best])
			counts = counts_of[best].count;
		else
		{
			code_counts(gcodes[best], n, &gcounts);
			counts = gcounts.count;
		}
		for (r = 0; r < MAX_CODES; r++)
		{
			group_of[r] = -1;
			if (counts[r] >= need)
			{
				if (counts[r] > counts[largest] || group_of[largest] < 0)
					largest = r;
				group_of[r] = k++;
			}
			else
				small_rows += counts[r];
		}
		/* small levels: a pooled group of their own, or into the largest */
		small_rows = pooled_rows(*split, small_rows, need);
		pooled_group = small_rows > 0 ? k : group_of[largest];
		for (r = 0; r < MAX_CODES; r++)
			if (group_of[r] < 0)
				group_of[r] = pooled_group;
		for (r = 0; r < n; r++)
			row_group[r] = group_of[gcodes[best][r]];
		if (all != sample)
		{
			/* the rest of the rows: the same levels of the same column */
			uint8	   *levels = palloc(Max(all->nrows, 1));

			if (gcodes[best] == codes[best])
			{
				int		   *all_work = palloc(sizeof(int) * Max(all->nrows, 1));

				column_codes(&model->columns[best], &all->columns[best], all->nrows,
							 levels, all_work);
				pfree(all_work);
			}
			else if (*split == GROUP_SPLIT_TAILS)
				tail_codes(&all->columns[best], all->nrows, tail_lo[best], tail_hi[best],
						   levels);
			else
				quartile_codes(&model->columns[best], &all->columns[best], all->nrows,
							   levels);
			for (r = 0; r < all->nrows; r++)
				all_group[r] = group_of[levels[r]];
			pfree(levels);
		}
		else if (all_group != row_group)
			memcpy(all_group, row_group, sizeof(int) * n);
		*ngroups = k + (small_rows > 0 ? 1 : 0);
	}

	for (c = 0; c < d; c++)
	{
		if (gcodes[c] && gcodes[c] != codes[c])
			pfree(gcodes[c]);
		if (codes[c])
			pfree(codes[c]);
	}
	pfree(gcodes);
	pfree(tail_lo);
	pfree(tail_hi);
	pfree(codes);
	pfree(counts_of);
	pfree(work);
	pfree(joint);
	pfree(logs);
	return best;
}
