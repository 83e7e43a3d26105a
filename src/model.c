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
	double		start,
				width;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (p[mid].cum > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	start = lo > 0 ? p[lo - 1].cum : 0.0;
	width = p[lo].cum - start;
	if (width <= 0.0 || p[lo].hi == p[lo].lo)
		return p[lo].lo;
	return p[lo].lo + (p[lo].hi - p[lo].lo) * ((u - start) / width);
}
