/*-------------------------------------------------------------------------
 *
 * string_shape.c
 *	  Learn the shape of a set of strings and make up new ones of that shape.
 *
 * Identifiers, names, titles and rare values are never stored.  What is kept
 * is their length distribution (a quantile function, so lengths are pooled
 * over at least min_group_size values like any number) and, for each eighth
 * of a string's length, how often a character is an upper-case letter, a
 * lower-case letter, a digit, a space or something else.  New strings drawn
 * from that are random within each class ("Xkqrt Bvaln" for a name), so they
 * read like the real column without being any real value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "column_model.h"
#include "string_shape.h"

/* the "other" characters fresh strings are made of */
static const char other_chars[] = "-.'";

enum
{
	CLASS_UPPER = 0,
	CLASS_LOWER,
	CLASS_DIGIT,
	CLASS_SPACE,
	CLASS_OTHER
};

static int
char_class(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return CLASS_UPPER;
	if (c >= 'a' && c <= 'z')
		return CLASS_LOWER;
	if (c >= '0' && c <= '9')
		return CLASS_DIGIT;
	if (c == ' ')
		return CLASS_SPACE;
	return CLASS_OTHER;
}

/*
 * The class a fitted string's byte counts in: a byte of a multibyte
 * character (an accented or non-Latin letter, nearly always) as a lower-case
 * letter, so that "Ünïcødé" makes letters and not punctuation; fresh strings
 * are ASCII, so such a character comes back as one letter per byte.
 */
static int
fit_class(unsigned char c)
{
	return c >= 0x80 ? CLASS_LOWER : char_class(c);
}

/*
 * string_shape_radix: how many characters of its class a fresh string may
 * hold where it holds c (1 where c is not one a fresh string is made of: a
 * space, other punctuation, a byte of a multibyte character).
 */
int
string_shape_radix(unsigned char c)
{
	switch (char_class(c))
	{
		case CLASS_UPPER:
		case CLASS_LOWER:
			return 26;
		case CLASS_DIGIT:
			return 10;
		case CLASS_OTHER:
			return c != '\0' && strchr(other_chars, c) != NULL ? (int) (sizeof(other_chars) - 1) : 1;
		default:
			return 1;
	}
}

/*
 * string_shape_class_char: the digit-th character (digit below
 * string_shape_radix(c)) of c's class.
 */
char
string_shape_class_char(unsigned char c, int digit)
{
	switch (char_class(c))
	{
		case CLASS_UPPER:
			return 'A' + digit;
		case CLASS_LOWER:
			return 'a' + digit;
		case CLASS_DIGIT:
			return '0' + digit;
		default:
			return other_chars[digit];
	}
}

/*
 * string_shape_fit: the shape of nvalues strings, or NULL if there are too
 * few to pool (fewer than min_group_size).  Lengths are in bytes of the
 * strings' text form; each byte of a multibyte character counts as a
 * lower-case letter.
 */
StringShape *
string_shape_fit(char **values, int nvalues, int min_group_size)
{
	StringShape *shape;
	double	   *lengths;
	double		counts[SHAPE_POSITIONS][SHAPE_CLASSES];
	int			i,
				b,
				c;

	if (nvalues < Max(min_group_size, 1))
		return NULL;

	memset(counts, 0, sizeof(counts));
	lengths = palloc(sizeof(double) * nvalues);
	for (i = 0; i < nvalues; i++)
	{
		const char *s = values[i];
		int			len = strlen(s);

		lengths[i] = Min(len, STRING_SHAPE_MAX_LENGTH);
		for (c = 0; c < len; c++)
			counts[(int) ((int64) c * SHAPE_POSITIONS / len)][fit_class((unsigned char) s[c])] += 1.0;
	}
	qsort(lengths, nvalues, sizeof(double), compare_doubles);

	shape = palloc0(sizeof(StringShape));
	quantile_fit(&shape->length, lengths, nvalues, min_group_size);
	pfree(lengths);
	if (shape->length.npieces == 0)
	{
		pfree(shape);
		return NULL;
	}

	for (b = 0; b < SHAPE_POSITIONS; b++)
	{
		double		total = 0.0,
					acc = 0.0;

		for (c = 0; c < SHAPE_CLASSES; c++)
			total += counts[b][c];
		for (c = 0; c < SHAPE_CLASSES; c++)
		{
			/* an empty position bucket (only very short strings): lower case */
			acc += total > 0 ? counts[b][c] / total : (c == CLASS_LOWER ? 1.0 : 0.0);
			shape->class_cum[b][c] = Min(acc, 1.0);
		}
		shape->class_cum[b][SHAPE_CLASSES - 1] = 1.0;
	}
	return shape;
}

/*
 * string_shape_generate: write a fresh string into buf (at most maxlen
 * bytes plus a terminating zero) and return its length.  u in [0, 1) picks
 * the length; the characters come from rng.
 */
int
string_shape_generate(const StringShape *shape, SynthRng *rng, double u,
					  char *buf, int maxlen)
{
	double		x = rint(quantile_sample(&shape->length, u));
	int			len;
	int			i;

	/* clamp as a double, NaN to 1: never an int cast of a wild value */
	len = !(x >= 1.0) ? 1 : (x > maxlen ? maxlen : (int) x);
	for (i = 0; i < len; i++)
	{
		const double *cum = shape->class_cum[(int) ((int64) i * SHAPE_POSITIONS / len)];
		double		r = synth_rng_uniform(rng);
		uint32		pick = synth_rng_uint32(rng);
		int			c = 0;

		while (c < SHAPE_CLASSES - 1 && r >= cum[c])
			c++;
		/* no leading, trailing or double spaces */
		if (c == CLASS_SPACE && (i == 0 || i == len - 1 || buf[i - 1] == ' '))
			c = CLASS_LOWER;
		switch (c)
		{
			case CLASS_UPPER:
				buf[i] = 'A' + pick % 26;
				break;
			case CLASS_LOWER:
				buf[i] = 'a' + pick % 26;
				break;
			case CLASS_DIGIT:
				buf[i] = '0' + pick % 10;
				break;
			case CLASS_SPACE:
				buf[i] = ' ';
				break;
			default:
				buf[i] = other_chars[pick % (sizeof(other_chars) - 1)];
				break;
		}
	}
	buf[len] = '\0';
	return len;
}
