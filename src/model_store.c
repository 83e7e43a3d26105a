/*-------------------------------------------------------------------------
 *
 * model_store.c
 *	  Serialisation of models and the synth_models table that holds them.
 *
 * The binary format (network byte order throughout):
 *
 *	 "SYNM" | uint16 format version | uint16 reserved (0) | int32 encoding
 *				 of the strings (PostgreSQL's encoding id)
 *	 int32 min_group_size | int64 rows_read | int64 rows_used
 *	 (version 2 on:) float8 epsilon (0: not differentially private) |
 *				 float8 delta | float8 budget shares: rows, columns, dependence
 *	 int32 ncolumns
 *	 per column: string name | string type | uint8 kind | uint8 flags (bit 0:
 *				 a unique integer key, numeric columns only; version 1: 0)
 *				 | float8 null_frac | kind-specific part (see write_column)
 *	 uint8 dependence kind | for a Gaussian copula: int32 dim,
 *				 int32 dimension[dim] (c: values of column c, ncolumns + c:
 *				 its NULLs), float8 correlation[dim * dim]
 *	 int32 grouping column (-1: none) | int32 ngroups | per group: float8
 *				 cumulative share | int64 rows_used | the group's ncolumns,
 *				 columns and dependence, laid out as above | the group's own
 *				 grouping part (nested at most GROUP_DEPTH_MAX deep)
 *	 (version 3 on:) int32 nhierarchies | per hierarchy (model.h): int32
 *				 from | int32 to | int32 nvalues (from's categories) | int32
 *				 value[nvalues] (a category of "to", -2: NULL, -1: none)
 *
 * A string is an int32 length and that many bytes, no terminator.  A model
 * read back from the table is untrusted input: every length, count, index
 * and probability is checked, and anything out of place is reported as
 * ERRCODE_DATA_CORRUPTED rather than trusted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "catalog/indexing.h"
#include "utils/fmgroids.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "column_model.h"
#include "model_store.h"
#include "string_shape.h"

#define COLUMN_FLAG_KEY 0x01
#define MODEL_MAGIC "SYNM"
#define MODEL_MAX_COLUMNS 1600
#define MODEL_MAX_PIECES (QUANTILE_MAX_ATOMS + QUANTILE_MAX_SEGMENTS + 2)
#define MODEL_MAX_STRING (1024 * 1024)

/* ---------- writing ---------- */

static void
put_u8(StringInfo buf, uint8 v)
{
	appendBinaryStringInfo(buf, (char *) &v, 1);
}

static void
put_u16(StringInfo buf, uint16 v)
{
	uint16		n = pg_hton16(v);

	appendBinaryStringInfo(buf, (char *) &n, 2);
}

static void
put_i32(StringInfo buf, int32 v)
{
	uint32		n = pg_hton32((uint32) v);

	appendBinaryStringInfo(buf, (char *) &n, 4);
}

static void
put_i64(StringInfo buf, int64 v)
{
	uint64		n = pg_hton64((uint64) v);

	appendBinaryStringInfo(buf, (char *) &n, 8);
}

static void
put_f8(StringInfo buf, double v)
{
	union
	{
		double		d;
		int64		i;
	}			u;

	u.d = v;
	put_i64(buf, u.i);
}

static void
put_string(StringInfo buf, const char *s)
{
	int32		len = strlen(s);

	put_i32(buf, len);
	appendBinaryStringInfo(buf, s, len);
}

static void
put_quantiles(StringInfo buf, const QuantileFunction *qf)
{
	int			i;

	put_i32(buf, qf->npieces);
	for (i = 0; i < qf->npieces; i++)
	{
		put_f8(buf, qf->pieces[i].lo);
		put_f8(buf, qf->pieces[i].hi);
		put_f8(buf, qf->pieces[i].cum);
	}
}

/*
 * Column parts by kind:
 *	 numeric:	  int32 decimals | float8 step | float8 step offset
 *				  | quantile function
 *	 categorical: int32 ncategories | (string label, float8 cum) each
 *				  | float8 other_prob | uint8 has_shape
 *				  | [quantile function of lengths, float8 class_cum[8][5]]
 *	 uuid, excluded: nothing
 * A quantile function is int32 npieces | (float8 lo, hi, cum) each.
 */
static void
write_column(StringInfo buf, const ColumnModel *cm)
{
	int			i,
				j;

	put_string(buf, cm->name);
	put_string(buf, cm->type_name);
	put_u8(buf, (uint8) cm->kind);
	put_u8(buf, cm->is_key ? COLUMN_FLAG_KEY : 0);
	put_f8(buf, cm->null_frac);
	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			put_i32(buf, cm->decimals);
			put_f8(buf, cm->step);
			put_f8(buf, cm->step_offset);
			put_quantiles(buf, &cm->quantiles);
			break;
		case COLUMN_CATEGORICAL:
			put_i32(buf, cm->ncategories);
			for (i = 0; i < cm->ncategories; i++)
			{
				put_string(buf, cm->labels[i]);
				put_f8(buf, cm->category_cum[i]);
			}
			put_f8(buf, cm->other_prob);
			put_u8(buf, cm->shape != NULL);
			if (cm->shape)
			{
				put_quantiles(buf, &cm->shape->length);
				for (i = 0; i < SHAPE_POSITIONS; i++)
					for (j = 0; j < SHAPE_CLASSES; j++)
						put_f8(buf, cm->shape->class_cum[i][j]);
			}
			break;
		case COLUMN_UUID:
		case COLUMN_EXCLUDED:
			break;
	}
}

/* the columns and the dependence model: the part a group repeats */
static void
write_body(StringInfo buf, const SynthModel *model)
{
	int			i;

	put_i32(buf, model->ncolumns);
	for (i = 0; i < model->ncolumns; i++)
		write_column(buf, &model->columns[i]);

	put_u8(buf, (uint8) model->dependence.kind);
	if (model->dependence.kind == DEPENDENCE_GAUSSIAN_COPULA)
	{
		const DependenceModel *dep = &model->dependence;

		put_i32(buf, dep->dim);
		for (i = 0; i < dep->dim; i++)
			put_i32(buf, dep->columns[i]);
		for (i = 0; i < dep->dim * dep->dim; i++)
			put_f8(buf, dep->correlation[i]);
	}
}

/* the grouping column and each group's body and groups */
static void
write_groups(StringInfo buf, const SynthModel *model)
{
	int			g;

	put_i32(buf, model->group_column);
	if (model->group_column < 0)
		return;
	put_i32(buf, model->ngroups);
	for (g = 0; g < model->ngroups; g++)
	{
		put_f8(buf, model->group_cum[g]);
		put_i64(buf, model->groups[g]->rows_used);
		write_body(buf, model->groups[g]);
		write_groups(buf, model->groups[g]);
	}
}

/* the columns fixed by others (table's model only) */
static void
write_hierarchies(StringInfo buf, const SynthModel *model)
{
	int			h,
				k;

	put_i32(buf, model->nhierarchies);
	for (h = 0; h < model->nhierarchies; h++)
	{
		const ColumnHierarchy *ch = &model->hierarchies[h];

		put_i32(buf, ch->from);
		put_i32(buf, ch->to);
		put_i32(buf, ch->nvalues);
		for (k = 0; k < ch->nvalues; k++)
			put_i32(buf, ch->value[k]);
	}
}

bytea *
model_serialize(const SynthModel *model)
{
	StringInfoData buf;
	bytea	   *result;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, MODEL_MAGIC, 4);
	put_u16(&buf, SYNTH_FORMAT_VERSION);
	put_u16(&buf, 0);
	put_i32(&buf, GetDatabaseEncoding());
	put_i32(&buf, model->min_group_size);
	put_i64(&buf, model->rows_read);
	put_i64(&buf, model->rows_used);
	put_f8(&buf, model->epsilon);
	put_f8(&buf, model->delta);
	put_f8(&buf, model->budget_rows);
	put_f8(&buf, model->budget_columns);
	put_f8(&buf, model->budget_dependence);
	write_body(&buf, model);

	write_groups(&buf, model);
	write_hierarchies(&buf, model);

	result = palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	pfree(buf.data);
	return result;
}

/* ---------- reading, with every field checked ---------- */

typedef struct ModelReader
{
	const char *model_name;
	const unsigned char *p;
	const unsigned char *end;
	int			encoding;		/* of the model's strings */
} ModelReader;

static void
pg_attribute_noreturn()
corrupt(ModelReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("synth model \"%s\" is corrupted", r->model_name),
			 errdetail("%s", detail),
			 errhint("Drop it with synth_drop() and fit it again with synth_fit().")));
}

/* a label this database's encoding cannot hold: say whose */
static void
conversion_context(void *arg)
{
	ModelReader *r = (ModelReader *) arg;

	errcontext("reading synth model \"%s\", fitted in a database of encoding %s: refit it in this database",
			   r->model_name, pg_encoding_to_char(r->encoding));
}

static void
need(ModelReader *r, Size n)
{
	if ((Size) (r->end - r->p) < n)
		corrupt(r, "The model ends before its last field.");
}

static uint8
get_u8(ModelReader *r)
{
	need(r, 1);
	return *r->p++;
}

static uint16
get_u16(ModelReader *r)
{
	uint16		v;

	need(r, 2);
	memcpy(&v, r->p, 2);
	r->p += 2;
	return pg_ntoh16(v);
}

static int32
get_i32(ModelReader *r)
{
	uint32		v;

	need(r, 4);
	memcpy(&v, r->p, 4);
	r->p += 4;
	return (int32) pg_ntoh32(v);
}

static int64
get_i64(ModelReader *r)
{
	uint64		v;

	need(r, 8);
	memcpy(&v, r->p, 8);
	r->p += 8;
	return (int64) pg_ntoh64(v);
}

/* a finite float8 */
static double
get_f8(ModelReader *r)
{
	union
	{
		double		d;
		int64		i;
	}			u;

	u.i = get_i64(r);
	if (!isfinite(u.d))
		corrupt(r, "A number in the model is not finite.");
	return u.d;
}

/* a probability in [0, 1] */
static double
get_prob(ModelReader *r)
{
	double		p = get_f8(r);

	if (p < 0.0 || p > 1.0)
		corrupt(r, "A probability in the model is outside [0, 1].");
	return p;
}

static int32
get_count(ModelReader *r, int32 max, Size min_bytes_each)
{
	int32		n = get_i32(r);

	if (n < 0 || n > max || (Size) n * min_bytes_each > (Size) (r->end - r->p))
		corrupt(r, "A count in the model is out of range.");
	return n;
}

static char *
get_string(ModelReader *r)
{
	int32		len = get_i32(r);
	char	   *s;

	if (len < 0 || len > MODEL_MAX_STRING)
		corrupt(r, "A string length in the model is out of range.");
	need(r, len);
	if (memchr(r->p, '\0', len) != NULL)
		corrupt(r, "A string in the model contains a zero byte.");
	s = palloc(len + 1);
	memcpy(s, r->p, len);
	s[len] = '\0';
	r->p += len;

	/*
	 * The strings are in the encoding of the database the model was fitted
	 * in; a model restored into a database of another encoding is converted
	 * (an error if a character has no counterpart), and every string must
	 * then be valid in this database's encoding.
	 */
	if (r->encoding != GetDatabaseEncoding())
	{
		ErrorContextCallback context;

		context.callback = conversion_context;
		context.arg = r;
		context.previous = error_context_stack;
		error_context_stack = &context;
		s = (char *) pg_do_encoding_conversion((unsigned char *) s, len,
											   r->encoding, GetDatabaseEncoding());
		error_context_stack = context.previous;
	}
	if (!pg_verifymbstr(s, strlen(s), true))
		corrupt(r, "A string in the model is not valid in the database's encoding.");
	return s;
}

static void
get_quantiles(ModelReader *r, QuantileFunction *qf)
{
	int			i;
	double		prev = 0.0;

	qf->npieces = get_count(r, MODEL_MAX_PIECES, 24);
	qf->pieces = palloc(sizeof(QuantilePiece) * Max(qf->npieces, 1));
	for (i = 0; i < qf->npieces; i++)
	{
		QuantilePiece *p = &qf->pieces[i];

		p->lo = get_f8(r);
		p->hi = get_f8(r);
		p->cum = get_prob(r);
		if (p->hi < p->lo)
			corrupt(r, "A quantile piece ends before it starts.");
		/* a width beyond a double's range would sample NaN */
		if (!isfinite(p->hi - p->lo))
			corrupt(r, "A quantile piece is wider than a number can be.");
		if (p->cum < prev)
			corrupt(r, "Cumulative probabilities in the model decrease.");
		prev = p->cum;
	}
	if (qf->npieces > 0 && qf->pieces[qf->npieces - 1].cum != 1.0)
		corrupt(r, "A quantile function does not end at probability 1.");
}

static void
read_column(ModelReader *r, ColumnModel *cm)
{
	int			i,
				j;
	uint8		flags;

	memset(cm, 0, sizeof(ColumnModel));
	cm->name = get_string(r);
	cm->type_name = get_string(r);
	if (cm->name[0] == '\0' || cm->type_name[0] == '\0')
		corrupt(r, "A column name or type in the model is empty.");
	cm->kind = (ColumnKind) get_u8(r);
	if ((int) cm->kind > COLUMN_KIND_MAX)
		corrupt(r, "A column in the model has an unknown kind.");
	flags = get_u8(r);
	if ((flags & ~COLUMN_FLAG_KEY) != 0 ||
		((flags & COLUMN_FLAG_KEY) && cm->kind != COLUMN_NUMERIC &&
		 cm->kind != COLUMN_CATEGORICAL))
		corrupt(r, "A column of the model has unknown flags.");
	cm->is_key = (flags & COLUMN_FLAG_KEY) != 0;
	cm->null_frac = get_prob(r);
	cm->decimals = -1;

	switch (cm->kind)
	{
		case COLUMN_NUMERIC:
			cm->decimals = get_i32(r);
			if (cm->decimals < -1 || cm->decimals > 1000)
				corrupt(r, "A column's number of decimals is out of range.");
			cm->step = get_f8(r);
			cm->step_offset = get_f8(r);
			if (cm->step < 0.0 || (cm->step > 0.0 && (cm->step_offset < 0.0 || cm->step_offset >= cm->step)))
				corrupt(r, "A column's step is out of range.");
			get_quantiles(r, &cm->quantiles);
			if (cm->quantiles.npieces == 0 && cm->null_frac != 1.0)
				corrupt(r, "A numeric column has no values but is not all NULL.");
			break;
		case COLUMN_CATEGORICAL:
			{
				double		prev = 0.0;
				double		last;

				cm->ncategories = get_count(r, INT32_MAX / 16, 12);
				cm->labels = palloc(sizeof(char *) * Max(cm->ncategories, 1));
				cm->category_cum = palloc(sizeof(double) * Max(cm->ncategories, 1));
				for (i = 0; i < cm->ncategories; i++)
				{
					cm->labels[i] = get_string(r);
					cm->category_cum[i] = get_prob(r);
					if (cm->category_cum[i] < prev)
						corrupt(r, "Cumulative probabilities in the model decrease.");
					prev = cm->category_cum[i];
				}
				cm->other_prob = get_prob(r);
				last = cm->ncategories > 0 ? cm->category_cum[cm->ncategories - 1] : 0.0;
				if (get_u8(r))
				{
					cm->shape = palloc0(sizeof(StringShape));
					get_quantiles(r, &cm->shape->length);
					if (cm->shape->length.npieces == 0)
						corrupt(r, "A string shape has no lengths.");
					for (i = 0; i < cm->shape->length.npieces; i++)
						if (cm->shape->length.pieces[i].lo < 0.0 ||
							cm->shape->length.pieces[i].hi > STRING_SHAPE_MAX_LENGTH)
							corrupt(r, "A string shape has a length out of range.");
					for (i = 0; i < SHAPE_POSITIONS; i++)
					{
						prev = 0.0;
						for (j = 0; j < SHAPE_CLASSES; j++)
						{
							cm->shape->class_cum[i][j] = get_prob(r);
							if (cm->shape->class_cum[i][j] < prev)
								corrupt(r, "Cumulative probabilities in the model decrease.");
							prev = cm->shape->class_cum[i][j];
						}
						if (prev != 1.0)
							corrupt(r, "A string shape's classes do not add up to 1.");
					}
				}
				if (cm->other_prob > 0.0 && cm->shape == NULL)
					corrupt(r, "A column pools rare values but has no string shape.");
				if (cm->null_frac != 1.0 && fabs(last + cm->other_prob - 1.0) > 1e-9)
					corrupt(r, "A column's category probabilities do not add up to 1.");
				break;
			}
		case COLUMN_UUID:
		case COLUMN_EXCLUDED:
			break;
	}
}

/* columns and dependence model, checked (see write_body) */
static void
read_body(ModelReader *r, SynthModel *model)
{
	int			i,
				j;

	model->ncolumns = get_count(r, MODEL_MAX_COLUMNS, 18);
	if (model->ncolumns == 0)
		corrupt(r, "The model has no columns.");
	model->columns = palloc0(sizeof(ColumnModel) * model->ncolumns);
	for (i = 0; i < model->ncolumns; i++)
	{
		read_column(r, &model->columns[i]);
		for (j = 0; j < i; j++)
			if (strcmp(model->columns[j].name, model->columns[i].name) == 0)
				corrupt(r, "The model names a column twice.");
	}

	model->dependence.kind = (DependenceKind) get_u8(r);
	if ((int) model->dependence.kind > DEPENDENCE_KIND_MAX)
		corrupt(r, "The model's dependence kind is unknown.");
	if (model->dependence.kind == DEPENDENCE_GAUSSIAN_COPULA)
	{
		DependenceModel *dep = &model->dependence;
		bool	   *seen = palloc0(sizeof(bool) * 2 * model->ncolumns);

		dep->dim = get_count(r, 2 * model->ncolumns, 4);
		dep->columns = palloc(sizeof(int) * Max(dep->dim, 1));
		for (i = 0; i < dep->dim; i++)
		{
			dep->columns[i] = get_i32(r);
			if (dep->columns[i] < 0 || dep->columns[i] >= 2 * model->ncolumns ||
				seen[dep->columns[i]])
				corrupt(r, "The dependence model names a column that is not in the model.");
			seen[dep->columns[i]] = true;
		}
		pfree(seen);
		need(r, (Size) dep->dim * dep->dim * 8);
		dep->correlation = palloc(sizeof(double) * Max(dep->dim * dep->dim, 1));
		for (i = 0; i < dep->dim * dep->dim; i++)
		{
			dep->correlation[i] = get_f8(r);
			if (fabs(dep->correlation[i]) > 1.0)
				corrupt(r, "A correlation in the model is outside [-1, 1].");
		}
		for (i = 0; i < dep->dim; i++)
		{
			if (dep->correlation[i * dep->dim + i] != 1.0)
				corrupt(r, "The correlation matrix does not have a unit diagonal.");
			for (j = 0; j < i; j++)
				if (dep->correlation[i * dep->dim + j] != dep->correlation[j * dep->dim + i])
					corrupt(r, "The correlation matrix is not symmetric.");
		}
	}
}

/*
 * The grouping part of "model" (at nesting depth "depth"): each group must
 * have the columns of "table", the whole model.
 */
static void
read_groups(ModelReader *r, SynthModel *model, const SynthModel *table, int depth)
{
	double		prev = 0.0;
	int			g,
				i;

	model->group_column = get_i32(r);
	model->ngroups = 0;
	if (model->group_column < -1 || model->group_column >= model->ncolumns)
		corrupt(r, "The model's grouping column is out of range.");
	if (model->group_column < 0)
		return;
	if (depth >= GROUP_DEPTH_MAX)
		corrupt(r, "The model's groups are nested too deep.");
	model->ngroups = get_count(r, GROUP_MAX + 1, 20);
	if (model->ngroups < 1)
		corrupt(r, "A grouped model has no groups.");
	model->group_cum = palloc(sizeof(double) * model->ngroups);
	model->groups = palloc(sizeof(SynthModel *) * model->ngroups);
	for (g = 0; g < model->ngroups; g++)
	{
		SynthModel *group = palloc0(sizeof(SynthModel));

		model->group_cum[g] = get_prob(r);
		if (model->group_cum[g] < prev)
			corrupt(r, "Cumulative probabilities in the model decrease.");
		prev = model->group_cum[g];
		group->rows_used = get_i64(r);
		if (group->rows_used < 0 || group->rows_used > model->rows_used)
			corrupt(r, "A group's row count is out of range.");
		group->min_group_size = model->min_group_size;
		group->rows_read = model->rows_read;
		read_body(r, group);
		if (group->ncolumns != table->ncolumns)
			corrupt(r, "A group does not have the model's columns.");
		for (i = 0; i < table->ncolumns; i++)
			if (strcmp(group->columns[i].name, table->columns[i].name) != 0 ||
				strcmp(group->columns[i].type_name, table->columns[i].type_name) != 0 ||
				group->columns[i].kind != table->columns[i].kind)
				corrupt(r, "A group does not have the model's columns.");
		read_groups(r, group, table, depth + 1);
		model->groups[g] = group;
	}
	if (prev != 1.0)
		corrupt(r, "The group shares do not add up to 1.");
}

/*
 * The columns fixed by others: each between two categorical columns of the
 * model, with a value per category of the fixing one, no column fixed
 * twice, and none fixed before what fixes it (so no chain closes).
 */
static void
read_hierarchies(ModelReader *r, SynthModel *model)
{
	bool	   *fixed = palloc0(sizeof(bool) * Max(model->ncolumns, 1));
	int			h,
				k;

	model->nhierarchies = get_count(r, model->ncolumns, 12);
	model->hierarchies = palloc0(sizeof(ColumnHierarchy) * Max(model->nhierarchies, 1));
	for (h = 0; h < model->nhierarchies; h++)
	{
		ColumnHierarchy *ch = &model->hierarchies[h];
		int			g;

		ch->from = get_i32(r);
		ch->to = get_i32(r);
		if (ch->from < 0 || ch->from >= model->ncolumns || ch->to < 0 ||
			ch->to >= model->ncolumns || ch->from == ch->to ||
			model->columns[ch->from].kind != COLUMN_CATEGORICAL ||
			model->columns[ch->to].kind != COLUMN_CATEGORICAL ||
			model->columns[ch->from].is_key || model->columns[ch->to].is_key ||
			model->epsilon > 0.0)
			corrupt(r, "A hierarchy of the model names columns it cannot.");
		if (fixed[ch->to])
			corrupt(r, "A column of the model is fixed by two hierarchies.");
		/* what fixes "from" must come earlier: no later one may fix it */
		for (g = 0; g < h; g++)
			if (model->hierarchies[g].from == ch->to)
				corrupt(r, "The model's hierarchies are out of order.");
		fixed[ch->to] = true;
		ch->nvalues = get_count(r, model->columns[ch->from].ncategories, 4);
		if (ch->nvalues != model->columns[ch->from].ncategories)
			corrupt(r, "A hierarchy of the model does not match its column.");
		ch->value = palloc(sizeof(int) * Max(ch->nvalues, 1));
		for (k = 0; k < ch->nvalues; k++)
		{
			ch->value[k] = get_i32(r);
			if (ch->value[k] < HIERARCHY_NULL ||
				ch->value[k] >= model->columns[ch->to].ncategories ||
				(ch->value[k] == HIERARCHY_NULL && model->columns[ch->to].null_frac <= 0.0))
				corrupt(r, "A hierarchy of the model fixes a value out of range.");
		}
	}
	pfree(fixed);
}

/*
 * model_deserialize: decode (and check) a model; "name" is only used in
 * error messages.  Allocates in the current memory context.
 */
SynthModel *
model_deserialize(const char *name, const char *data, Size len)
{
	ModelReader r;
	SynthModel *model = palloc0(sizeof(SynthModel));
	uint16		version;

	r.model_name = name;
	r.p = (const unsigned char *) data;
	r.end = r.p + len;

	need(&r, 4);
	if (memcmp(r.p, MODEL_MAGIC, 4) != 0)
		corrupt(&r, "The data does not start like a synth model.");
	r.p += 4;
	version = get_u16(&r);
	if (version < 1 || version > SYNTH_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("synth model \"%s\" has format version %d, which this version of synth cannot read",
						name, version),
				 errhint("Fit the model again with synth_fit().")));
	if (get_u16(&r) != 0)
		corrupt(&r, "A reserved field in the model is not zero.");
	r.encoding = get_i32(&r);
	if (!PG_VALID_BE_ENCODING(r.encoding))
		corrupt(&r, "The model's character encoding is unknown.");

	model->min_group_size = get_i32(&r);
	model->rows_read = get_i64(&r);
	model->rows_used = get_i64(&r);
	if (model->min_group_size < 1 || model->rows_read < 0 || model->rows_used < 0 ||
		model->rows_used > model->rows_read)
		corrupt(&r, "The model's header fields are out of range.");
	if (version >= 2)
	{
		/* version 1 knew no differential privacy: zeros */
		model->epsilon = get_f8(&r);
		model->delta = get_f8(&r);
		model->budget_rows = get_f8(&r);
		model->budget_columns = get_f8(&r);
		model->budget_dependence = get_f8(&r);
		if (!(model->epsilon >= 0.0 && model->epsilon < 1e6) ||
			!(model->delta >= 0.0 && model->delta < 1.0) ||
			!(model->budget_rows >= 0.0 && model->budget_rows <= 1.0) ||
			!(model->budget_columns >= 0.0 && model->budget_columns <= 1.0) ||
			!(model->budget_dependence >= 0.0 && model->budget_dependence <= 1.0) ||
			model->budget_rows + model->budget_columns + model->budget_dependence > 1.0 + 1e-9 ||
			(model->epsilon == 0.0 &&
			 (model->delta != 0.0 || model->budget_rows + model->budget_columns +
			  model->budget_dependence != 0.0)))
			corrupt(&r, "The model's privacy fields are out of range.");
	}
	read_body(&r, model);

	read_groups(&r, model, model, 0);
	if (version >= 3)
		read_hierarchies(&r, model);
	if (r.p != r.end)
		corrupt(&r, "The model has trailing bytes.");
	return model;
}

/* ---------- the synth_models table ---------- */

/*
 * The schema synth is installed in.  PostgreSQL 16 exports
 * get_extension_schema(); on 15 read pg_extension the same way.
 */
static Oid
synth_schema(void)
{
	Oid			ext = get_extension_oid("synth", false);
#if PG_VERSION_NUM >= 160000
	return get_extension_schema(ext);
#else
	Oid			result = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		result = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(result))
		elog(ERROR, "extension synth has no schema");
	return result;
#endif
}

/* "schema.synth_models", quoted, for the schema synth is installed in */
static char *
model_table(void)
{
	Oid			nsp = synth_schema();

	return quote_qualified_identifier(get_namespace_name(nsp), "synth_models");
}

void
check_model_name(const char *name)
{
	if (name == NULL || name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model name must not be empty")));
}

/*
 * The name of a model the caller can read that is a near miss of "name" (a
 * typing slip: a third of its characters, at least 1 and at most 3, to
 * insert, delete or change), or NULL.  Inside an SPI connection.
 */
static const char *
nearest_model_name(const char *name)
{
	int			len = strlen(name);
	int			chars = pg_mbstrlen(name);
	int			limit = Max(1, Min(3, chars / 3));
	int			best_distance = limit + 1;
	const char *best = NULL;
	uint64		i;

	if (SPI_execute(psprintf("SELECT name FROM %s ORDER BY name", model_table()), true, 0) != SPI_OK_SELECT)
		return NULL;
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *candidate = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		int			d;

		if (candidate == NULL || abs(pg_mbstrlen(candidate) - chars) > limit)
			continue;
		/* bounded by the limit, and for names of any length */
		d = varstr_levenshtein_less_equal(name, len, candidate, strlen(candidate),
										  1, 1, 1, limit, true);
		if (d < best_distance)
		{
			best_distance = d;
			best = candidate;
		}
	}
	return best;
}

static StoredModel *model_read(const char *name, const ModelVersion *known,
							   ModelVersion *version);

/*
 * The plan of the query that reads a model ("query", one text parameter),
 * prepared once per backend and kept: a call that draws a few rows of a
 * kept sampler (sampler_cache.h) would otherwise spend most of its time
 * parsing and planning it.  Made again when the query changes (the
 * extension's schema); the plan cache replans it when synth_models changes
 * and for another role (row-level security).  Inside an SPI connection.
 */
static SPIPlanPtr
read_plan(const char *query, Oid *argtypes)
{
	static SPIPlanPtr plan = NULL;
	static char *plan_query = NULL;
	SPIPlanPtr	fresh;
	char	   *fresh_query;

	if (plan != NULL && strcmp(plan_query, query) == 0)
		return plan;
	fresh = SPI_prepare(query, 1, argtypes);
	if (fresh == NULL)
		elog(ERROR, "preparing the read of synth_models failed: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(fresh) != 0)
		elog(ERROR, "keeping the plan that reads synth_models failed");
	fresh_query = MemoryContextStrdup(TopMemoryContext, query);
	/* (nothing can fail from here on) */
	if (plan != NULL)
	{
		SPI_freeplan(plan);
		pfree(plan_query);
	}
	plan = fresh;
	plan_query = fresh_query;
	return plan;
}

/*
 * model_load: read and decode model "name" with the caller's privileges on
 * synth_models.  Errors if there is no such model.  The result is allocated
 * in the caller's memory context.
 */
StoredModel *
model_load(const char *name)
{
	return model_read(name, NULL, NULL);
}

StoredModel *
model_load_changed(const char *name, ModelVersion *version)
{
	return model_read(name, version, version);
}

/*
 * The model "name" as its row holds it; but NULL (nothing decoded) if the
 * row is still "known".  The row's version goes to *version (if not NULL).
 */
static StoredModel *
model_read(const char *name, const ModelVersion *known, ModelVersion *version)
{
	MemoryContext caller = CurrentMemoryContext;
	StoredModel *sm;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *query;
	int			ret;
	bool		isnull;
	HeapTuple	tuple;
	TupleDesc	desc;
	bytea	   *blob;
	ModelVersion row;

	check_model_name(name);
	query = psprintf("SELECT source, fitted_at, row_count, format_version, model, tableoid, xmin, ctid "
					 "FROM %s WHERE name = $1", model_table());
	args[0] = CStringGetTextDatum(name);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_plan(read_plan(query, argtypes), args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading synth_models failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		const char *near = nearest_model_name(name);

		if (near)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("synth model \"%s\" does not exist", name),
					 errhint("Perhaps you meant the model \"%s\". Otherwise fit it first with synth_fit().",
							 near)));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("synth model \"%s\" does not exist", name),
				 errhint("Fit it first with synth_fit().")));
	}

	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	row.table = DatumGetObjectId(SPI_getbinval(tuple, desc, 6, &isnull));
	row.xmin = DatumGetTransactionId(SPI_getbinval(tuple, desc, 7, &isnull));
	ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(tuple, desc, 8, &isnull)), &row.tid);
	if (known != NULL && known->table == row.table &&
		TransactionIdEquals(known->xmin, row.xmin) &&
		ItemPointerEquals((ItemPointer) &known->tid, &row.tid))
	{
		SPI_finish();
		return NULL;
	}
	if (version != NULL)
		*version = row;

	MemoryContextSwitchTo(caller);
	sm = palloc0(sizeof(StoredModel));
	sm->name = pstrdup(name);
	sm->source = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
	sm->fitted_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 2, &isnull));
	sm->row_count = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull));
	sm->format_version = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
	blob = DatumGetByteaPP(SPI_getbinval(tuple, desc, 5, &isnull));
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("synth model \"%s\" is corrupted", name),
				 errdetail("The stored model is NULL.")));
	sm->model = model_deserialize(name, VARDATA_ANY(blob), VARSIZE_ANY_EXHDR(blob));

	SPI_finish();
	return sm;
}

/*
 * model_save: insert or replace model "name" in one statement, so that a
 * refit replaces the old model atomically and concurrent fits of the same
 * name end with one of them.
 */
void
model_save(const char *name, const char *source, int64 row_count,
		   const SynthModel *model)
{
	Oid			argtypes[6] = {TEXTOID, TEXTOID, INT8OID, TEXTARRAYOID, INT4OID, BYTEAOID};
	Datum		args[6];
	Datum	   *colnames;
	char	   *query;
	int			ret;
	int			i;

	colnames = palloc(sizeof(Datum) * model->ncolumns);
	for (i = 0; i < model->ncolumns; i++)
		colnames[i] = CStringGetTextDatum(model->columns[i].name);

	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(source);
	args[2] = Int64GetDatum(row_count);
	args[3] = PointerGetDatum(construct_array(colnames, model->ncolumns, TEXTOID, -1, false, TYPALIGN_INT));
	args[4] = Int32GetDatum(SYNTH_FORMAT_VERSION);
	args[5] = PointerGetDatum(model_serialize(model));

	/* never store a model that could not be read back */
	{
		bytea	   *blob = DatumGetByteaPP(args[5]);

		(void) model_deserialize(name, VARDATA_ANY(blob), VARSIZE_ANY_EXHDR(blob));
	}

	query = psprintf("INSERT INTO %s AS m (name, source, fitted_at, row_count, columns, format_version, model) "
					 "VALUES ($1, $2, now(), $3, $4, $5, $6) "
					 "ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, "
					 "fitted_at = EXCLUDED.fitted_at, row_count = EXCLUDED.row_count, "
					 "columns = EXCLUDED.columns, format_version = EXCLUDED.format_version, "
					 "model = EXCLUDED.model", model_table());

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * Another role's model of that name: row-level security refuses the
	 * update with a message about synth_models' policy and the INSERT it
	 * ran.  Say instead what the name is and what to do; the error is
	 * raised again at once, nothing runs after the catch.
	 */
	{
		MemoryContext here = CurrentMemoryContext;

		/* may the caller write synth_models at all?  (looked up before the try) */
		bool		may_write = pg_class_aclmask(get_relname_relid("synth_models", synth_schema()),
												 GetUserId(), ACL_INSERT | ACL_UPDATE,
												 ACLMASK_ALL) == (ACL_INSERT | ACL_UPDATE);

		PG_TRY();
		{
			ret = SPI_execute_with_args(query, 6, argtypes, args, NULL, false, 0);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(here);
			edata = CopyErrorData();
			/* a role that may write synth_models: the row's policy refused */
			if (edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE || !may_write)
				PG_RE_THROW();
			FlushErrorState();
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("synth model \"%s\" belongs to another role", name),
					 errdetail("Only its owner (or a member of the owning role) may fit it again."),
					 errhint("Fit under another name with model => '...'.")));
		}
		PG_END_TRY();
	}
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "writing synth_models failed: %s", SPI_result_code_string(ret));
	SPI_finish();
}

/* model_source: the source of model "name", or NULL if there is none */
char *
model_source(const char *name)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *result = NULL;
	bool		isnull;
	int			ret;

	args[0] = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(psprintf("SELECT source FROM %s WHERE name = $1", model_table()),
								1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading synth_models failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(caller);

			result = TextDatumGetCString(d);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return result;
}

/* model_delete: remove model "name"; false if it did not exist */
bool
model_delete(const char *name)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *query;
	int			ret;
	bool		found;

	check_model_name(name);
	query = psprintf("DELETE FROM %s WHERE name = $1", model_table());
	args[0] = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(query, 1, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "deleting from synth_models failed: %s", SPI_result_code_string(ret));
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}
