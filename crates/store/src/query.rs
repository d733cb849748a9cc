//! A small builder for queries whose WHERE clause depends on the filters given, so each list
//! query is still written once for both backends with numbered placeholders.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Where {
    pub(crate) clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
    /// Plan the query for each call's arguments (see [`Where::plan_per_call`]).
    pub(crate) per_call: bool,
}

impl Where {
    /// The placeholder the next argument will get.
    pub(crate) fn next(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Add an argument and return its placeholder, for clauses that use one argument twice.
    pub(crate) fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// Add a clause; `?` in it stands for the argument's placeholder.
    pub(crate) fn and(&mut self, clause: &str, a: Arg) {
        let p = self.arg(a);
        self.clauses.push(clause.replace('?', &p));
    }

    /// Add a clause that carries its own placeholders (made with [`Where::arg`]).
    pub(crate) fn and_raw(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// Have the query planned for each call's own arguments, for clauses whose best plan
    /// depends on them (a `LIKE` pattern the trigram index serves). A prepared statement is
    /// planned generically after five calls on PostgreSQL, and a generic `LIKE $1` reads the
    /// whole table (370 ms on 100,000 reports against 1 ms).
    pub(crate) fn plan_per_call(&mut self) {
        self.per_call = true;
    }

    /// `sql` with the arguments bound, as an unnamed statement when it is planned per call.
    pub(crate) fn query<'q>(&self, sql: &'q str) -> Query<'q, Any, AnyArguments<'q>> {
        bind_all(sqlx::query(sql), &self.args).persistent(!self.per_call)
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    args: &[Arg],
) -> Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

/// A keyset-paged list: `SELECT cols FROM from WHERE …` in the order of `keys` (column, and
/// whether it sorts descending; the last is unique), with each row's sort key as a [`Cursor`]
/// by `key_of` and a cursor's values as arguments in the order of `keys` by `args_of`.
pub(crate) struct Keyset<'a, T> {
    pub cols: &'a str,
    pub from: &'a str,
    pub keys: &'a [(&'a str, bool)],
    pub key_of: fn(&T) -> crate::Cursor,
    pub args_of: fn(crate::Cursor) -> Vec<Arg>,
}

impl<T> Keyset<'_, T> {
    fn order(&self, flip: bool, bare: bool) -> String {
        self.keys
            .iter()
            .map(|(c, desc)| {
                let c = if bare {
                    c.rsplit('.').next().unwrap_or(c)
                } else {
                    c
                };
                format!("{c} {}", if *desc != flip { "DESC" } else { "ASC" })
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The page `page` of the rows `w` selects, with cursors either side and a total counted up
    /// to [`crate::TOTAL_CAP`]. After or before a cursor, the rows past it are a union of one
    /// index range per key (`k1 = c1 AND k2 < c2`, `k1 > c1`, …) rather than one `OR` or row
    /// comparison, which neither planner reads as a range over a mixed-direction key.
    pub(crate) async fn page(
        &self,
        pool: &sqlx::AnyPool,
        w: &Where,
        page: crate::Page,
        map: impl Fn(&sqlx::any::AnyRow) -> crate::Result<T>,
    ) -> crate::Result<crate::Paged<T>> {
        use crate::Seek;
        let (cols, from, n) = (self.cols, self.from, page.per_page);
        let (cursor, flip) = match page.seek {
            None => (None, false),
            Some(Seek::After(c)) => (Some(c), false),
            Some(Seek::Before(c)) => (Some(c), true),
        };
        let mut q = w.clone();
        let order = self.order(flip, false);
        let sql = match cursor {
            None if page.page > 1 => format!(
                "SELECT {cols} FROM {from}{} ORDER BY {order} LIMIT {} OFFSET {}",
                q.sql(),
                n + 1,
                page.offset()
            ),
            None => format!(
                "SELECT {cols} FROM {from}{} ORDER BY {order} LIMIT {}",
                q.sql(),
                n + 1
            ),
            Some(c) => {
                let vals: Vec<String> = (self.args_of)(c).into_iter().map(|a| q.arg(a)).collect();
                let parts: Vec<String> = (0..self.keys.len())
                    .map(|j| {
                        let mut part = Where {
                            clauses: q.clauses.clone(),
                            ..Default::default()
                        };
                        for (k, (col, _)) in self.keys[..j].iter().enumerate() {
                            part.and_raw(format!("{col} = {}", vals[k]));
                        }
                        let (col, desc) = self.keys[j];
                        let cmp = if desc != flip { "<" } else { ">" };
                        part.and_raw(format!("{col} {cmp} {}", vals[j]));
                        format!(
                            "SELECT * FROM (SELECT {cols} FROM {from}{} ORDER BY {order} LIMIT {}) AS k{j}",
                            part.sql(),
                            n + 1
                        )
                    })
                    .collect();
                format!(
                    "{} ORDER BY {} LIMIT {}",
                    parts.join(" UNION ALL "),
                    self.order(flip, true),
                    n + 1
                )
            }
        };
        let rows = q.query(&sql).fetch_all(pool).await?;
        let mut items = rows.iter().map(map).collect::<crate::Result<Vec<T>>>()?;
        let more = items.len() as i64 > n;
        items.truncate(n as usize);
        if flip {
            items.reverse();
        }
        let first = items.first().map(self.key_of);
        let last = items.last().map(self.key_of);
        let (next, prev) = if flip {
            (last, first.filter(|_| more))
        } else {
            (
                last.filter(|_| more),
                first.filter(|_| cursor.is_some() || page.page > 1),
            )
        };
        let (total, total_exact) = if cursor.is_none() && page.page == 1 && !more {
            (items.len() as i64, true)
        } else {
            use sqlx::Row;
            let sql = format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {from}{} LIMIT {}) AS c",
                w.sql(),
                crate::TOTAL_CAP + 1
            );
            let counted: i64 = w.query(&sql).fetch_one(pool).await?.try_get("n")?;
            (counted.min(crate::TOTAL_CAP), counted <= crate::TOTAL_CAP)
        };
        Ok(crate::Paged {
            items,
            page: page.page,
            per_page: n,
            total,
            total_exact,
            next,
            prev,
        })
    }
}
