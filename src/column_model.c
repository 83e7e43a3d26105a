/*-------------------------------------------------------------------------
 *
 * column_model.c
 *	  Per-column distributions: how a column's values are learnt from a
 *	  sample of the table, and how a value is drawn from them.
 *
 * Numbers, dates and timestamps are modelled by a quantile function made of
 * atoms (values shared by at least min_group_size rows: the zeros of a
 * rainfall column, the levels of a coded column) and uniform segments over
 * the remaining values, each segment holding at least min_group_size rows.
 * A boundary between two segments is the midpoint of the two values either
 * side of the cut.  The outer ends are not the minimum and maximum: they are
 * placed so that the end segment's mean is the mean of the (at least
 * min_group_size) values it holds, and then kept between the means of the
 * min_group_size smallest and largest values.  So no stored number is any
 * single row's value, and samples stay inside the real range.
 *
 * Text, boolean and enum columns keep the values seen in at least
 * min_group_size rows with their frequencies.  The rarer values are pooled:
 * for text types the pooled share is emitted as fresh strings shaped like
 * the rare values (string_shape.c), for other types it is spread over the
 * kept values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "common/hashfn.h"

#include "column_model.h"
#include "string_shape.h"

/*
 * sort_doubles(values, n): ascending, with the comparison inlined
 * (PostgreSQL's sort template); a fit sorts every numeric column of its
 * sample and of every group's, and qsort's call per comparison was most of
 * that time.  Interruptible.
 */
#define ST_SORT sort_doubles
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_value_indexes_impl
#define ST_ELEMENT_TYPE ValueIndex
#define ST_COMPARE(a, b) ((a)->value != (b)->value ? ((a)->value < (b)->value ? -1 : 1) : \
						  ((a)->index > (b)->index) - ((a)->index < (b)->index))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * A hash table of the distinct strings of a categorical column and how
 * often each occurs (PostgreSQL's simplehash): the fit counts values in one
 * pass and sorts only the distinct ones.
 */
typedef struct StringCount
{
	const char *value;
	uint32		hash;
	int			count;
	char		status;
} StringCount;

#define SH_PREFIX string_counts
#define SH_ELEMENT_TYPE StringCount
#define SH_KEY_TYPE const char *
#define SH_KEY value
#define SH_HASH_KEY(tb, key) hash_bytes((const unsigned char *) (key), strlen(key))
#define SH_EQUAL(tb, a, b) (strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * A categorical column's distinct strings, numbered in the order first
 * seen; "index" finds a string's number (in its entry's "count").
 */
struct SampleDictionary
{
	string_counts_hash *index;
	int			nstrings;
	const char **strings;
};

/*
 * sample_dictionary_build: number the n rows' values of a categorical
 * sample column (sc->ids, -1 for NULL) in a dictionary of its distinct
 * strings (sc->dict), which the column's groups share.  The strings stay
 * the sample's own.  A column of mostly distinct values (an identifier, a
 * name) gets none: its groups take the table's model of it
 * (model_build.c), and a dictionary would hold as many entries as rows
 * for nothing.
 */
void
sample_dictionary_build(SampleColumn *sc, int n)
{
	SampleDictionary *dict = palloc(sizeof(SampleDictionary));
	int			r;

	dict->index = string_counts_create(CurrentMemoryContext, 256, NULL);
	dict->strings = palloc_extended(sizeof(char *) * Max(n, 1), MCXT_ALLOC_HUGE);
	dict->nstrings = 0;
	sc->ids = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (r = 0; r < n; r++)
	{
		StringCount *entry;
		bool		found;

		if ((r & 16383) == 0)
			CHECK_FOR_INTERRUPTS();
		if (sc->isnull[r])
		{
			sc->ids[r] = -1;
			continue;
		}
		entry = string_counts_insert(dict->index, sc->strings[r], &found);
		if (!found)
		{
			entry->count = dict->nstrings;
			dict->strings[dict->nstrings++] = entry->value;
		}
		sc->ids[r] = entry->count;
	}
	if (dict->nstrings > n / 2)
	{
		string_counts_destroy(dict->index);
		pfree(dict->strings);
		pfree(dict);
		pfree(sc->ids);
		sc->ids = NULL;
		return;
	}
	dict->strings = repalloc(dict->strings, sizeof(char *) * Max(dict->nstrings, 1));
	sc->dict = dict;
}

/*
 * Can the n rows of sc use its numbers?  Not when the dictionary is much
 * larger than the rows (a small group of a column of many values), where
 * an array over the dictionary would cost more than hashing the rows.
 */
static inline bool
use_ids(const SampleColumn *sc, int n)
{
	return sc->ids != NULL && sc->dict != NULL && sc->dict->nstrings <= 4 * n + 64;
}

/* qsort comparator: hash entries by their string */
static int
compare_string_count(const void *a, const void *b)
{
	return strcmp((*(StringCount *const *) a)->value, (*(StringCount *const *) b)->value);
}

/* how many distinct strings the n given ones hold */
int
distinct_string_count(char *const *strings, int n)
{
	string_counts_hash *table = string_counts_create(CurrentMemoryContext, 256, NULL);
	int			i,
				d;

	for (i = 0; i < n; i++)
	{
		bool		found;

		string_counts_insert(table, strings[i], &found);
	}
	d = table->members;
	string_counts_destroy(table);
	return d;
}

void
sort_value_indexes(ValueIndex *a, size_t n)
{
	sort_value_indexes_impl(a, n);
}

/*
 * sort_rows_by_value: the rows r < nrows that have a value (!isnull[r]) in
 * ascending order of numbers[r], ties in row order, into order[] (room for
 * nrows); returns their number.  A stable radix sort, least significant
 * byte first, of the doubles' bits made to sort as unsigned integers (the
 * sign bit flipped, and every bit of a negative number); a byte that every
 * value shares is skipped.  Linear in the rows: a fit orders every numeric
 * column, and this is several times faster than comparing.  Values are
 * finite (the reader makes NaN and infinities NULL); -0 sorts as 0.
 */
int
sort_rows_by_value(const double *numbers, const bool *isnull, int nrows, int *order)
{
	uint64	   *key = palloc_extended(sizeof(uint64) * Max(nrows, 1), MCXT_ALLOC_HUGE);
	uint64	   *key_to = palloc_extended(sizeof(uint64) * Max(nrows, 1), MCXT_ALLOC_HUGE);
	int		   *row_to = palloc_extended(sizeof(int) * Max(nrows, 1), MCXT_ALLOC_HUGE);
	int		   *row = order;
	int			count[8][256];
	int			n = 0,
				i,
				b;

	memset(count, 0, sizeof(count));
	for (i = 0; i < nrows; i++)
	{
		double		v;
		uint64		bits;

		if (isnull[i])
			continue;
		v = numbers[i] == 0.0 ? 0.0 : numbers[i];
		memcpy(&bits, &v, sizeof(bits));
		bits = (bits >> 63) ? ~bits : bits | UINT64CONST(0x8000000000000000);
		key[n] = bits;
		row[n++] = i;
		for (b = 0; b < 8; b++)
			count[b][(bits >> (8 * b)) & 0xFF]++;
	}
	for (b = 0; b < 8; b++)
	{
		int			start[256];
		int			total = 0;
		int			d;
		uint64	   *swap_key;
		int		   *swap_row;

		CHECK_FOR_INTERRUPTS();
		if (n == 0 || count[b][(key[0] >> (8 * b)) & 0xFF] == n)
			continue;			/* every value has this byte */
		for (d = 0; d < 256; d++)
		{
			start[d] = total;
			total += count[b][d];
		}
		for (i = 0; i < n; i++)
		{
			int			at = start[(key[i] >> (8 * b)) & 0xFF]++;

			key_to[at] = key[i];
			row_to[at] = row[i];
		}
		swap_key = key;
		key = key_to;
		key_to = swap_key;
		swap_row = row;
		row = row_to;
		row_to = swap_row;
	}
	if (row != order)
	{
		memcpy(order, row, sizeof(int) * n);
		row_to = row;
	}
	pfree(key);
	pfree(key_to);
	pfree(row_to);
	return n;
}

/* qsort comparator for doubles, ascending */
int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

int
compare_cstring(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
compare_piece(const void *a, const void *b)
{
	const QuantilePiece *x = a;
	const QuantilePiece *y = b;
	double		mx = x->lo + x->hi;
	double		my = y->lo + y->hi;

	return (mx > my) - (mx < my);
}

static int
compare_int_desc(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (y > x) - (y < x);
}

/* mean of sorted[from .. from+count-1], clamped to the array */
static double
window_mean(const double *sorted, int n, int from, int count)
{
	double		s = 0.0;
	int			i;

	if (from < 0)
		from = 0;
	if (from + count > n)
		from = n - count;
	if (from < 0)
	{
		from = 0;
		count = n;
	}
	for (i = from; i < from + count; i++)
		s += sorted[i];
	if (!isfinite(s))
	{
		/* values near the largest double: the mean without the overflow */
		s = 0.0;
		for (i = from; i < from + count; i++)
			s += sorted[i] / count;
		return s;
	}
	return s / count;
}

/* (a + b) / 2 without overflow near the largest double */
static inline double
midpoint(double a, double b)
{
	double		s = a + b;

	return isfinite(s) ? s / 2.0 : a / 2.0 + b / 2.0;
}

/*
 * quantile_fit: learn a quantile function from n values sorted ascending.
 *
 * A value repeated in at least max(min_group_size, the count that keeps the
 * number of atoms under QUANTILE_MAX_ATOMS) rows becomes an atom.  The other
 * values, in order, are cut into segments of at least min_group_size values
 * (more when there are many, to stay under QUANTILE_MAX_SEGMENTS); a leftover
 * of fewer than min_group_size values joins the last segment.  If fewer than
 * min_group_size non-atom values exist at all, they are dropped and the
 * atoms share their probability.  qf->npieces is 0 when nothing could be
 * kept (fewer than min_group_size values in all).
 */
void
quantile_fit(QuantileFunction *qf, double *sorted, int n, int min_group_size)
{
	int			mgs = Max(min_group_size, 1);
	int			atom_min = mgs;
	int			nruns = 0;
	int		   *runlen;
	double	   *rest;
	int			nrest = 0;
	int			natoms = 0;
	int			i,
				j;
	QuantilePiece *pieces;
	int			npieces = 0;
	double		total = 0.0;

	qf->npieces = 0;
	qf->pieces = NULL;
	if (n < mgs || n <= 0)
		return;

	/* run lengths of equal values decide the atom threshold */
	runlen = palloc(sizeof(int) * n);
	for (i = 0; i < n; i = j)
	{
		for (j = i + 1; j < n && sorted[j] == sorted[i]; j++)
			;
		runlen[nruns++] = j - i;
	}
	if (nruns > QUANTILE_MAX_ATOMS)
	{
		int		   *counts = palloc(sizeof(int) * nruns);

		memcpy(counts, runlen, sizeof(int) * nruns);
		qsort(counts, nruns, sizeof(int), compare_int_desc);
		if (counts[QUANTILE_MAX_ATOMS] >= atom_min)
			atom_min = counts[QUANTILE_MAX_ATOMS] + 1;
		pfree(counts);
	}

	pieces = palloc(sizeof(QuantilePiece) * (QUANTILE_MAX_ATOMS + QUANTILE_MAX_SEGMENTS + 2));
	rest = palloc(sizeof(double) * n);

	/* atoms, and the remaining values in order */
	for (i = 0; i < n; i = j)
	{
		for (j = i + 1; j < n && sorted[j] == sorted[i]; j++)
			;
		if (j - i >= atom_min && natoms < QUANTILE_MAX_ATOMS)
		{
			pieces[npieces].lo = pieces[npieces].hi = sorted[i];
			pieces[npieces].cum = j - i;	/* a count until normalised */
			npieces++;
			natoms++;
		}
		else
		{
			memcpy(rest + nrest, sorted + i, sizeof(double) * (j - i));
			nrest += j - i;
		}
	}

	/* segments over the rest */
	if (nrest >= mgs)
	{
		int			seg = Max(mgs, (nrest + QUANTILE_MAX_SEGMENTS - 1) / QUANTILE_MAX_SEGMENTS);
		int			nseg = Max(nrest / seg, 1);
		double	   *bound = palloc(sizeof(double) * (nseg + 1));

		for (i = 1; i < nseg; i++)
		{
			int			cut = (int) ((int64) nrest * i / nseg);

			bound[i] = midpoint(rest[cut - 1], rest[cut]);
		}
		if (nseg == 1)
		{
			/* one segment: the uniform with the values' mean and variance */
			double		m = window_mean(rest, nrest, 0, nrest);
			double		ss = 0.0;

			for (i = 0; i < nrest; i++)
				ss += (rest[i] - m) * (rest[i] - m);
			bound[0] = m - sqrt(3.0 * ss / nrest);
			bound[1] = m + sqrt(3.0 * ss / nrest);
		}
		else
		{
			/* outer ends: the uniform whose mean is the end segment's mean */
			int			first_end = (int) ((int64) nrest / nseg);
			int			last_start = (int) ((int64) nrest * (nseg - 1) / nseg);

			bound[0] = 2.0 * window_mean(rest, nrest, 0, first_end) - bound[1];
			bound[nseg] = 2.0 * window_mean(rest, nrest, last_start, nrest - last_start) - bound[nseg - 1];
		}
		/* keep the sign of a column that never changes sign */
		if (rest[0] >= 0.0 && bound[0] < 0.0)
			bound[0] = 0.0;
		if (rest[nrest - 1] <= 0.0 && bound[nseg] > 0.0)
			bound[nseg] = 0.0;

		for (i = 0; i < nseg; i++)
		{
			int			start = (int) ((int64) nrest * i / nseg);
			int			end = (int) ((int64) nrest * (i + 1) / nseg);	/* exclusive */

			pieces[npieces].lo = bound[i];
			pieces[npieces].hi = Max(bound[i + 1], bound[i]);
			pieces[npieces].cum = end - start;
			npieces++;
		}
		pfree(bound);
	}
	pfree(rest);
	pfree(runlen);

	/*
	 * Keep every segment inside the column's range as the model may state it:
	 * from the mean of the min_group_size smallest values to the mean of the
	 * largest (or the outermost atom).  An end segment whose values are
	 * spread between atoms would otherwise extrapolate far past the data.
	 */
	{
		double		lo_safe = window_mean(sorted, n, 0, mgs);
		double		hi_safe = window_mean(sorted, n, n - mgs, mgs);

		for (i = 0; i < npieces; i++)
			if (pieces[i].lo == pieces[i].hi && pieces[i].cum >= atom_min)
			{
				lo_safe = Min(lo_safe, pieces[i].lo);
				hi_safe = Max(hi_safe, pieces[i].hi);
			}
		for (i = 0; i < npieces; i++)
		{
			pieces[i].lo = Max(lo_safe, Min(hi_safe, pieces[i].lo));
			pieces[i].hi = Max(lo_safe, Min(hi_safe, pieces[i].hi));
		}
	}

	if (npieces == 0)
	{
		pfree(pieces);
		return;
	}

	/* order by position, then turn counts into cumulative probabilities */
	qsort(pieces, npieces, sizeof(QuantilePiece), compare_piece);
	for (i = 0; i < npieces; i++)
		total += pieces[i].cum;
	{
		double		acc = 0.0;

		for (i = 0; i < npieces; i++)
		{
			acc += pieces[i].cum;
			pieces[i].cum = Min(acc / total, 1.0);
		}
		pieces[npieces - 1].cum = 1.0;
	}
	qf->npieces = npieces;
	qf->pieces = pieces;
}

/*
 * Digits after the decimal point needed to write v exactly (up to 6), or -1
 * when v needs more.  Used to give synthetic floats the precision the real
 * column was recorded with.  The tolerance is relative to the scaled value
 * and far above a double's rounding (0.1 * 10 is 1.0000000000000000555) but
 * far below any recorded digit: a value below 1e-9 is not "0 with a
 * rounding error" (a column of p-values would come back as zeros), nor are
 * the milliseconds of 1700000000.123 epoch seconds rounding.
 */
int
decimals_of(double v)
{
	int			d;
	double		scale = 1.0;

	for (d = 0; d <= 6; d++)
	{
		double		x = v * scale;

		if (fabs(x - rint(x)) <= 1e-12 * fabs(x))
			return d;
		scale *= 10.0;
	}
	return -1;
}

static int64
gcd64(int64 a, int64 b)
{
	while (b != 0)
	{
		int64		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Does the step g of the sorted values (at "scale") survive the loss of any
 * mgs - 1 rows?  A sufficient test: the values shared by at least mgs rows
 * (atoms) survive any such loss; the other rows are dealt into mgs groups,
 * each row, in order, to the first of a few groups whose step it refines,
 * and if the atoms with each group alone give g, whichever rows are lost
 * one group is left whole, so g stays.
 */
#define STEP_GROUPS_TRIED 16
static bool
step_survives_losses(const double *sorted, int n, double scale, int mgs, int64 g)
{
	int64		atoms_gcd = 0,
				ref = 0;
	bool		have_ref = false;
	int64	   *group_gcd;
	int64	   *group_ref;
	bool	   *group_has;
	int		   *open;
	int			nopen = mgs,
				next = 0,
				i,
				j,
				k;
	bool		survives;

	/* fewer rows than groups: no value is an atom, and a group stays empty */
	if (mgs > n)
		return false;
	group_gcd = palloc0(sizeof(int64) * mgs);
	group_ref = palloc(sizeof(int64) * mgs);
	group_has = palloc0(sizeof(bool) * mgs);
	open = palloc(sizeof(int) * mgs);

	for (i = 0; i < n; i = j)
	{
		double		x = sorted[i] * scale;
		int64		v;

		for (j = i + 1; j < n && sorted[j] == sorted[i]; j++)
			;
		if (j - i < mgs || fabs(x) > 9.0e15)
			continue;
		v = (int64) rint(x);
		if (!have_ref)
		{
			ref = v;
			have_ref = true;
		}
		else
			atoms_gcd = gcd64(atoms_gcd, v - ref);
	}
	for (k = 0; k < mgs; k++)
	{
		open[k] = k;
		group_gcd[k] = atoms_gcd;
		if (have_ref)
		{
			group_ref[k] = ref;
			group_has[k] = true;
		}
	}
	/* groups the atoms alone complete need nothing more */
	if (have_ref && atoms_gcd == g)
		nopen = 0;

	for (i = 0; i < n && nopen > 0; i = j)
	{
		int64		v = (int64) rint(sorted[i] * scale);
		int			r;

		for (j = i + 1; j < n && sorted[j] == sorted[i]; j++)
			;
		if (j - i >= mgs)
			continue;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		for (r = i; r < j && nopen > 0; r++)
		{
			int			tries;

			for (tries = 0; tries < Min(nopen, STEP_GROUPS_TRIED); tries++)
			{
				int			slot = (next + tries) % nopen;
				int			grp = open[slot];
				int64		refined;

				if (!group_has[grp])
				{
					group_ref[grp] = v;
					group_has[grp] = true;
					break;
				}
				refined = gcd64(group_gcd[grp], v - group_ref[grp]);
				if (refined < 0)
					refined = -refined;
				if (refined == group_gcd[grp])
					continue;
				group_gcd[grp] = refined;
				if (refined == g)
					open[slot] = open[--nopen];		/* complete */
				break;
			}
			next = nopen > 0 ? (next + 1) % nopen : 0;
		}
	}
	survives = nopen == 0;
	pfree(group_gcd);
	pfree(group_ref);
	pfree(group_has);
	pfree(open);
	return survives;
}

/*
 * The lattice the values lie on, at the column's recorded precision: body
 * masses in steps of 25 g, timestamps in whole minutes, weekly dates.  The
 * step is the greatest common divisor of the differences between values;
 * only the step and the offset modulo the step are kept.
 *
 * Privacy: a step must not pin a few rows.  A thousand zeros and one bonus
 * of 98765.43 have that bonus as their step, and six rare multiples of
 * 137,500 beside the zeros make 137,500 the lattice, which then gives
 * those values back exactly.  So a step is kept only if it survives the
 * loss of any min_group_size - 1 rows (step_survives_losses).  With
 * min_group_size 1 the protection is off.
 *
 * A value too large to be an exact integer at that precision (a timestamp
 * after 2285, the "open end" 9999-12-31) leaves no lattice, unless it is an
 * atom that lies on the lattice of the others.
 */
static void
find_step(ColumnModel *cm, const double *sorted, int n, int mgs)
{
	double		scale;
	int64		base = 0,
				g = 0;
	bool		have_base = false;
	int			i,
				j;

	if (cm->decimals < 0 || cm->decimals > 9 || n < 2)
		return;
	scale = pow(10.0, cm->decimals);

	/* the step over every value (far atoms aside) */
	for (i = 0; i < n; i = j)
	{
		double		x = sorted[i] * scale;

		for (j = i + 1; j < n && sorted[j] == sorted[i]; j++)
			;
		if (fabs(x) > 9.0e15)
		{
			if (mgs > 1 && j - i >= mgs && fabs(x) < 9.0e18)
				continue;		/* checked against the step below */
			return;
		}
		if (fabs(x - rint(x)) > 1e-6 * Max(1.0, fabs(x)))
			return;
		if (!have_base)
		{
			base = (int64) rint(x);
			have_base = true;
			continue;
		}
		g = gcd64(g, (int64) rint(x) - base);
		if (g == 1)
			return;
	}
	if (g < 2)
		return;
	for (i = 0; i < n; i++)
		if (fabs(sorted[i] * scale) > 9.0e15 &&
			(((int64) (sorted[i] * scale) - base) % g) != 0)
			return;

	/* the step must not rest on fewer than min_group_size rows */
	if (mgs > 1 && !step_survives_losses(sorted, n, scale, mgs, g))
		return;
	cm->step = (double) g / scale;
	cm->step_offset = (double) (((base % g) + g) % g) / scale;
}

/*
 * column_fit_numeric: values are the column's non-NULL values in the fitting
 * sample (sorted here, in place), nrows the sample's row count.
 */
void
column_fit_numeric(ColumnModel *cm, double *values, int nvalues, int64 nrows,
				   int decimals, int min_group_size)
{
	cm->kind = COLUMN_NUMERIC;
	cm->decimals = decimals;
	cm->step = 0.0;
	cm->step_offset = 0.0;
	sort_doubles(values, nvalues);
	find_step(cm, values, nvalues, Max(min_group_size, 1));
	quantile_fit(&cm->quantiles, values, nvalues, min_group_size);
	if (cm->quantiles.npieces == 0)
		cm->null_frac = 1.0;	/* too few values to keep any privately */
	else
		cm->null_frac = nrows > 0 ? (double) (nrows - nvalues) / nrows : 0.0;
}

/*
 * The model of a categorical column from its counts: "labels" and "counts"
 * the nlabels values seen in at least min_group_size rows (nkept rows in
 * all), in order of their strings; "rare" the nrare rows' values seen in
 * fewer (rare_distinct distinct ones), in any order.  Consumes the arrays.
 */
static void
categorical_from_counts(ColumnModel *cm, char **labels, int *counts, int nlabels, int nkept,
						char **rare, int nrare, int rare_distinct, int nvalues, int64 nrows,
						bool fresh_strings, int mgs)
{
	int			i,
				j;
	double		kept_total;

	cm->kind = COLUMN_CATEGORICAL;
	cm->ncategories = 0;
	cm->labels = NULL;
	cm->category_cum = NULL;
	cm->other_prob = 0.0;
	cm->shape = NULL;

	/* the rare values' shape is kept only if it summarises enough of them */
	if (fresh_strings && rare_distinct >= mgs)
	{
		cm->shape = string_shape_fit(rare, nrare, mgs);
		if (cm->shape == NULL)
			nrare = 0;
	}
	else
		nrare = 0;				/* their share goes to the kept values */

	kept_total = nkept + nrare;
	if (kept_total <= 0)
	{
		/* nothing storable: the column is sampled as NULL */
		cm->null_frac = 1.0;
		pfree(labels);
		pfree(counts);
		pfree(rare);
		return;
	}
	cm->null_frac = nrows > 0 ? (double) (nrows - nvalues) / nrows : 0.0;

	/* most frequent first (ties by label, for a stable model) */
	for (i = 1; i < nlabels; i++)
	{
		char	   *l = labels[i];
		int			c = counts[i];

		for (j = i - 1; j >= 0 && counts[j] < c; j--)
		{
			labels[j + 1] = labels[j];
			counts[j + 1] = counts[j];
		}
		labels[j + 1] = l;
		counts[j + 1] = c;
	}

	cm->ncategories = nlabels;
	cm->labels = palloc(sizeof(char *) * Max(nlabels, 1));
	cm->category_cum = palloc(sizeof(double) * Max(nlabels, 1));
	{
		double		acc = 0.0;

		for (i = 0; i < nlabels; i++)
		{
			cm->labels[i] = pstrdup(labels[i]);
			acc += counts[i];
			cm->category_cum[i] = Min(acc / kept_total, 1.0);
		}
	}
	cm->other_prob = nrare / kept_total;
	if (nrare == 0 && nlabels > 0)
		cm->category_cum[nlabels - 1] = 1.0;
	pfree(labels);
	pfree(counts);
	pfree(rare);
}

/*
 * column_fit_categorical: values are the non-NULL values' text forms.
 * fresh_strings says whether the type can take made-up strings (text,
 * varchar, char) for the pooled rare values.
 */
void
column_fit_categorical(ColumnModel *cm, char **values, int nvalues, int64 nrows,
					   bool fresh_strings, int min_group_size)
{
	int			mgs = Max(min_group_size, 1);
	int			i,
				k;
	int			nkept = 0;
	int			nrare = 0;
	int			rare_distinct = 0;
	int			nlabels = 0;
	char	  **rare;
	int		   *counts;
	char	  **labels;

	/* count the distinct values in one pass, then order only those */
	{
		string_counts_hash *table = string_counts_create(CurrentMemoryContext, 256, NULL);
		string_counts_iterator it;
		StringCount *entry;
		StringCount **distinct;
		int			ndistinct = 0;

		for (i = 0; i < nvalues; i++)
		{
			bool		found;

			if ((i & 16383) == 0)
				CHECK_FOR_INTERRUPTS();
			entry = string_counts_insert(table, values[i], &found);
			entry->count = found ? entry->count + 1 : 1;
		}
		/*
		 * The kept values (their entries), in the order of the labels; the
		 * rare ones in any order (their shape does not depend on it), so an
		 * identifier column sorts nothing.
		 */
		distinct = palloc(sizeof(StringCount *) * Max(table->members, 1));
		rare = palloc(sizeof(char *) * Max(nvalues, 1));
		string_counts_start_iterate(table, &it);
		while ((entry = string_counts_iterate(table, &it)) != NULL)
		{
			if (entry->count >= mgs)
				distinct[ndistinct++] = entry;
			else
			{
				for (k = 0; k < entry->count; k++)
					rare[nrare++] = (char *) entry->value;
				rare_distinct++;
			}
		}
		qsort(distinct, ndistinct, sizeof(StringCount *), compare_string_count);

		labels = palloc(sizeof(char *) * Max(ndistinct, 1));
		counts = palloc(sizeof(int) * Max(ndistinct, 1));
		for (i = 0; i < ndistinct; i++)
		{
			labels[nlabels] = (char *) distinct[i]->value;
			counts[nlabels] = distinct[i]->count;
			nlabels++;
			nkept += distinct[i]->count;
		}
		pfree(distinct);
		string_counts_destroy(table);
	}

	categorical_from_counts(cm, labels, counts, nlabels, nkept, rare, nrare, rare_distinct,
							nvalues, nrows, fresh_strings, mgs);
}

/* a kept value and its count, to put in order of the strings */
typedef struct KeptValue
{
	const char *value;
	int			count;
} KeptValue;

static int
compare_kept_value(const void *a, const void *b)
{
	return strcmp(((const KeptValue *) a)->value, ((const KeptValue *) b)->value);
}

/*
 * column_fit_categorical_ids: column_fit_categorical() of the n rows of a
 * sample column, counting its values by their numbers where it has them
 * (sample_dictionary_build): the same model without hashing each string.
 */
void
column_fit_categorical_ids(ColumnModel *cm, const SampleColumn *sc, int n,
						   bool fresh_strings, int min_group_size)
{
	const SampleDictionary *dict = sc->dict;
	int			mgs = Max(min_group_size, 1);
	int		   *count;
	KeptValue  *kept;
	char	  **labels;
	int		   *counts;
	char	  **rare;
	int			nvalues = 0,
				nlabels = 0,
				nkept = 0,
				nrare = 0,
				rare_distinct = 0;
	int			i,
				k,
				r;

	if (!use_ids(sc, n))
	{
		char	  **values = palloc_extended(sizeof(char *) * Max(n, 1), MCXT_ALLOC_HUGE);

		for (r = 0; r < n; r++)
			if (!sc->isnull[r])
				values[nvalues++] = sc->strings[r];
		column_fit_categorical(cm, values, nvalues, n, fresh_strings, min_group_size);
		pfree(values);
		return;
	}

	count = palloc0(sizeof(int) * Max(dict->nstrings, 1));
	for (r = 0; r < n; r++)
		if (!sc->isnull[r])
		{
			count[sc->ids[r]]++;
			nvalues++;
		}
	kept = palloc(sizeof(KeptValue) * Max(dict->nstrings, 1));
	rare = palloc(sizeof(char *) * Max(nvalues, 1));
	for (i = 0; i < dict->nstrings; i++)
	{
		if (count[i] >= mgs)
		{
			kept[nlabels].value = dict->strings[i];
			kept[nlabels].count = count[i];
			nlabels++;
			nkept += count[i];
		}
		else if (count[i] > 0)
		{
			for (k = 0; k < count[i]; k++)
				rare[nrare++] = (char *) dict->strings[i];
			rare_distinct++;
		}
	}
	qsort(kept, nlabels, sizeof(KeptValue), compare_kept_value);
	labels = palloc(sizeof(char *) * Max(nlabels, 1));
	counts = palloc(sizeof(int) * Max(nlabels, 1));
	for (i = 0; i < nlabels; i++)
	{
		labels[i] = (char *) kept[i].value;
		counts[i] = kept[i].count;
	}
	pfree(kept);
	pfree(count);
	categorical_from_counts(cm, labels, counts, nlabels, nkept, rare, nrare, rare_distinct,
							nvalues, n, fresh_strings, mgs);
}

/*
 * Index of the category whose cumulative interval holds u in [0, 1), or
 * -1 for the pooled "other" share.
 */
int
category_draw(const ColumnModel *cm, double u)
{
	int			lo = 0,
				hi = cm->ncategories - 1;

	if (cm->ncategories == 0 || u >= cm->category_cum[cm->ncategories - 1])
		return -1;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (cm->category_cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * column_cdf_index_build: prefix maxima of the pieces' ends, so that
 * column_value_cdf_indexed() finds in O(log n) the piece the linear walk of
 * column_value_cdf() stops at (pieces ascend in probability, but an atom
 * may lie inside a neighbouring range).  Allocates in the current context.
 */
void
column_cdf_index_build(const ColumnModel *cm, CdfIndex *ix)
{
	const QuantileFunction *qf = &cm->quantiles;
	int			i;

	ix->npieces = qf->npieces;
	ix->max_lo = palloc(sizeof(double) * Max(qf->npieces, 1));
	ix->max_hi = palloc(sizeof(double) * Max(qf->npieces, 1));
	for (i = 0; i < qf->npieces; i++)
	{
		ix->max_lo[i] = i > 0 ? Max(ix->max_lo[i - 1], qf->pieces[i].lo) : qf->pieces[i].lo;
		ix->max_hi[i] = i > 0 ? Max(ix->max_hi[i - 1], qf->pieces[i].hi) : qf->pieces[i].hi;
	}
}

void
column_cdf_index_free(CdfIndex *ix)
{
	pfree(ix->max_lo);
	pfree(ix->max_hi);
}

/* the cumulative probability of a value that piece i is the one for */
static inline double
cdf_in_piece(const QuantileFunction *qf, int i, double value)
{
	const QuantilePiece *p;
	double		prev;

	if (i >= qf->npieces)
		return 1.0;
	p = &qf->pieces[i];
	prev = i > 0 ? qf->pieces[i - 1].cum : 0.0;
	if (value < p->lo)
		return prev;
	if (p->hi == p->lo)
		return (prev + p->cum) / 2.0;
	return prev + (p->cum - prev) * (value - p->lo) / (p->hi - p->lo);
}

/* column_value_cdf(cm, value), with the index of column_cdf_index_build() */
double
column_value_cdf_indexed(const ColumnModel *cm, const CdfIndex *ix, double value)
{
	int			i = Min(first_above(ix->max_hi, ix->npieces, value, true),
						first_above(ix->max_lo, ix->npieces, value, false));

	return cdf_in_piece(&cm->quantiles, i, value);
}

/*
 * column_values_cdf_sorted: out[order[k]] = column_value_cdf_indexed() of
 * numbers[order[k]] for k < nvalues, the values ascending with k (a sample
 * column's order).  Both searches of the indexed lookup only move forward
 * as the value grows: one walk along the pieces replaces them.
 */
void
column_values_cdf_sorted(const ColumnModel *cm, const CdfIndex *ix, const double *numbers,
						 const int *order, int nvalues, double *out)
{
	int			by_hi = 0,		/* first piece with max_hi >= value */
				by_lo = 0;		/* first piece with max_lo > value */
	int			k;

	for (k = 0; k < nvalues; k++)
	{
		double		value = numbers[order[k]];
		int			i = Min(walk_above(ix->max_hi, ix->npieces, value, true, &by_hi),
							walk_above(ix->max_lo, ix->npieces, value, false, &by_lo));

		out[order[k]] = cdf_in_piece(&cm->quantiles, i, value);
	}
}

/*
 * The cumulative probability of a numeric value under the column's quantile
 * function (the inverse of quantile_sample), NULLs not counted.  For an atom
 * this is the middle of its interval.
 */
double
column_value_cdf(const ColumnModel *cm, double value)
{
	const QuantileFunction *qf = &cm->quantiles;
	double		prev = 0.0;
	int			i;

	for (i = 0; i < qf->npieces; i++)
	{
		const QuantilePiece *p = &qf->pieces[i];

		if (value < p->lo)
			return prev;
		if (value <= p->hi)
		{
			if (p->hi == p->lo)
				return (prev + p->cum) / 2.0;
			return prev + (p->cum - prev) * (value - p->lo) / (p->hi - p->lo);
		}
		prev = p->cum;
	}
	return 1.0;
}

/* LabelIndex by label, for qsort and bsearch */
int
compare_label_index(const void *a, const void *b)
{
	return strcmp(((const LabelIndex *) a)->label, ((const LabelIndex *) b)->label);
}

/*
 * category_codes: for each of the n sample rows of a categorical column, the
 * index of its value among the kept categories, CODE_RARE for a pooled rare
 * value, CODE_NULL for NULL.
 */
void
category_codes(const ColumnModel *cm, const SampleColumn *sc, int n, int *codes)
{
	string_counts_hash *index = NULL;	/* label -> its index, in "count" */
	int			i;

	if (use_ids(sc, n))
	{
		/* each number's code, from the labels' numbers */
		int		   *code_of = palloc(sizeof(int) * Max(sc->dict->nstrings, 1));

		for (i = 0; i < sc->dict->nstrings; i++)
			code_of[i] = CODE_RARE;
		for (i = 0; i < cm->ncategories; i++)
		{
			StringCount *hit = string_counts_lookup(sc->dict->index, cm->labels[i]);

			if (hit)
				code_of[hit->count] = i;
		}
		for (i = 0; i < n; i++)
			codes[i] = sc->isnull[i] ? CODE_NULL : code_of[sc->ids[i]];
		pfree(code_of);
		return;
	}

	if (cm->ncategories > 0)
	{
		index = string_counts_create(CurrentMemoryContext, Max(cm->ncategories * 2, 16), NULL);
		for (i = 0; i < cm->ncategories; i++)
		{
			bool		found;

			string_counts_insert(index, cm->labels[i], &found)->count = i;
		}
	}
	for (i = 0; i < n; i++)
	{
		StringCount *hit;

		if (sc->isnull[i])
		{
			codes[i] = CODE_NULL;
			continue;
		}
		hit = index ? string_counts_lookup(index, sc->strings[i]) : NULL;
		codes[i] = hit ? hit->count : CODE_RARE;
	}
	if (index)
		string_counts_destroy(index);
}
