/*-------------------------------------------------------------------------
 *
 * column_types.h
 *	  Which PostgreSQL types synth models, and how their values map to the
 *	  numbers and strings the column models work with.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_COLUMN_TYPES_H
#define SYNTH_COLUMN_TYPES_H

#include "model.h"

/* how a numeric-kind value is held as a double */
typedef enum NumericRepr
{
	REPR_NONE = 0,
	REPR_INT2,
	REPR_INT4,
	REPR_INT8,
	REPR_FLOAT4,
	REPR_FLOAT8,
	REPR_NUMERIC,
	REPR_DATE,					/* days since 2000-01-01 */
	REPR_TIMESTAMP,				/* microseconds since 2000-01-01 */
	REPR_TIMESTAMPTZ
} NumericRepr;

typedef struct TypeInfo
{
	ColumnKind	kind;			/* COLUMN_EXCLUDED: not supported */
	NumericRepr repr;			/* for COLUMN_NUMERIC */
	bool		fresh_strings;	/* categorical type that takes made-up text */
} TypeInfo;

extern TypeInfo classify_type(Oid typid);
extern bool numeric_value(NumericRepr repr, Datum d, double *out, int *decimals);
extern double decimals_scale(int decimals);
extern double numeric_type_max(int32 typmod);
extern bool numeric_typmod_decode(int32 typmod, int *precision, int *scale);
extern Datum numeric_datum(NumericRepr repr, double v, int decimals, double scale,
						   int32 typmod);

#endif							/* SYNTH_COLUMN_TYPES_H */
