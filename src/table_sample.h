/*-------------------------------------------------------------------------
 *
 * table_sample.h
 *	  The bounded sample of rows a fit learns from.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_TABLE_SAMPLE_H
#define SYNTH_TABLE_SAMPLE_H

/* a categorical column's distinct strings, numbered (column_model.c) */
typedef struct SampleDictionary SampleDictionary;

/*
 * One column of the sample: numbers for numeric-kind columns, text forms
 * for categorical ones (the other array is NULL).  "order", when known (a
 * numeric column of a fit that builds groups), lists the rows with a value
 * in ascending order of it, ties in row order: a group's rows keep it, so
 * its column model needs no sort of its own.  "ids", when a fit builds
 * groups, numbers a categorical column's values in "dict" (-1 for NULL):
 * the groups count and look up numbers instead of hashing each string
 * again.  A column of mostly distinct values has neither.
 */
typedef struct SampleColumn
{
	bool	   *isnull;
	double	   *numbers;
	char	  **strings;
	int		   *order;
	int		   *ids;
	const SampleDictionary *dict;
} SampleColumn;

typedef struct TableSample
{
	int			ncolumns;
	int			nrows;			/* rows held */
	SampleColumn *columns;
} TableSample;

/* how many of the column's nrows rows have a value (the length of order) */
static inline int
sample_column_values(const SampleColumn *sc, int nrows)
{
	int			n = 0;
	int			r;

	for (r = 0; r < nrows; r++)
		n += !sc->isnull[r];
	return n;
}

/*
 * The rows of "sample" in each group 0 .. ngroups - 1 (row_group[r]; rows
 * of other groups are left out); with "with_order", each group keeps the
 * columns' order of values (SampleColumn.order).
 */
extern TableSample **sample_split(const TableSample *sample, const int *row_group,
								  int ngroups, bool with_order);

#endif							/* SYNTH_TABLE_SAMPLE_H */
