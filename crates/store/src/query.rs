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

#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
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

/// One page of `SELECT cols FROM from WHERE … ORDER BY order`, with the total that matched: the
/// shape of every list the API pages through.
pub(crate) async fn paged<T>(
    pool: &sqlx::AnyPool,
    w: &Where,
    cols: &str,
    from: &str,
    order: &str,
    page: crate::Page,
    map: impl Fn(&sqlx::any::AnyRow) -> crate::Result<T>,
) -> crate::Result<crate::Paged<T>> {
    use sqlx::Row;
    let total: i64 = bind_all(
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {from}{}", w.sql())),
        &w.args,
    )
    .fetch_one(pool)
    .await?
    .try_get("n")?;
    let (lim, off) = (w.next(), format!("${}", w.args.len() + 2));
    let sql = format!(
        "SELECT {cols} FROM {from}{} ORDER BY {order} LIMIT {lim} OFFSET {off}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.args)
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(pool)
        .await?;
    Ok(crate::Paged {
        items: rows.iter().map(map).collect::<crate::Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}
