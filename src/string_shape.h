/*-------------------------------------------------------------------------
 *
 * string_shape.h
 *	  Fresh strings shaped like real ones: length and character classes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_STRING_SHAPE_H
#define SYNTH_STRING_SHAPE_H

#include "model.h"
#include "numerics.h"

extern StringShape *string_shape_fit(char **values, int nvalues, int min_group_size);
extern int	string_shape_generate(const StringShape *shape, SynthRng *rng,
								  double u, char *buf, int maxlen);
extern int	string_shape_radix(unsigned char c);
extern char string_shape_class_char(unsigned char c, int digit);

#define STRING_SHAPE_MAX_LENGTH 256

#endif							/* SYNTH_STRING_SHAPE_H */
