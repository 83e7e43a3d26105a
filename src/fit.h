/*-------------------------------------------------------------------------
 *
 * fit.h
 *	  Settings of the fitting step.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_FIT_H
#define SYNTH_FIT_H

/* synth.fit_sample_rows: the most rows a fit learns from */
extern int	synth_fit_sample_rows;

/* synth.group_depth: how often the rows may be split into groups (0-2) */
extern int	synth_group_depth;

#define SYNTH_DEFAULT_MIN_GROUP_SIZE 5

#endif							/* SYNTH_FIT_H */
