//! Keyset paging: a page starts after (or before) the sort key and SID of a row,
//! so the ten-thousandth page costs what the first does. Rows are never counted.

use crate::{Decode, Query, Value};

/// The position of a row in a list ordered by `(key, sid)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub sid: String,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAt {
    First,
    /// The page that follows this row.
    After(Cursor),
    /// The page that ends just before this row.
    Before(Cursor),
}

/// The direction a list is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first (accounts).
    Ascending,
    /// Newest first (calls, messages).
    Descending,
}

/// Rows that can say where they sit in their list.
pub trait Keyed {
    fn cursor(&self) -> Cursor;
}

/// One page of rows, in list order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows exist after the last item.
    pub has_next: bool,
    /// Rows exist before the first item.
    pub has_previous: bool,
}

impl<T> Page<T> {
    /// The same page of other values (a row's view for the layer above).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
        }
    }
}

impl<T: Keyed> Page<T> {
    pub fn next_cursor(&self) -> Option<Cursor> {
        self.has_next
            .then(|| self.items.last().map(Keyed::cursor))
            .flatten()
    }

    pub fn previous_cursor(&self) -> Option<Cursor> {
        self.has_previous
            .then(|| self.items.first().map(Keyed::cursor))
            .flatten()
    }
}

/// Builds the `SELECT` of one page of a list, with the filters a request chose.
pub struct ListQuery<'a> {
    select: &'static str,
    key_column: &'static str,
    sid_column: &'static str,
    order: Order,
    conditions: Vec<String>,
    params: Vec<Value<'a>>,
}

impl<'a> ListQuery<'a> {
    /// `select` is `SELECT <columns> FROM <table>`, without `WHERE`.
    pub fn new(
        select: &'static str,
        key_column: &'static str,
        sid_column: &'static str,
        order: Order,
    ) -> Self {
        ListQuery {
            select,
            key_column,
            sid_column,
            order,
            conditions: Vec::new(),
            params: Vec::new(),
        }
    }

    fn placeholder(&mut self, value: Value<'a>) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    /// Adds a condition; each `{}` in `condition` (a fixed SQL fragment) becomes a
    /// placeholder for the next value of `values`.
    pub fn filter(
        mut self,
        condition: &'static str,
        values: impl IntoIterator<Item = Value<'a>>,
    ) -> Self {
        let mut sql = String::new();
        let mut values = values.into_iter();
        let mut parts = condition.split("{}").peekable();
        while let Some(part) = parts.next() {
            sql.push_str(part);
            if parts.peek().is_some() {
                let value = values.next().unwrap_or(Value::Null);
                let p = self.placeholder(value);
                sql.push_str(&p);
            }
        }
        self.conditions.push(sql);
        self
    }

    /// Adds a condition only when the value is present.
    pub fn filter_opt<V: Into<Value<'a>>>(self, condition: &'static str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.filter(condition, [v.into()]),
            None => self,
        }
    }

    /// Adds `column IN (…)`, one placeholder per value; no values match no
    /// row.
    pub fn filter_in(
        mut self,
        column: &'static str,
        values: impl IntoIterator<Item = Value<'a>>,
    ) -> Self {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.placeholder(v)).collect();
        self.conditions.push(if placeholders.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("{column} IN ({})", placeholders.join(", "))
        });
        self
    }

    /// The query for one page: `size + 1` rows, so the caller learns whether more
    /// follow without counting.
    pub fn page<T>(
        mut self,
        at: &'a PageAt,
        size: u32,
        decode: Decode<T>,
    ) -> (Query<'a, T>, PageShape) {
        let ascending = self.order == Order::Ascending;
        // Reading backwards (the page before a row) walks the index the other way
        // and the caller puts the rows back in list order.
        let (cursor, reverse) = match at {
            PageAt::First => (None, false),
            PageAt::After(c) => (Some(c), false),
            PageAt::Before(c) => (Some(c), true),
        };
        let walk_ascending = ascending != reverse;
        if let Some(c) = cursor {
            let op = if walk_ascending { ">" } else { "<" };
            let k = self.placeholder(Value::Int(c.key));
            let s = self.placeholder(Value::Text(&c.sid));
            self.conditions.push(format!(
                "({}, {}) {op} ({k}, {s})",
                self.key_column, self.sid_column
            ));
        }
        let dir = if walk_ascending { "ASC" } else { "DESC" };
        let limit = self.placeholder(Value::Int(i64::from(size) + 1));
        let mut sql = String::from(self.select);
        if !self.conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conditions.join(" AND "));
        }
        let order = format!(
            "{key} {dir}, {sid} {dir}",
            key = self.key_column,
            sid = self.sid_column
        );
        sql.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
        (
            Query::dynamic(sql, self.params, decode).ordered_by(order),
            PageShape {
                size,
                reverse,
                from_cursor: cursor.is_some(),
            },
        )
    }
}

/// How to turn the rows of a [`ListQuery::page`] into a [`Page`].
#[derive(Debug, Clone, Copy)]
pub struct PageShape {
    size: u32,
    reverse: bool,
    from_cursor: bool,
}

impl PageShape {
    pub fn assemble<T>(self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() > self.size as usize;
        rows.truncate(self.size as usize);
        if self.reverse {
            rows.reverse();
            Page {
                items: rows,
                has_next: true,
                has_previous: more,
            }
        } else {
            Page {
                items: rows,
                has_next: more,
                has_previous: self.from_cursor,
            }
        }
    }
}
