/*-------------------------------------------------------------------------
 *
 * numerics.h
 *	  Random numbers, normal distribution and linear algebra for synth.
 *
 * numerics.c is the only file that touches GSL, so that the rest of the
 * extension deals in plain C types and GSL's error handling stays in one
 * place.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_NUMERICS_H
#define SYNTH_NUMERICS_H

/* Opaque random number generator (GSL's MT19937, allocated with malloc). */
typedef struct SynthRng SynthRng;

extern void synth_numerics_init(void);

extern SynthRng *synth_rng_create(uint64 seed);
extern void synth_rng_free(SynthRng *rng);
extern double synth_rng_uniform(SynthRng *rng);		/* [0, 1) */
extern double synth_rng_gaussian(SynthRng *rng);	/* N(0, 1) */
extern uint32 synth_rng_uint32(SynthRng *rng);

extern uint64 synth_mix_seed(uint64 x);

extern double synth_normal_cdf(double z);
extern double synth_normal_quantile(double p);
extern double synth_normal_quantile_end(double p);

extern void synth_nearest_correlation(double *a, int n);
extern bool synth_cholesky(double *a, int n);
extern bool synth_spd_inverse(double *a, int n);

extern double synth_gaussian_mass(double a, double b);
extern double synth_truncated_gaussian(SynthRng *rng, double a, double b);

/* the largest uniform below 1 (1 - 2^-53): what sampling draws at most */
#define SYNTH_U_MAX 0.9999999999999999

#endif							/* SYNTH_NUMERICS_H */
