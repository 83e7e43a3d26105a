/*-------------------------------------------------------------------------
 *
 * condition.c
 *	  Parsing a sampling condition and splitting it into what the model
 *	  can condition on directly and what only a check of each row can
 *	  enforce.
 *
 * The condition is a boolean SQL expression over the columns of the output
 * row type.  PostgreSQL's own parser reads it (as the expression of a
 * PL/pgSQL-style "SELECT expr"), column names resolve to the row type's
 * columns through a column-reference hook, and the usual transformation,
 * collation assignment and constant folding follow (stable operands of
 * comparisons too, once per call: fold_stable()); errors carry the
 * position in the condition.  The folded expression is then read as an AND
 * of conjuncts; those of the forms in condition.h become "atoms" for the
 * model (sampler.c turns them into sets of the row's uniforms), one OR
 * across columns whose arms are ANDs of atoms becomes the "arms" the
 * sampler draws one by one (union sampling), and the rest marks the
 * condition as having a residual.  Every sampled row is checked against
 * the whole expression anyway, so a row that does not satisfy it is never
 * returned.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parser.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"

#include "column_types.h"
#include "condition.h"

/* an error while parsing points into the condition, not the query */
static void
condition_error_callback(void *arg)
{
	const char *text = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(text);
	}
	errcontext("synth_sample condition");
}

/* column names resolve to the row type's columns */
static Node *
condition_column_ref(ParseState *pstate, ColumnRef *cref)
{
	TupleDesc	desc = (TupleDesc) pstate->p_ref_hook_state;
	int			i;

	if (list_length(cref->fields) != 1 || !IsA(linitial(cref->fields), String))
		return NULL;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped &&
			strcmp(NameStr(att->attname), strVal(linitial(cref->fields))) == 0)
		{
			Var		   *var = makeVar(1, att->attnum, att->atttypid, att->atttypmod,
									  att->attcollation, 0);

			var->location = cref->location;
			return (Node *) var;
		}
	}
	return NULL;
}

/* the raw expression of the condition, refusing anything but one */
static Node *
condition_parse(const char *text)
{
	List	   *raw = raw_parser(text, RAW_PARSE_PLPGSQL_EXPR);
	RawStmt    *rs;
	SelectStmt *sel;
	ResTarget  *target;

	rs = linitial_node(RawStmt, raw);
	sel = (SelectStmt *) rs->stmt;
	if (list_length(raw) != 1 || !IsA(sel, SelectStmt) ||
		list_length(sel->targetList) != 1 || sel->distinctClause ||
		sel->fromClause || sel->whereClause || sel->groupClause ||
		sel->havingClause || sel->windowClause || sel->sortClause ||
		sel->limitOffset || sel->limitCount || sel->lockingClause ||
		sel->intoClause || sel->withClause || sel->op != SETOP_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("condition must be a single boolean expression"),
				 errhint("Write it like a WHERE clause over the table's columns, for example 'age >= 70 AND status = 2'.")));
	target = linitial_node(ResTarget, sel->targetList);
	if (target->name != NULL)
	{
		/*
		 * A word after the expression ('age > 60 AND' with nothing after
		 * AND) parses as a name for it, as in a SELECT list: point at the
		 * last place the word appears.
		 */
		int			len = strlen(target->name);
		int			at = -1;
		int			i;

		for (i = strlen(text) - len; i >= 0 && at < 0; i--)
			if (pg_strncasecmp(text + i, target->name, len) == 0)
				at = i;
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("condition must be a single boolean expression"),
				 errdetail("The word \"%s\" after the expression is read as a name for it.",
						   target->name),
				 errhint("Complete the condition after that word, or remove it."),
				 at >= 0 ? errposition(pg_mbstrlen_with_len(text, at) + 1) : 0));
	}
	return target->val;
}

/* the column a conjunct is about: a Var of the row, maybe relabelled */
static Var *
row_column(Node *node)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node && IsA(node, Var) && ((Var *) node)->varattno > 0)
		return (Var *) node;
	return NULL;
}

/* can the model condition on values of a column of this type? */
static bool
directly_typed(Oid typid)
{
	TypeInfo	t = classify_type(typid);

	return t.kind == COLUMN_NUMERIC || t.kind == COLUMN_CATEGORICAL;
}

/*
 * The btree strategy of "column op constant" in the column type's default
 * family, and that family's <= and >= for the same input types; 0 when the
 * operator is not a comparison of that family.
 */
static int
comparison_strategy(Oid opno, Oid coltype, ConditionAtom *atom)
{
	Oid			opclass = GetDefaultOpClass(getBaseType(coltype), BTREE_AM_OID);
	Oid			family;
	int			strategy;
	Oid			lefttype,
				righttype;
	Oid			le,
				ge;

	if (!OidIsValid(opclass))
		return 0;
	family = get_opclass_family(opclass);
	if (!op_in_opfamily(opno, family))
		return 0;
	get_op_opfamily_properties(opno, family, false, &strategy, &lefttype, &righttype);
	fmgr_info(get_opcode(opno), &atom->op);
	le = get_opfamily_member(family, lefttype, righttype, BTLessEqualStrategyNumber);
	ge = get_opfamily_member(family, lefttype, righttype, BTGreaterEqualStrategyNumber);
	if (!OidIsValid(le) || !OidIsValid(ge))
		return 0;
	fmgr_info(get_opcode(le), &atom->le);
	fmgr_info(get_opcode(ge), &atom->ge);
	return strategy;
}

/* "column op constant" or "constant op column" */
static bool
atom_from_opexpr(OpExpr *op, ConditionAtom *atom)
{
	Node	   *left,
			   *right;
	Var		   *var;
	Const	   *c;
	Oid			opno = op->opno;

	if (list_length(op->args) != 2)
		return false;
	left = linitial(op->args);
	right = lsecond(op->args);
	if ((var = row_column(left)) != NULL && IsA(right, Const))
		c = (Const *) right;
	else if ((var = row_column(right)) != NULL && IsA(left, Const))
	{
		c = (Const *) left;
		opno = get_commutator(opno);
		if (!OidIsValid(opno))
			return false;
	}
	else
		return false;
	if (c->constisnull || !directly_typed(var->vartype))
		return false;
	atom->strategy = comparison_strategy(opno, var->vartype, atom);
	if (atom->strategy == 0 && OidIsValid(get_negator(opno)))
	{
		/* "<>": the values equal to the constant, the other way round */
		atom->strategy = comparison_strategy(get_negator(opno), var->vartype, atom);
		if (atom->strategy != BTEqualStrategyNumber)
			return false;
		atom->negated = true;
	}
	if (atom->strategy == 0)
		return false;
	/*
	 * An order comparison on a category (text under its collation, an
	 * enum, a boolean) is no range of the copula's scores: the model's
	 * categories are in the copula's order, not the type's, and made-up
	 * strings can fall either side.  It is tried on each category instead
	 * (atom_from_one_category_column()).
	 */
	if (atom->strategy != BTEqualStrategyNumber &&
		classify_type(var->vartype).kind == COLUMN_CATEGORICAL)
		return false;
	atom->kind = ATOM_VALUES;
	atom->attno = var->varattno - 1;
	atom->nconsts = 1;
	atom->consts = palloc(sizeof(Datum));
	atom->consts[0] = c->constvalue;
	atom->collation = op->inputcollid;
	return true;
}

/* "column IN (constants)", which the parser made "column = ANY (array)" */
static bool
atom_from_in(ScalarArrayOpExpr *saop, ConditionAtom *atom)
{
	Var		   *var;
	Const	   *c;
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	ArrayType  *arr;
	int			i;

	if (list_length(saop->args) != 2)
		return false;
	var = row_column(linitial(saop->args));
	c = (Const *) lsecond(saop->args);
	if (var == NULL || !IsA(c, Const) || c->constisnull || !directly_typed(var->vartype))
		return false;
	if (saop->useOr)
	{
		if (comparison_strategy(saop->opno, var->vartype, atom) != BTEqualStrategyNumber)
			return false;
	}
	else
	{
		/* NOT IN: "<> ALL", the negator of "=" */
		Oid			eq = get_negator(saop->opno);

		if (!OidIsValid(eq) ||
			comparison_strategy(eq, var->vartype, atom) != BTEqualStrategyNumber)
			return false;
		atom->negated = true;
	}
	arr = DatumGetArrayTypeP(c->constvalue);
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &elemnulls, &nelems);
	/*
	 * NOT IN a list with a NULL is never true (condition_prepare() says so),
	 * and NOT IN an empty list always is, for NULLs too: both are left to
	 * the check of each row.
	 */
	if (atom->negated && nelems == 0)
		return false;
	for (i = 0; i < nelems && atom->negated; i++)
		if (elemnulls[i])
			return false;
	atom->kind = ATOM_VALUES;
	atom->strategy = BTEqualStrategyNumber;
	atom->attno = var->varattno - 1;
	atom->consts = palloc(sizeof(Datum) * Max(nelems, 1));
	atom->nconsts = 0;
	for (i = 0; i < nelems; i++)
		if (!elemnulls[i])
			atom->consts[atom->nconsts++] = elems[i];
	atom->collation = saop->inputcollid;
	return true;
}

/* a boolean column alone (= true), or negated (= false) */
static bool
atom_from_boolean(Node *node, bool value, ConditionAtom *atom)
{
	Var		   *var = row_column(node);

	if (var == NULL || var->vartype != BOOLOID)
		return false;
	atom->kind = ATOM_VALUES;
	atom->strategy = BTEqualStrategyNumber;
	atom->attno = var->varattno - 1;
	atom->nconsts = 1;
	atom->consts = palloc(sizeof(Datum));
	atom->consts[0] = BoolGetDatum(value);
	fmgr_info(F_BOOLEQ, &atom->op);
	fmgr_info(F_BOOLLE, &atom->le);
	fmgr_info(F_BOOLGE, &atom->ge);
	atom->collation = InvalidOid;
	return true;
}

static bool atom_from_conjunct(Node *node, ConditionAtom *atom);
static bool conjunct_atom(Node *node, Condition *cond, ConditionAtom *atom);

/*
 * "a OR b OR ..." where every branch is a value comparison on one and the
 * same column, or an AND of such comparisons: both tails at once ("x < 10
 * OR x > 90"), NOT BETWEEN (which the planner makes "x < a OR x > b"),
 * BETWEEN SYMMETRIC ("x >= a AND x <= b OR x >= b AND x <= a"), or equalities
 * written out instead of IN.  A branch with IS NULL is not one: its rows
 * differ in the column's missingness, not its value.
 */
static bool
atom_from_disjunction(BoolExpr *b, ConditionAtom *atom)
{
	int			attno = -1;
	int			i = 0;
	ListCell   *lc;

	atom->branch = palloc(sizeof(ConditionAtom *) * list_length(b->args));
	atom->branch_len = palloc(sizeof(int) * list_length(b->args));
	foreach(lc, b->args)
	{
		Node	   *arm = lfirst(lc);
		List	   *parts = is_andclause(arm) ? ((BoolExpr *) arm)->args : list_make1(arm);
		ConditionAtom *sub = palloc(sizeof(ConditionAtom) * list_length(parts));
		int			n = 0;
		ListCell   *lc2;

		foreach(lc2, parts)
		{
			if (!atom_from_conjunct(lfirst(lc2), &sub[n]) || sub[n].kind != ATOM_VALUES ||
				(attno >= 0 && sub[n].attno != attno))
				return false;
			attno = sub[n].attno;
			n++;
		}
		atom->branch[i] = sub;
		atom->branch_len[i] = n;
		i++;
	}
	atom->kind = ATOM_ANY;
	atom->attno = attno;
	atom->nbranches = i;
	return attno >= 0;
}

static bool
atom_from_conjunct(Node *node, ConditionAtom *atom)
{
	memset(atom, 0, sizeof(ConditionAtom));
	switch (nodeTag(node))
	{
		case T_OpExpr:
			return atom_from_opexpr((OpExpr *) node, atom);
		case T_ScalarArrayOpExpr:
			return atom_from_in((ScalarArrayOpExpr *) node, atom);
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;
				Var		   *var = row_column((Node *) nt->arg);

				if (var == NULL || nt->argisrow)
					return false;
				atom->kind = nt->nulltesttype == IS_NULL ? ATOM_IS_NULL : ATOM_IS_NOT_NULL;
				atom->attno = var->varattno - 1;
				return true;
			}
		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) node;

				if (bt->booltesttype == IS_TRUE)
					return atom_from_boolean((Node *) bt->arg, true, atom);
				if (bt->booltesttype == IS_FALSE)
					return atom_from_boolean((Node *) bt->arg, false, atom);
				return false;
			}
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) node;

				if (b->boolop == NOT_EXPR)
					return atom_from_boolean(linitial(b->args), false, atom);
				if (b->boolop == OR_EXPR)
					return atom_from_disjunction(b, atom);
				return false;
			}
		default:
			return atom_from_boolean(node, true, atom);
	}
}

/*
 * An OR whose arms are each an AND of atoms (or one atom), on different
 * columns (one column's ORs are atoms already): "age > 90 OR bili > 20",
 * "(sex = 'f' AND age < 30) OR status = 2".  The arms' atoms go to
 * cond->arm_*; false, leaving nothing, if an arm is anything else.
 */
static bool
arms_from_disjunction(BoolExpr *b, Condition *cond)
{
	int			n = list_length(b->args);
	int		   *natoms = palloc(sizeof(int) * n);
	ConditionAtom **atoms = palloc(sizeof(ConditionAtom *) * n);
	ExprState **qual = palloc(sizeof(ExprState *) * n);
	int			j = 0;
	ListCell   *lc;

	foreach(lc, b->args)
	{
		Node	   *arm = lfirst(lc);
		List	   *parts = is_andclause(arm) ? ((BoolExpr *) arm)->args : list_make1(arm);
		ListCell   *lc2;

		atoms[j] = palloc(sizeof(ConditionAtom) * list_length(parts));
		natoms[j] = 0;
		foreach(lc2, parts)
		{
			ConditionAtom *atom = &atoms[j][natoms[j]];

			if (!conjunct_atom(lfirst(lc2), cond, atom))
				return false;
			atom->expr = lfirst(lc2);
			natoms[j]++;
		}
		qual[j] = ExecInitQual(parts, NULL);
		j++;
	}
	cond->narms = n;
	cond->arm_natoms = natoms;
	cond->arm_atoms = atoms;
	cond->arm_qual = qual;
	return true;
}

/*
 * Does the expression read a parameter, a subquery, an aggregate, or with
 * *row_too also the row or a value given from outside the expression (a
 * CASE's value, a domain's)?
 */
static bool
reads_beyond(Node *node, void *row_too)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) || IsA(node, SubPlan) || IsA(node, Aggref) ||
		IsA(node, WindowFunc) || IsA(node, GroupingFunc))
		return true;
	if (*(bool *) row_too &&
		(IsA(node, Var) || IsA(node, CaseTestExpr) || IsA(node, CoerceToDomainValue)))
		return true;
	return expression_tree_walker(node, reads_beyond, row_too);
}

/* does the expression read anything but the row and itself? */
static bool
reads_outside_row(Node *node)
{
	bool		row_too = false;

	return reads_beyond(node, &row_too);
}

/* does the expression read the row, or anything but itself? */
static bool
reads_outside(Node *node)
{
	bool		row_too = true;

	return reads_beyond(node, &row_too);
}

/* the value of an expression that reads nothing outside itself, as a Const */
static Node *
evaluate_once(Node *node)
{
	Oid			type = exprType(node);
	int16		typlen;
	bool		typbyval;
	EState	   *estate = CreateExecutorState();
	MemoryContext old = MemoryContextSwitchTo(estate->es_query_cxt);
	ExprState  *state = ExecInitExpr((Expr *) node, NULL);
	bool		isnull;
	Datum		value;

	value = ExecEvalExprSwitchContext(state, GetPerTupleExprContext(estate), &isnull);
	MemoryContextSwitchTo(old);
	get_typlenbyval(type, &typlen, &typbyval);
	if (!isnull)
		value = typlen == -1 ? PointerGetDatum(PG_DETOAST_DATUM_COPY(value))
			: datumCopy(value, typbyval, typlen);
	FreeExecutorState(estate);
	return (Node *) makeConst(type, exprTypmod(node), exprCollation(node), typlen,
							  value, isnull, typbyval);
}

/*
 * An expression that reads one column of a categorical type and nothing
 * volatile ("city < 'P'", "code LIKE 'B%'", "feeling > 'calm'"): the model
 * knows that column's categories, so the expression can be tried on each
 * of them.  Not when it holds for NULL ("city IS DISTINCT FROM 'Oslo'"):
 * its rows would differ in the column's missingness, not its value.
 */
static bool
atom_from_one_category_column(Node *node, Condition *cond, ConditionAtom *atom)
{
	TupleDesc	desc = cond->slot->tts_tupleDescriptor;
	Bitmapset  *attnos = NULL;
	int			attno;
	TupleTableSlot *slot = cond->slot;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;
	bool		holds_for_null;

	memset(atom, 0, sizeof(ConditionAtom));
	pull_varattnos(node, 1, &attnos);
	if (bms_num_members(attnos) != 1 || contain_volatile_functions(node) ||
		reads_outside_row(node))
		return false;
	attno = bms_singleton_member(attnos) + FirstLowInvalidHeapAttributeNumber - 1;
	if (attno < 0 || attno >= desc->natts ||
		classify_type(TupleDescAttr(desc, attno)->atttypid).kind != COLUMN_CATEGORICAL)
		return false;
	atom->kind = ATOM_EXPR;
	atom->attno = attno;
	atom->check = ExecInitQual(list_make1(node), NULL);
	atom->slot = slot;
	atom->econtext = cond->econtext;

	/* NULL in every column: the expression's value for a NULL of its own */
	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	ExecStoreVirtualTuple(slot);
	cond->econtext->ecxt_scantuple = slot;
	holds_for_null = ExecQual(atom->check, cond->econtext);
	ResetExprContext(cond->econtext);
	return !holds_for_null;
}

/* a conjunct (or a part of an arm) as an atom, if it can be one */
static bool
conjunct_atom(Node *node, Condition *cond, ConditionAtom *atom)
{
	return atom_from_conjunct(node, atom) || atom_from_one_category_column(node, cond, atom);
}

/* "x NOT IN (..., NULL, ...)": false or NULL whatever x is */
static bool
never_true(Node *node)
{
	ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) node;
	Const	   *c;
	ArrayType  *arr;

	if (!IsA(node, ScalarArrayOpExpr) || saop->useOr || list_length(saop->args) != 2 ||
		!IsA(lsecond(saop->args), Const))
		return false;
	c = (Const *) lsecond(saop->args);
	if (!op_strict(saop->opno))
		return false;
	if (c->constisnull)
		return true;			/* <> ALL (NULL): NULL */
	arr = DatumGetArrayTypeP(c->constvalue);
	return array_contains_nulls(arr) && ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) > 0;
}

/* a column-free, non-volatile operand, not yet a constant: worth evaluating once */
static bool
foldable(Node *node)
{
	return node != NULL && !IsA(node, Const) && !IsA(node, List) &&
		!reads_outside(node) && !contain_volatile_functions(node) &&
		!type_is_rowtype(exprType(node));
}

/* an operand of a comparison, evaluated once if it can be */
static Node *
fold_operand(Node *node)
{
	return foldable(node) ? evaluate_once(node) : node;
}

static void
fold_operands(List *args)
{
	ListCell   *lc;

	foreach(lc, args)
		lfirst(lc) = fold_operand(lfirst(lc));
}

/*
 * The planner folds what is immutable.  What is only stable (current_date
 * - 30, now() - interval '1 day', a date cast to timestamptz, which
 * depends on the time zone) has one value for the whole call, as it would
 * in one scan of a query: it is evaluated once, so that a column compared
 * with it makes an atom, drawn directly, rather than a check of each row.
 * Only what every row's check evaluates anyway is folded: a whole
 * conjunct, an arm of AND, OR or NOT, and the operands of a comparison
 * (=, <, IN, IS NULL, IS TRUE) under them; not the branches of a CASE or
 * COALESCE, which a row may never reach, nor anything inside a function
 * of a column.  Volatile functions (random()) stay what they are.
 */
static Node *
fold_stable(Node *node)
{
	if (foldable(node))
		return evaluate_once(node);
	if (node == NULL)
		return NULL;
	switch (nodeTag(node))
	{
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) copyObject(node);
				ListCell   *lc;

				foreach(lc, b->args)
					lfirst(lc) = fold_stable(lfirst(lc));
				return (Node *) b;
			}
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			{
				OpExpr	   *op = (OpExpr *) copyObject(node);

				fold_operands(op->args);
				return (Node *) op;
			}
		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) copyObject(node);

				fold_operands(saop->args);
				return (Node *) saop;
			}
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) copyObject(node);

				nt->arg = (Expr *) fold_operand((Node *) nt->arg);
				return (Node *) nt;
			}
		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) copyObject(node);

				bt->arg = (Expr *) fold_operand((Node *) bt->arg);
				return (Node *) bt;
			}
		default:
			return node;
	}
}

/*
 * condition_prepare: parse "text" against the row type "desc", split it
 * into atoms, and prepare the check of every row.  Allocates in the current
 * memory context.
 */
Condition *
condition_prepare(const char *text, TupleDesc desc)
{
	Condition  *cond = palloc0(sizeof(Condition));
	ErrorContextCallback errcb;
	ParseState *pstate;
	Node	   *raw;
	Node	   *expr;
	List	   *conjuncts;
	ListCell   *lc;

	cond->text = pstrdup(text);
	errcb.callback = condition_error_callback;
	errcb.arg = (void *) cond->text;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	raw = condition_parse(cond->text);
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = cond->text;
	pstate->p_pre_columnref_hook = condition_column_ref;
	pstate->p_ref_hook_state = (void *) desc;
	expr = transformExpr(pstate, raw, EXPR_KIND_WHERE);
	expr = coerce_to_boolean(pstate, expr, "synth_sample condition");
	assign_expr_collations(pstate, expr);
	if (pstate->p_hasSubLinks)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("condition must not contain subqueries")));
	free_parsestate(pstate);

	expr = (Node *) expression_planner((Expr *) expr);
	/* fold what is stable, then simplify again ("x > 5 OR false") */
	expr = (Node *) expression_planner((Expr *) fold_stable(expr));
	error_context_stack = errcb.previous;
	conjuncts = make_ands_implicit((Expr *) expr);

	cond->atoms = palloc(sizeof(ConditionAtom) * Max(list_length(conjuncts), 1));
	cond->relid = get_typ_typrelid(desc->tdtypeid);
	cond->econtext = CreateStandaloneExprContext();
	cond->slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);

	/* long IN lists are hashed, as the planner would do, before any is compiled */
	convert_saop_to_hashed_saop((Node *) conjuncts);
	foreach(lc, conjuncts)
	{
		Node	   *node = lfirst(lc);

		if (IsA(node, Const))
		{
			Const	   *c = (Const *) node;

			if (c->constisnull || !DatumGetBool(c->constvalue))
				cond->always_false = true;
			continue;
		}
		if (never_true(node))
			cond->always_false = true;
		if (conjunct_atom(node, cond, &cond->atoms[cond->natoms]))
			cond->atoms[cond->natoms++].expr = node;
		else if (cond->narms == 0 && is_orclause(node) &&
				 arms_from_disjunction((BoolExpr *) node, cond))
			cond->arms_expr = node; /* drawn arm by arm, and checked with the rest */
		else
		{
			cond->residual = true;
			cond->residual_parts = lappend(cond->residual_parts, node);
		}
	}

	cond->qual = ExecInitQual(conjuncts, NULL);
	return cond;
}

/*
 * The parts of the condition only checking can enforce, as PostgreSQL reads
 * them (casts included), joined by AND: the residual ones, and the atoms
 * marked in atom_checked (may be NULL; the sampler marks atoms on keys).
 * NULL when there are none, or the row type names no relation to deparse
 * them against.  For messages only.
 */
char *
condition_checked_text(const Condition *cond, const bool *atom_checked)
{
	List	   *parts = list_copy(cond->residual_parts);
	List	   *context;
	StringInfoData buf;
	ListCell   *lc;
	int			a;

	for (a = 0; a < cond->natoms && atom_checked; a++)
		if (atom_checked[a] && cond->atoms[a].expr)
			parts = lappend(parts, cond->atoms[a].expr);
	if (cond->arms_expr != NULL && (!cond->arms_drawn || cond->arms_checked))
		parts = lappend(parts, cond->arms_expr);
	if (parts == NIL || !OidIsValid(cond->relid))
		return NULL;
	context = deparse_context_for(get_rel_name(cond->relid), cond->relid);
	initStringInfo(&buf);
	foreach(lc, parts)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, " AND ");
		appendStringInfoString(&buf, deparse_expression(lfirst(lc), context, false, false));
	}
	return buf.data;
}

/* put the row in the condition's slot, for its checks */
static void
store_row(Condition *cond, const Datum *values, const bool *nulls)
{
	TupleTableSlot *slot = cond->slot;
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * natts);
	ExecStoreVirtualTuple(slot);
	cond->econtext->ecxt_scantuple = slot;
}

/* does the row satisfy the whole condition (NULL counts as no)? */
bool
condition_holds(Condition *cond, const Datum *values, const bool *nulls)
{
	store_row(cond, values, nulls);
	return condition_holds_stored(cond);
}

/* the same for the row condition_arms_held() has just looked at */
bool
condition_holds_stored(Condition *cond)
{
	bool		result = ExecQual(cond->qual, cond->econtext);

	ResetExprContext(cond->econtext);
	return result;
}

/*
 * How many arms of the condition's OR across columns the row satisfies, and
 * in *arm_held whether arm "arm" is one of them.
 */
int
condition_arms_held(Condition *cond, const Datum *values, const bool *nulls,
					int arm, bool *arm_held)
{
	int			held = 0;
	int			j;

	store_row(cond, values, nulls);
	*arm_held = false;
	for (j = 0; j < cond->narms; j++)
		if (ExecQual(cond->arm_qual[j], cond->econtext))
		{
			held++;
			if (j == arm)
				*arm_held = true;
		}
	ResetExprContext(cond->econtext);
	return held;
}

/*
 * Does the value satisfy an ATOM_VALUES, ATOM_ANY or ATOM_EXPR atom?  The
 * last is evaluated with the condition's slot (which the checks of rows
 * fill again for each row).
 */
bool
condition_atom_holds(const ConditionAtom *atom, Datum value)
{
	int			b,
				k;

	if (atom->kind == ATOM_VALUES)
		return condition_atom_test(atom, (FmgrInfo *) &atom->op, value) != atom->negated;
	if (atom->kind == ATOM_EXPR)
	{
		TupleTableSlot *slot = atom->slot;
		int			natts = slot->tts_tupleDescriptor->natts;
		bool		result;
		int			i;

		ExecClearTuple(slot);
		for (i = 0; i < natts; i++)
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
		}
		slot->tts_values[atom->attno] = value;
		slot->tts_isnull[atom->attno] = false;
		ExecStoreVirtualTuple(slot);
		atom->econtext->ecxt_scantuple = slot;
		result = ExecQual(atom->check, atom->econtext);
		ResetExprContext(atom->econtext);
		return result;
	}
	for (b = 0; b < atom->nbranches; b++)
	{
		for (k = 0; k < atom->branch_len[b]; k++)
			if (!condition_atom_holds(&atom->branch[b][k], value))
				break;
		if (k == atom->branch_len[b])
			return true;
	}
	return false;
}

/* does "value op constant" hold for any of the atom's constants? */
bool
condition_atom_test(const ConditionAtom *atom, FmgrInfo *op, Datum value)
{
	int			i;

	for (i = 0; i < atom->nconsts; i++)
		if (DatumGetBool(FunctionCall2Coll(op, atom->collation, value, atom->consts[i])))
			return true;
	return false;
}
