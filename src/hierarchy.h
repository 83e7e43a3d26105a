/*-------------------------------------------------------------------------
 *
 * hierarchy.h
 *	  Columns one of which fixes another: a car's model fixes its maker, a
 *	  city its state (ColumnHierarchy in model.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_HIERARCHY_H
#define SYNTH_HIERARCHY_H

#include "model.h"
#include "table_sample.h"

/*
 * A determining column needs at least this many kept values: with fewer,
 * the copula's order of its categories carries the relation itself, and
 * fixing the other column from it costs that column its own relations to
 * the numbers (cars93's 5 kept makers and their origin: 0.883 to 0.882).
 */
#define HIERARCHY_MIN_VALUES 10

/*
 * Find the hierarchies of "model" (the table's model, its column models
 * learnt from "sample") and store them in it, in the order to apply them.
 */
extern void hierarchy_find(SynthModel *model, const TableSample *sample);

#endif							/* SYNTH_HIERARCHY_H */
