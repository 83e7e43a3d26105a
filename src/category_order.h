/*-------------------------------------------------------------------------
 *
 * category_order.h
 *	  Order a model's categories so that the copula can relate them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_CATEGORY_ORDER_H
#define SYNTH_CATEGORY_ORDER_H

#include "model.h"
#include "table_sample.h"

extern void category_order(SynthModel *model, const TableSample *sample,
						   const SynthModel *parent, const bool *only);

#endif							/* SYNTH_CATEGORY_ORDER_H */
