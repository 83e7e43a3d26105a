/*-------------------------------------------------------------------------
 *
 * model.h
 *	  The in-memory form of a synth model: one model per column plus the
 *	  dependence model that ties the columns together.
 *
 * A model is built by fit.c and model_build.c, written and read back by
 * model_store.c (the versioned binary format), shown by model_json.c and
 * sampled by sample.c.
 * Everything here is palloc'd in one memory context, so a model is freed
 * by deleting that context.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SYNTH_MODEL_H
#define SYNTH_MODEL_H

/* Bump when the binary layout changes; model_store.c reads older ones. */
#define SYNTH_FORMAT_VERSION 3

typedef enum ColumnKind
{
	COLUMN_EXCLUDED = 0,		/* left out by the user: sampled as NULL */
	COLUMN_NUMERIC = 1,			/* numbers, dates, timestamps */
	COLUMN_CATEGORICAL = 2,		/* text, boolean, enum */
	COLUMN_UUID = 3				/* identifiers: fresh random uuids */
} ColumnKind;

#define COLUMN_KIND_MAX COLUMN_UUID

/*
 * A quantile function as a sorted list of pieces.  A piece with lo == hi is
 * an atom (a value shared by at least min_group_size rows); otherwise the
 * piece spreads its probability uniformly over [lo, hi].  cum is the
 * cumulative probability at the end of the piece; the last one is 1.
 */
typedef struct QuantilePiece
{
	double		lo;
	double		hi;
	double		cum;
} QuantilePiece;

typedef struct QuantileFunction
{
	int			npieces;
	QuantilePiece *pieces;
} QuantileFunction;

/*
 * The shape of strings that are generated fresh (identifiers, names, rare
 * values): their length distribution and which character class appears at
 * each eighth of the string.
 */
#define SHAPE_POSITIONS 8
#define SHAPE_CLASSES 5			/* upper, lower, digit, space, other */

typedef struct StringShape
{
	QuantileFunction length;
	double		class_cum[SHAPE_POSITIONS][SHAPE_CLASSES];
} StringShape;

typedef struct ColumnModel
{
	char	   *name;			/* column name in the source table */
	char	   *type_name;		/* format_type_be() of its type */
	ColumnKind	kind;
	double		null_frac;		/* share of NULLs */

	/* COLUMN_NUMERIC */
	QuantileFunction quantiles; /* of the non-NULL values */
	int			decimals;		/* digits kept after the point, -1 = all */
	double		step;			/* values lie on offset + k * step; 0 = any */
	double		step_offset;
	bool		is_key;			/* a unique integer or text key: sampled fresh and unique */

	/* COLUMN_CATEGORICAL */
	int			ncategories;	/* values seen in >= min_group_size rows */
	char	  **labels;			/* their text form */
	double	   *category_cum;	/* cumulative probabilities, then "other" */
	double		other_prob;		/* pooled rare values */
	StringShape *shape;			/* how to make fresh strings, or NULL */
} ColumnModel;

typedef enum DependenceKind
{
	DEPENDENCE_NONE = 0,		/* columns sampled independently */
	DEPENDENCE_GAUSSIAN_COPULA = 1
} DependenceKind;

#define DEPENDENCE_KIND_MAX DEPENDENCE_GAUSSIAN_COPULA

typedef struct DependenceModel
{
	DependenceKind kind;
	int			dim;			/* number of dimensions in the copula */
	int		   *columns;		/* c: values of column c, ncolumns + c: its NULLs */
	double	   *correlation;	/* dim x dim, row major */
} DependenceModel;

/*
 * A column fixed by another (hierarchy.c): every row with a value that the
 * determining column "from" keeps has the same value (or NULL) in column
 * "to": a car's model fixes its maker, a city its state.  value[k], for
 * category k of "from" in the table's model, is the category of "to" it
 * fixes, HIERARCHY_NULL, or HIERARCHY_NONE (nothing known: drawn as usual).
 */
#define HIERARCHY_NONE (-1)
#define HIERARCHY_NULL (-2)

typedef struct ColumnHierarchy
{
	int			from;
	int			to;
	int			nvalues;		/* from's ncategories */
	int		   *value;
} ColumnHierarchy;

/*
 * A model: per-column models and their dependence.  A model may also be a
 * mixture: the rows split by the levels of one grouping column, each group
 * with a model of its own (same columns), drawn with the group's share.
 * The top-level columns and dependence then describe all rows together
 * (they are what synth_model() shows first); sampling uses the groups.
 */
typedef struct SynthModel
{
	int			ncolumns;
	ColumnModel *columns;
	int			min_group_size; /* privacy: least rows behind any stored value */
	int64		rows_read;		/* rows in the source table when fitted */
	int64		rows_used;		/* rows the model was learnt from */
	DependenceModel dependence;

	/* differential privacy (dp_fit.c): epsilon 0 = not a DP model */
	double		epsilon;
	double		delta;			/* > 0 only with text columns */
	double		budget_rows;	/* the shares of epsilon spent on */
	double		budget_columns; /* the row count, the column models and */
	double		budget_dependence;	/* the dependence */

	/* on the table's model only: columns fixed by others, in the order applied */
	int			nhierarchies;
	ColumnHierarchy *hierarchies;

	int			group_column;	/* index of the grouping column, or -1 */
	int			ngroups;
	double	   *group_cum;		/* cumulative shares of the groups */
	struct SynthModel **groups;	/* each: columns, dependence, rows_used */
} SynthModel;

/*
 * A group holds at least this many rows of the fitting sample; a group
 * within a group at least GROUP_MIN_ROWS_NESTED, since a copula learnt
 * from few rows follows them too closely (the DCR share rises).  A group
 * learns a model of every column and a correlation for every pair from its
 * own rows, so it also needs GROUP_ROWS_PER_COLUMN rows per column of the
 * table.  The training halves of pbc (209 rows, 20 columns): with 3 rows
 * per column, groups of 60 to 100 rows gave a DCR share of 0.58 averaged
 * over five splits (0.52 without groups); with 6 it is 0.52, while the
 * whole table (418 rows) still splits and scores 0.966 against 0.973.
 */
#define GROUP_MIN_ROWS 40
#define GROUP_MIN_ROWS_NESTED 100
#define GROUP_ROWS_PER_COLUMN 6
#define GROUP_MAX 8
/*
 * Groups may split twice more: a group three levels down has no groups.  A
 * third level pays only with the groups aligned to the table's columns when
 * sampling (marginal_alignment.h).
 */
#define GROUP_DEPTH_MAX 3

extern const char *column_kind_name(ColumnKind kind);
extern double quantile_sample(const QuantileFunction *qf, double u);

/*
 * A guide table for quantile_sample_guided(): start[k] is the first piece
 * whose cumulative probability passes k / size, so a draw starts its search
 * there and walks a piece or two instead of a binary search.
 */
typedef struct QuantileGuide
{
	int			size;
	int		   *start;
} QuantileGuide;

extern void quantile_guide_build(const QuantileFunction *qf, QuantileGuide *guide);
extern double quantile_sample_guided(const QuantileFunction *qf,
									 const QuantileGuide *guide, double u);

#endif							/* SYNTH_MODEL_H */
