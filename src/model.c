/*-------------------------------------------------------------------------
 *
 * model.c
 *	  Small helpers shared by every part that reads a model.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "model.h"

const char *
column_kind_name(ColumnKind kind)
{
	switch (kind)
	{
		case COLUMN_EXCLUDED:
			return "excluded";
		case COLUMN_NUMERIC:
			return "numeric";
		case COLUMN_CATEGORICAL:
			return "categorical";
		case COLUMN_UUID:
			return "uuid";
	}
	return "unknown";
}

/* linear interpolation inside piece i for probability u */
static inline double
piece_value(const QuantilePiece *p, int i, double u)
{
	double		start = i > 0 ? p[i - 1].cum : 0.0;
	double		width = p[i].cum - start;

	if (width <= 0.0 || p[i].hi == p[i].lo)
		return p[i].lo;
	return p[i].lo + (p[i].hi - p[i].lo) * ((u - start) / width);
}

/*
 * The value of quantile function "qf" at probability u in [0, 1): find the
 * piece whose cumulative interval holds u (binary search) and interpolate
 * linearly inside it; an atom (lo == hi) gives its value.
 */
double
quantile_sample(const QuantileFunction *qf, double u)
{
	const QuantilePiece *p = qf->pieces;
	int			lo = 0,
				hi = qf->npieces - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (p[mid].cum > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return piece_value(p, lo, u);
}

/* build the guide table of qf (twice as many entries as pieces) */
void
quantile_guide_build(const QuantileFunction *qf, QuantileGuide *guide)
{
	int			k,
				i = 0;

	guide->size = Max(2 * qf->npieces, 1);
	guide->start = palloc(sizeof(int) * guide->size);
	for (k = 0; k < guide->size; k++)
	{
		double		u = (double) k / guide->size;

		while (i < qf->npieces - 1 && qf->pieces[i].cum <= u)
			i++;
		guide->start[k] = i;
	}
}

/* quantile_sample() with a guide table: the same value, found faster */
double
quantile_sample_guided(const QuantileFunction *qf, const QuantileGuide *guide, double u)
{
	const QuantilePiece *p = qf->pieces;
	int			k = (int) (u * guide->size);
	int			i;

	if (k >= guide->size)
		k = guide->size - 1;
	i = guide->start[k];
	while (i < qf->npieces - 1 && p[i].cum <= u)
		i++;
	return piece_value(p, i, u);
}
