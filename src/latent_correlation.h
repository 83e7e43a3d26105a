/*-------------------------------------------------------------------------
 *
 * latent_correlation.h
 *	  From the correlation of tie-jittered normal scores to the correlation
 *	  of the copula's latent normals.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_LATENT_CORRELATION_H
#define SYNTH_LATENT_CORRELATION_H

/* terms of the Mehler series kept */
#define LATENT_TERMS 64

/*
 * The most the correction may multiply an observed correlation by: 4
 * covers a 90/10 yes/no column against a number (2.9) and two 50/50 ones
 * (2.5); rarer ties keep too little of a correlation to be told apart from
 * noise by more.
 */
#define LATENT_MAX_GAIN 4.0

/*
 * How a dimension turns its latent normal into the score the fit
 * correlates: over [lo, hi) of the uniform scale either the latent itself
 * (a continuous stretch) or a draw from the latent's law on the interval,
 * independent of it (a tie: an atom, a category, NULL or not).
 */
typedef struct ScorePiece
{
	double		lo;
	double		hi;
	bool		tie;
} ScorePiece;

extern bool latent_coefficients(const ScorePiece *pieces, int npieces, double *coef);
extern double latent_correlation(double observed, const double *coef_a, const double *coef_b);

#endif							/* SYNTH_LATENT_CORRELATION_H */
