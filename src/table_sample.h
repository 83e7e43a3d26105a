/*-------------------------------------------------------------------------
 *
 * table_sample.h
 *	  The bounded sample of rows a fit learns from.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_TABLE_SAMPLE_H
#define SYNTH_TABLE_SAMPLE_H

/*
 * One column of the sample: numbers for numeric-kind columns, text forms
 * for categorical ones (the other array is NULL).
 */
typedef struct SampleColumn
{
	bool	   *isnull;
	double	   *numbers;
	char	  **strings;
} SampleColumn;

typedef struct TableSample
{
	int			ncolumns;
	int			nrows;			/* rows held */
	SampleColumn *columns;
} TableSample;

#endif							/* SYNTH_TABLE_SAMPLE_H */
