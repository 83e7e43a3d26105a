/*-------------------------------------------------------------------------
 *
 * condition.h
 *	  The condition of a conditional sample: a boolean SQL expression over
 *	  the columns of the row type, parsed once per call.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_CONDITION_H
#define SYNTH_CONDITION_H

#include "access/tupdesc.h"
#include "fmgr.h"
#include "nodes/execnodes.h"

/*
 * A conjunct the model can condition on directly: "column op constant" with
 * a btree comparison operator or the negator of its "=" ("<>"), "column
 * [NOT] IN (constants)", "column IS [NOT] NULL", a bare boolean column
 * (column = true) and its negation, any expression of one categorical
 * column alone (tried on each of its categories), or an OR
 * of such value comparisons (or of ANDs of them) on one column: "x < 10 OR
 * x > 90", BETWEEN SYMMETRIC, NOT BETWEEN.
 */
typedef enum ConditionAtomKind
{
	ATOM_VALUES,				/* the value satisfies op against a constant */
	ATOM_ANY,					/* the value satisfies one of the branches */
	ATOM_EXPR,					/* a category for which "check" holds */
	ATOM_IS_NULL,
	ATOM_IS_NOT_NULL
} ConditionAtomKind;

typedef struct ConditionAtom
{
	ConditionAtomKind kind;
	int			attno;			/* 0-based column of the row type */
	int			strategy;		/* BTLessStrategyNumber ... BTGreaterStrategyNumber */
	bool		negated;		/* "<>", NOT IN: the value equals none of the
								 * constants (strategy is BTEqualStrategyNumber,
								 * op is "=") */
	int			nconsts;		/* several for IN: any of them */
	Datum	   *consts;
	FmgrInfo	op;				/* column op constant */
	FmgrInfo	le;				/* for "=" on ordered values: <= and >= */
	FmgrInfo	ge;
	Oid			collation;
	Node	   *expr;			/* the conjunct it was made from, for messages */

	/*
	 * ATOM_ANY: branch b holds when all of its branch_len[b] ATOM_VALUES
	 * atoms branch[b][0..] (on the same column) hold.
	 */
	int			nbranches;
	int		   *branch_len;
	struct ConditionAtom **branch;

	/*
	 * ATOM_EXPR: any expression of one categorical column alone (city <
	 * 'P', code LIKE 'B%', lower(city) = 'oslo'), false for NULL, evaluated
	 * on each of the model's categories with the condition's slot.
	 */
	ExprState  *check;
	TupleTableSlot *slot;
	ExprContext *econtext;

	/*
	 * ATOM_EXPR, set by the sampler: the result on each of the table's kept
	 * labels (memo_labels sorted by strcmp), or unusable when trying it
	 * raised an error ("code::int > 5" on a label 'A1' that a guard in
	 * another conjunct keeps out): then it restricts nothing and is only
	 * checked.
	 */
	int			nmemo;
	const char **memo_labels;
	bool	   *memo_pass;
	bool		unusable;
} ConditionAtom;

typedef struct Condition
{
	const char *text;
	int			natoms;
	ConditionAtom *atoms;
	bool		residual;		/* parts only checking can enforce */
	List	   *residual_parts; /* those parts (expression trees), for messages */
	Oid			relid;			/* the relation of the row type, or InvalidOid */
	bool		always_false;	/* the condition folded to false or NULL */

	/*
	 * One conjunct that is an OR across columns, each of whose arms is an
	 * AND of atoms ("age > 90 OR bili > 20"): arm j's atoms, and the check
	 * of arm j alone (the sampler draws from each arm and counts how many
	 * a row satisfies).  narms is 0 when there is none.
	 */
	int			narms;
	int		   *arm_natoms;
	ConditionAtom **arm_atoms;
	ExprState **arm_qual;
	Node	   *arms_expr;		/* the OR itself, for messages */
	bool		arms_drawn;		/* set by the sampler: false, it is only checked */
	bool		arms_checked;	/* set by the sampler: an arm is partly checked
								 * (a test of made-up strings) */

	/* the whole condition, checked on every row */
	ExprState  *qual;
	ExprContext *econtext;
	TupleTableSlot *slot;
} Condition;

extern Condition *condition_prepare(const char *text, TupleDesc desc);
extern bool condition_holds(Condition *cond, const Datum *values, const bool *nulls);
extern bool condition_holds_stored(Condition *cond);
extern char *condition_checked_text(const Condition *cond, const bool *atom_checked);
extern bool condition_atom_test(const ConditionAtom *atom, FmgrInfo *op, Datum value);
extern bool condition_atom_holds(const ConditionAtom *atom, Datum value);
extern int	condition_arms_held(Condition *cond, const Datum *values, const bool *nulls,
								int arm, bool *arm_held);

#endif							/* SYNTH_CONDITION_H */
