/*-------------------------------------------------------------------------
 *
 * column_model.h
 *	  Learning one column's distribution (fit) and drawing from it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_COLUMN_MODEL_H
#define SYNTH_COLUMN_MODEL_H

#include "model.h"
#include "table_sample.h"

/* the most pieces a quantile function keeps: atoms, then segments */
#define QUANTILE_MAX_ATOMS 512
#define QUANTILE_MAX_SEGMENTS 256

extern void quantile_fit(QuantileFunction *qf, double *sorted, int n,
						 int min_group_size);
extern void column_fit_numeric(ColumnModel *cm, double *values, int nvalues,
							   int64 nrows, int decimals, int min_group_size);
extern void column_fit_categorical(ColumnModel *cm, char **values, int nvalues,
								   int64 nrows, bool fresh_strings,
								   int min_group_size);
extern void column_fit_categorical_ids(ColumnModel *cm, const SampleColumn *sc, int n,
									   bool fresh_strings, int min_group_size);
extern void sample_dictionary_build(SampleColumn *sc, int n);
extern int	decimals_of(double v);
extern int	compare_doubles(const void *a, const void *b);
extern int	compare_cstring(const void *a, const void *b);

/* a value and the index it belongs to (a row, a piece, a category) */
typedef struct ValueIndex
{
	double		value;
	int			index;
} ValueIndex;

/*
 * The first i < n with a[i] > value (strictly, or >= if "or_equal"), else
 * n; a is ascending.  Written without a branch on the comparison (the
 * compiler turns the selects into conditional moves): a fit looks up every
 * value of its numeric columns, and mispredicted branches were most of that
 * time.
 */
static inline int
first_above(const double *a, int n, double value, bool or_equal)
{
	int			base = 0;
	int			len = n;

	while (len > 0)
	{
		int			half = len / 2;
		double		x = a[base + half];
		bool		below = or_equal ? x < value : x <= value;

		base = below ? base + half + 1 : base;
		len = below ? len - half - 1 : half;
	}
	return base;
}

/*
 * first_above() by walking on from *cursor, for values that come in
 * ascending order: one pass over a for all of them instead of a search per
 * value.  Any cursor at or below the answer gives the same answer.
 */
static inline int
walk_above(const double *a, int n, double value, bool or_equal, int *cursor)
{
	while (*cursor < n && (or_equal ? a[*cursor] < value : a[*cursor] <= value))
		(*cursor)++;
	return *cursor;
}

/* a category's label and its place in a model's list (for bsearch by label) */
typedef struct LabelIndex
{
	const char *label;
	int			index;
} LabelIndex;

extern int	compare_label_index(const void *a, const void *b);

/* ascending by value, ties by index (so the order never depends on qsort) */
extern void sort_value_indexes(ValueIndex *a, size_t n);
extern int	distinct_string_count(char *const *strings, int n);
extern int	sort_rows_by_value(const double *numbers, const bool *isnull, int nrows,
							   int *order);
extern double column_value_cdf(const ColumnModel *cm, double value);

/* the same lookup in O(log n), for many values of one column */
typedef struct CdfIndex
{
	int			npieces;
	double	   *max_lo;			/* prefix maxima of the pieces' ends */
	double	   *max_hi;
} CdfIndex;

extern void column_cdf_index_build(const ColumnModel *cm, CdfIndex *ix);
extern void column_cdf_index_free(CdfIndex *ix);
extern double column_value_cdf_indexed(const ColumnModel *cm, const CdfIndex *ix, double value);
extern void column_values_cdf_sorted(const ColumnModel *cm, const CdfIndex *ix,
									 const double *numbers, const int *order, int nvalues,
									 double *out);
extern int	category_draw(const ColumnModel *cm, double u);

#define CODE_NULL (-2)
#define CODE_RARE (-1)
extern void category_codes(const ColumnModel *cm, const SampleColumn *sc, int n, int *codes);

#endif							/* SYNTH_COLUMN_MODEL_H */
