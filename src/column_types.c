/*-------------------------------------------------------------------------
 *
 * column_types.c
 *	  The types synth models and their conversions to and from doubles.
 *
 * Numbers, dates and timestamps are modelled as doubles: exact for every
 * integer up to 2^53, dates as days and timestamps as microseconds since
 * 2000-01-01 (exact for any timestamp within 285 years of it).  numeric
 * values beyond double precision are rounded; the column keeps its scale.
 * Infinite dates and timestamps and NaN or infinite numbers are treated as
 * NULL by the model (see README, Limits).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "column_model.h"
#include "column_types.h"

TypeInfo
classify_type(Oid typid)
{
	TypeInfo	t = {COLUMN_EXCLUDED, REPR_NONE, false};

	switch (typid)
	{
		case INT2OID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_INT2;
			break;
		case INT4OID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_INT4;
			break;
		case INT8OID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_INT8;
			break;
		case FLOAT4OID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_FLOAT4;
			break;
		case FLOAT8OID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_FLOAT8;
			break;
		case NUMERICOID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_NUMERIC;
			break;
		case DATEOID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_DATE;
			break;
		case TIMESTAMPOID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_TIMESTAMP;
			break;
		case TIMESTAMPTZOID:
			t.kind = COLUMN_NUMERIC;
			t.repr = REPR_TIMESTAMPTZ;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			t.kind = COLUMN_CATEGORICAL;
			t.fresh_strings = true;
			break;
		case BOOLOID:
			t.kind = COLUMN_CATEGORICAL;
			break;
		case UUIDOID:
			t.kind = COLUMN_UUID;
			break;
		default:
			if (type_is_enum(typid))
				t.kind = COLUMN_CATEGORICAL;
			break;
	}
	return t;
}

/*
 * numeric_value: the double for datum d, and the digits after the point it
 * was written with (numeric: its scale; floats: the fewest that write it
 * exactly, up to 6, or -1).  Returns false for values the model treats as
 * NULL (NaN, infinities).
 */
bool
numeric_value(NumericRepr repr, Datum d, double *out, int *decimals)
{
	double		v;
	int			dec = 0;

	switch (repr)
	{
		case REPR_INT2:
			v = DatumGetInt16(d);
			break;
		case REPR_INT4:
			v = DatumGetInt32(d);
			break;
		case REPR_INT8:
			v = (double) DatumGetInt64(d);
			break;
		case REPR_FLOAT4:
			v = DatumGetFloat4(d);
			if (!isfinite(v))
				return false;
			/*
			 * float4 carries about 7 significant digits: read it as its
			 * shortest exact decimal form (what float4out prints with
			 * extra_float_digits > 0, whatever the session's setting)
			 */
			{
				char		written[FLOAT_SHORTEST_DECIMAL_LEN];

				float_to_shortest_decimal_buf(DatumGetFloat4(d), written);
				v = strtod(written, NULL);
			}
			dec = -2;			/* computed below */
			break;
		case REPR_FLOAT8:
			v = DatumGetFloat8(d);
			if (!isfinite(v))
				return false;
			dec = -2;
			break;
		case REPR_NUMERIC:
			{
				/*
				 * detoasted once (a short value gets a copy with a full
				 * header), then handed on as it is
				 */
				Numeric		num = DatumGetNumeric(d);

				if (numeric_is_nan(num) || numeric_is_inf(num))
				{
					if ((Pointer) num != DatumGetPointer(d))
						pfree(num);
					return false;
				}
				v = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(num)));
				dec = DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(num)));
				if ((Pointer) num != DatumGetPointer(d))
					pfree(num);
				break;
			}
		case REPR_DATE:
			{
				DateADT		date = DatumGetDateADT(d);

				if (DATE_NOT_FINITE(date))
					return false;
				v = date;
				break;
			}
		case REPR_TIMESTAMP:
		case REPR_TIMESTAMPTZ:
			{
				Timestamp	ts = DatumGetTimestamp(d);

				if (TIMESTAMP_NOT_FINITE(ts))
					return false;
				v = (double) ts;
				break;
			}
		default:
			elog(ERROR, "unexpected numeric representation %d", (int) repr);
			return false;
	}
	if (dec == -2)
		dec = decimals_of(v);
	*out = v;
	*decimals = dec;
	return true;
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/*
 * The largest magnitude a numeric of type modifier typmod holds
 * (numeric(p, s): 10^(p - s) - 10^-s; the scale may be negative), or
 * infinity without one.
 */
double
numeric_type_max(int32 typmod)
{
	int			precision;
	int			scale;

	if (!numeric_typmod_decode(typmod, &precision, &scale))
		return INFINITY;
	return pow(10.0, precision - scale) - pow(10.0, -scale);
}

/* the precision and scale of a numeric type modifier; false if none */
bool
numeric_typmod_decode(int32 typmod, int *precision, int *scale)
{
	int32		tm;

	if (typmod < (int32) VARHDRSZ)
		return false;
	tm = typmod - VARHDRSZ;
	*precision = (tm >> 16) & 0xffff;
	*scale = ((tm & 0x7ff) ^ 1024) - 1024;	/* 11 bits, signed (PG 15) */
	return true;
}

/*
 * The largest value of numeric(precision, scale) as text, signed: its
 * precision's nines, the decimal point "scale" digits from the right
 * (zeros where that is left of them, or right of them for a negative
 * scale).
 */
static void
numeric_type_max_text(int precision, int scale, bool negative, char *buf, Size size)
{
	StringInfoData out;
	int			i;

	initStringInfo(&out);
	if (negative)
		appendStringInfoChar(&out, '-');
	if (scale <= 0)
	{
		for (i = 0; i < precision; i++)
			appendStringInfoChar(&out, '9');
		for (i = 0; i < -scale; i++)
			appendStringInfoChar(&out, '0');
	}
	else
	{
		if (precision <= scale)
			appendStringInfoChar(&out, '0');
		for (i = 0; i < precision - scale; i++)
			appendStringInfoChar(&out, '9');
		appendStringInfoChar(&out, '.');
		for (i = 0; i < scale - precision; i++)
			appendStringInfoChar(&out, '0');
		for (i = 0; i < Min(precision, scale); i++)
			appendStringInfoChar(&out, '9');
	}
	strlcpy(buf, out.data, size);
	pfree(out.data);
}

/* 10^decimals, the scale numeric_datum() rounds floats with; 0: do not round */
double
decimals_scale(int decimals)
{
	if (decimals < 0 || decimals > 15)
		return 0.0;
	return pow(10.0, decimals);
}

/* v rounded to the decimals of "scale" (from decimals_scale()) */
static inline double
round_to(double v, double scale)
{
	if (scale <= 0.0)
		return v;
	return rint(v * scale) / scale;
}

/*
 * numeric_datum: the Datum of the column's type for the double v.  Integer
 * types and dates round to the nearest whole value; floats keep the digits
 * of "scale" (decimals_scale(decimals), computed once per column), numeric
 * "decimals" digits.  A value beyond the type's range (for numeric, its
 * declared precision) is clamped to it.  Only numeric allocates (in the
 * current context).
 */
Datum
numeric_datum(NumericRepr repr, double v, int decimals, double scale, int32 typmod)
{
	switch (repr)
	{
		case REPR_INT2:
			return Int16GetDatum((int16) clamp(rint(v), PG_INT16_MIN, PG_INT16_MAX));
		case REPR_INT4:
			return Int32GetDatum((int32) clamp(rint(v), PG_INT32_MIN, PG_INT32_MAX));
		case REPR_INT8:
			return Int64GetDatum((int64) clamp(rint(v), -9.2e18, 9.2e18));
		case REPR_FLOAT4:
			return Float4GetDatum((float4) round_to(v, scale));
		case REPR_FLOAT8:
			return Float8GetDatum(round_to(v, scale));
		case REPR_NUMERIC:
			{
				char		buf[512];

				int			precision;
				int			scale;

				/*
				 * Within the declared precision, as integers within their
				 * type: a value that would round beyond it (at the model's
				 * decimals, or at the type's scale) is the type's largest,
				 * written out (a double cannot hold 10^16 - 0.01).
				 */
				if (numeric_typmod_decode(typmod, &precision, &scale))
				{
					double		max = numeric_type_max(typmod);
					double		r = v;

					if (decimals >= 0 && decimals <= 15)
						r = rint(v * pow(10.0, decimals)) / pow(10.0, decimals);
					if (scale <= 15)
						r = rint(r * pow(10.0, scale)) / pow(10.0, scale);
					if (fabs(r) >= max)
					{
						numeric_type_max_text(precision, scale, v < 0, buf, sizeof(buf));
						return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(typmod));
					}
				}
				if (decimals >= 0 && fabs(v) < 1e15 &&
					(decimals <= 15 || typmod >= (int32) VARHDRSZ))
					snprintf(buf, sizeof(buf), "%.*f", Min(decimals, 100), v);
				else if (decimals > 15 && fabs(v) < 1e15 && typmod < (int32) VARHDRSZ)
				{
					/*
					 * More decimals than a double holds (an unconstrained
					 * numeric of scale 20 from a division): the 15 digits it
					 * does hold, so that 0.3 is 0.3 and not 0.2999...889.
					 * (Not under a declared precision: rounding to 15 digits
					 * could carry past its largest value.)
					 */
					snprintf(buf, sizeof(buf), "%.15g", v);
				}
				else
					snprintf(buf, sizeof(buf), "%.17g", v);
				return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
										   ObjectIdGetDatum(InvalidOid),
										   Int32GetDatum(typmod));
			}
		case REPR_DATE:
			return DateADTGetDatum((DateADT) clamp(rint(v), -2451545.0 + 1, 2147483494.0 - 2451545.0));
		case REPR_TIMESTAMP:
		case REPR_TIMESTAMPTZ:
			{
				/*
				 * Inside the type's range, and at its declared precision:
				 * timestamp(0) in whole seconds, as its input would round
				 * it (a result row claims the column's type, so nothing
				 * rounds it later).  In integers: a double near the end of
				 * the range is 1,024 microseconds coarse.
				 */
				Timestamp	ts = (Timestamp) clamp(rint(v), (double) MIN_TIMESTAMP,
												   (double) (END_TIMESTAMP - 1));

				ts = Max(MIN_TIMESTAMP, Min(END_TIMESTAMP - 1, ts));
				if (typmod >= 0 && typmod < MAX_TIMESTAMP_PRECISION)
				{
					static const int64 units[MAX_TIMESTAMP_PRECISION] =
					{1000000, 100000, 10000, 1000, 100, 10};
					int64		unit = units[typmod];
					int64		rem = ts % unit;	/* the sign of ts */

					ts -= rem;
					/* half away from zero, as AdjustTimestampForTypmod() */
					if (rem * 2 >= unit)
						ts += unit;
					else if (-rem * 2 >= unit)
						ts -= unit;
					while (ts > END_TIMESTAMP - 1)
						ts -= unit;
					while (ts < MIN_TIMESTAMP)
						ts += unit;
				}
				return TimestampGetDatum(ts);
			}
		default:
			elog(ERROR, "unexpected numeric representation %d", (int) repr);
			return (Datum) 0;
	}
}
