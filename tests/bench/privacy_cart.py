#!/usr/bin/python3
"""A sequential CART synthesizer (in the manner of synthpop's default method)
that keeps synth's privacy rule, to show what that model family scores under
the rule: a yardstick for tests/bench/ceiling, not part of synth.

Usage: privacy_cart.py SCORER TABLE SEED [--smooth | --keep-rare-text] [--min-group-size N]
                       [--rows M] [--out TABLE2]
       (connection from the PG* variables; prints the scorer's report as JSON)

It samples M rows (default: as many as the table has); --out also writes them
to a new table TABLE2 with TABLE's columns (for the DCR share against a holdout:
tests/bench/fidelity --cart).  Columns are visited in table order (identifier columns, as the scorer defines
them, are left out and filled with made-up strings).  The first column is a
bootstrap of its values; every later one is drawn, for each synthetic row, from
a donor: a real row in the same leaf of a classification or regression tree
grown on the columns before it, with leaves of at least N rows (default 5).  A
number column's missingness is drawn first, from a tree of its own.  The rule:
a text value seen in fewer than N rows is never emitted (every such value is one
class while fitting, and a made-up string of its own in the output); with
--smooth, a number seen in fewer than N rows is not emitted either: the donor's
value moves by a normal draw of half the column's Silverman bandwidth, within
the column's range, and a whole-number column is rounded (synth never stores
such a value, it stores quantile pieces).  With --keep-rare-text there is no
rule at all, only the leaves of N rows: CART as synthpop runs it (its minbucket
is 5), to stand in for the peer on tables peers.md has no figures for.  Seeded:
the same seed gives the same rows.
"""
import importlib.util
import json
import sys

import numpy as np
import pandas as pd
import psycopg2
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def write_table(like, name, df):
    """Create table "name" like table "like" and insert the rows of df."""
    conn = psycopg2.connect('')
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (LIKE {like})')
        rows = df.astype(object).where(df.notna(), None)
        values = [[v.item() if hasattr(v, 'item') else v for v in r] for r in rows.itertuples(index=False)]
        cols = ', '.join(['%s'] * len(df.columns))
        cur.executemany(f'INSERT INTO {name} VALUES ({cols})', values)
    conn.close()


def main():
    args = sys.argv[1:]
    smooth = '--smooth' in args
    keep_rare = '--keep-rare-text' in args
    min_rows = 5
    if '--min-group-size' in args:
        min_rows = int(args[args.index('--min-group-size') + 1])
    scorer_path, table, seed = args[0], args[1], int(args[2])
    rows = int(args[args.index('--rows') + 1]) if '--rows' in args else None
    out_table = args[args.index('--out') + 1] if '--out' in args else None
    spec = importlib.util.spec_from_file_location('quality', scorer_path)
    q = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(q)
    rng = np.random.default_rng(seed)

    real = q.load(psycopg2.connect(''), table)
    n = len(real)
    m = rows or n
    kind = q.kinds(real)
    cols = [c for c in real.columns if kind[c] != 'id']
    is_date = {c: kind[c] == 'num' and real[c].dropna().map(lambda v: hasattr(v, 'year')).any()
               for c in cols}

    # the columns as the model sees them: numbers as floats, categories as
    # text with every rare value one class "__rare"
    fit = pd.DataFrame(index=real.index)
    for c in cols:
        if kind[c] == 'num':
            fit[c] = q.numeric(real[c])
        else:
            whole = real[c].dtype != object and (real[c].dropna() % 1 == 0).all()
            s = (real[c].astype('Int64') if whole else real[c]).astype(str).where(real[c].notna(), None)
            counts = s.value_counts()
            fit[c] = s if keep_rare else s.where(s.isna() | s.isin(counts[counts >= min_rows].index), '__rare')
    levels = {c: sorted(fit[c].dropna().unique()) for c in cols if kind[c] != 'num'}

    def encode(df, c):
        if kind[c] == 'num':
            return df[c].astype(float).fillna(-1e18).to_numpy()
        return df[c].map({v: i for i, v in enumerate(levels[c])}).fillna(-1).to_numpy()

    def leaf_members(leaves):
        return pd.Series(np.arange(len(leaves))).groupby(leaves).apply(lambda s: s.to_numpy()).to_dict()

    syn = pd.DataFrame(index=range(m))
    done = []
    for c in cols:
        y = fit[c]
        values = np.empty(m, dtype=object)
        if not done:
            values[:] = y.to_numpy()[rng.integers(0, n, m)]
        else:
            a = np.column_stack([encode(fit, d) for d in done])
            b = np.column_stack([encode(syn, d) for d in done])
            if kind[c] == 'num':
                missing = y.isna().to_numpy()
                syn_missing = np.zeros(m, bool)
                if missing.any():
                    tree = DecisionTreeClassifier(min_samples_leaf=min_rows, random_state=0).fit(a, missing)
                    share = pd.Series(missing).groupby(tree.apply(a)).mean().to_dict()
                    syn_missing = rng.random(m) < np.array([share[leaf] for leaf in tree.apply(b)])
                have = ~missing
                donors = y[have].to_numpy()
                tree = DecisionTreeRegressor(min_samples_leaf=min_rows, random_state=0).fit(a[have], donors)
                members = leaf_members(tree.apply(a[have]))
                for i, leaf in enumerate(tree.apply(b)):
                    at = members[leaf]
                    values[i] = np.nan if syn_missing[i] else donors[at[rng.integers(0, len(at))]]
            else:
                tree = DecisionTreeClassifier(min_samples_leaf=min_rows, random_state=0)
                tree.fit(a, y.fillna('__null').astype(str).to_numpy())
                members = leaf_members(tree.apply(a))
                for i, leaf in enumerate(tree.apply(b)):
                    at = members[leaf]
                    values[i] = y.iat[at[rng.integers(0, len(at))]]
        if kind[c] == 'num':
            v = pd.to_numeric(pd.Series(values), errors='coerce').to_numpy(float)
            if smooth:
                col = y.dropna()
                counts = col.value_counts()
                seen = set(counts[counts >= min_rows].index)
                width = 0.5 * 1.06 * col.std() * len(col) ** -0.2 if len(col) > 1 else 0.0
                for i in range(m):
                    if not np.isnan(v[i]) and v[i] not in seen:
                        v[i] = min(max(v[i] + rng.normal(0.0, width), col.min()), col.max())
            syn[c] = v
        else:
            syn[c] = [None if x is None or (isinstance(x, float) and np.isnan(x)) else x for x in values]
        done.append(c)

    # back to the table's types, as the scorer reads them
    out = pd.DataFrame(index=range(m))
    for c in real.columns:
        if c not in cols:
            out[c] = ['made-up id %d' % i for i in range(m)]
        elif kind[c] == 'num':
            if is_date[c]:
                out[c] = pd.to_datetime(syn[c] * 86400e9).where(syn[c].notna())
            else:
                whole = pd.to_numeric(real[c], errors='coerce').dropna()
                out[c] = syn[c].round() if len(whole) and (whole % 1 == 0).all() else syn[c]
        else:
            text = [None if v is None else ('made-up %d' % i if v == '__rare' else v)
                    for i, v in enumerate(syn[c])]
            if real[c].dtype == object:
                out[c] = text
            elif pd.api.types.is_integer_dtype(real[c].dtype):
                out[c] = pd.to_numeric(pd.Series(text), errors='coerce').round().astype('Int64')
            else:
                out[c] = pd.to_numeric(pd.Series(text), errors='coerce').astype(float)
    if out_table:
        write_table(table, out_table, out[list(real.columns)])
    report = q.score(real, out)
    print(json.dumps({k: report[k] for k in ('quality', 'column_shapes', 'pair_trends')}))


if __name__ == '__main__':
    main()
