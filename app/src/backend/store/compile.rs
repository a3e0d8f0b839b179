//! The search language's tree ([`Expr`]) as an SQL condition on a row of `logs`, for SQLite
//! and PostgreSQL, following the semantics table in `model::query` exactly. Every value is a
//! bound parameter; only attribute keys of the form `^[A-Za-z_][A-Za-z0-9_]*$` are written
//! into the SQL, as literal JSON paths, so that expression indexes (`logs_app_correlation`)
//! match the query's expression.
//!
//! Truth values: SQL comparisons with NULL are NULL, and `NOT NULL` is NULL again, which would
//! drop lines without the field from `!env:prod`. So every leaf that can be NULL is wrapped in
//! `COALESCE(…, FALSE)` wherever its value matters, that is below a `NOT`. Elsewhere NULL and
//! FALSE select the same rows (a `WHERE` keeps only TRUE, and no `NOT` is above to flip it),
//! and the bare comparison is kept so that indexes on the compared expression still apply.
use crate::model::{
    Level,
    query::{CmpOp, Expr, Field, Value},
};

use super::{
    sql::{Engine, Fragment},
    values::{int_of, json_number, level_of, like_escape, number_of, spelling, time_of},
};

/// `expr` as a boolean condition on a row of `logs`.
pub fn compile(expr: &Expr, engine: Engine) -> Fragment {
    let mut compiler = Compiler {
        engine,
        out: Fragment::default(),
    };
    compiler.expr(expr, false);
    compiler.out
}

/// A comparison whose result may be NULL (a NULL column, a missing attribute).
struct Leaf {
    sql: Fragment,
    nullable: bool,
}

impl Leaf {
    fn new(sql: Fragment) -> Leaf {
        Leaf {
            sql,
            nullable: false,
        }
    }

    fn nullable(sql: Fragment) -> Leaf {
        Leaf {
            sql,
            nullable: true,
        }
    }

    fn constant(value: bool) -> Leaf {
        Leaf::new(Fragment::new(if value { "TRUE" } else { "FALSE" }))
    }
}

struct Compiler {
    engine: Engine,
    out: Fragment,
}

impl Compiler {
    fn expr(&mut self, expr: &Expr, negated: bool) {
        match expr {
            Expr::And(items) => self.list(items, " AND ", "TRUE", negated),
            Expr::Or(items) => self.list(items, " OR ", "FALSE", negated),
            Expr::Not(inner) => {
                self.out.push("NOT (");
                self.expr(inner, true);
                self.out.push(")");
            }
            Expr::Text(text) => {
                let leaf = Leaf::new(self.contains(&Fragment::new("message"), text));
                self.emit(leaf, negated);
            }
            Expr::Is { field, values } => {
                if let Field::Level = field {
                    let leaf = self.levels(values);
                    return self.emit(leaf, negated);
                }
                match values.as_slice() {
                    [] => self.emit(Leaf::constant(false), negated),
                    [value] => {
                        let leaf = self.is(field, value);
                        self.emit(leaf, negated);
                    }
                    _ => {
                        self.out.push("(");
                        for (i, value) in values.iter().enumerate() {
                            if i > 0 {
                                self.out.push(" OR ");
                            }
                            let leaf = self.is(field, value);
                            self.emit(leaf, negated);
                        }
                        self.out.push(")");
                    }
                }
            }
            Expr::Compare { field, op, value } => {
                let leaf = self.compare(field, *op, value);
                self.emit(leaf, negated);
            }
            Expr::Has(field) => {
                let leaf = self.has(field);
                self.emit(leaf, negated);
            }
        }
    }

    fn list(&mut self, items: &[Expr], joiner: &str, empty: &str, negated: bool) {
        if items.is_empty() {
            self.out.push(empty);
            return;
        }
        self.out.push("(");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(joiner);
            }
            self.expr(item, negated);
        }
        self.out.push(")");
    }

    fn emit(&mut self, leaf: Leaf, negated: bool) {
        if leaf.nullable && negated {
            self.out
                .push("COALESCE(")
                .append(&leaf.sql)
                .push(", FALSE)");
        } else {
            self.out.push("(").append(&leaf.sql).push(")");
        }
    }

    /// `field:value`.
    fn is(&self, field: &Field, value: &Value) -> Leaf {
        let column = |name: &str| Fragment::new(name);
        match field {
            Field::Message => Leaf::new(match value {
                Value::Pattern(p) => self.pattern(&column("message"), p),
                other => self.contains(&column("message"), &spelling(other)),
            }),
            Field::Service | Field::Environment | Field::Release => {
                let name = match field {
                    Field::Service => "service",
                    Field::Environment => "environment",
                    _ => "\"release\"",
                };
                let sql = match value {
                    Value::Pattern(p) => self.pattern(&column(name), p),
                    other => {
                        let mut sql = Fragment::new(&format!("lower({name}) = lower("));
                        sql.text(spelling(other)).push(")");
                        sql
                    }
                };
                Leaf {
                    sql,
                    nullable: name != "service",
                }
            }
            Field::Trace => Leaf::nullable(match value {
                Value::Pattern(p) => self.pattern(&column("trace_id"), p),
                other => {
                    let mut sql = Fragment::new("trace_id = ");
                    sql.text(spelling(other));
                    sql
                }
            }),
            Field::Level => self.levels(std::slice::from_ref(value)),
            Field::Timestamp => match time_of(value) {
                Some(ts) => {
                    let mut sql = Fragment::new("ts = ");
                    sql.int(ts);
                    Leaf::new(sql)
                }
                None => Leaf::constant(false),
            },
            Field::Issue => match int_of(value) {
                Some(issue) => {
                    let mut sql = Fragment::new("issue_id = ");
                    sql.int(issue);
                    Leaf::nullable(sql)
                }
                None => Leaf::constant(false),
            },
            Field::Attr(key) => self.attr_is(key, value),
        }
    }

    /// `level:error`, `level:[warn, error]`.
    fn levels(&self, values: &[Value]) -> Leaf {
        let levels: Vec<Level> = values.iter().filter_map(level_of).collect();
        match levels.as_slice() {
            [] => Leaf::constant(false),
            [level] => {
                let mut sql = Fragment::new("level = ");
                sql.int(level.as_i16().into());
                Leaf::new(sql)
            }
            _ => {
                let mut sql = Fragment::new("level IN (");
                for (i, level) in levels.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.int(level.as_i16().into());
                }
                sql.push(")");
                Leaf::new(sql)
            }
        }
    }

    /// `field:>value` and the like.
    fn compare(&self, field: &Field, op: CmpOp, value: &Value) -> Leaf {
        let op_sql = match op {
            CmpOp::Gt => " > ",
            CmpOp::Ge => " >= ",
            CmpOp::Lt => " < ",
            CmpOp::Le => " <= ",
        };
        let on_column = |column: &str, bound: Option<i64>, nullable: bool| match bound {
            Some(bound) => {
                let mut sql = Fragment::new(column);
                sql.push(op_sql).int(bound);
                Leaf { sql, nullable }
            }
            None => Leaf::constant(false),
        };
        match field {
            Field::Level => on_column("level", level_of(value).map(|l| l.as_i16().into()), false),
            Field::Timestamp => on_column("ts", time_of(value), false),
            Field::Issue => on_column("issue_id", int_of(value), true),
            Field::Attr(key) => {
                let Some(number) = number_of(value) else {
                    return Leaf::constant(false);
                };
                let path = AttrPath::new(self.engine, key);
                let mut sql = Fragment::new("CASE WHEN ");
                match self.engine {
                    Engine::Sqlite => {
                        sql.append(&path.json_type())
                            .push(" IN ('integer', 'real') THEN ")
                            .append(&path.value())
                            .push(" END")
                            .push(op_sql)
                            .bind(number.param());
                    }
                    Engine::Postgres => {
                        // numeric, not float8: a JSON number beyond float8's range would
                        // make the cast fail the whole query.
                        sql.append(&path.json_type())
                            .push(" = 'number' THEN CAST(")
                            .append(&path.value())
                            .push(" AS numeric) END")
                            .push(op_sql)
                            .push("CAST(")
                            .text(number.spelling())
                            .push(" AS numeric)");
                    }
                }
                Leaf::nullable(sql)
            }
            // The text fields have no order.
            Field::Service
            | Field::Environment
            | Field::Release
            | Field::Message
            | Field::Trace => Leaf::constant(false),
        }
    }

    /// `has:field`: the column is set and not empty; the attribute is present and not null.
    fn has(&self, field: &Field) -> Leaf {
        let not_empty = |column: &str, nullable: bool| Leaf {
            sql: Fragment::new(&format!("{column} <> ''")),
            nullable,
        };
        match field {
            Field::Level | Field::Timestamp => Leaf::constant(true),
            Field::Service => not_empty("service", false),
            Field::Message => not_empty("message", false),
            Field::Environment => not_empty("environment", true),
            Field::Release => not_empty("\"release\"", true),
            Field::Trace => not_empty("trace_id", true),
            Field::Issue => Leaf::new(Fragment::new("issue_id IS NOT NULL")),
            Field::Attr(key) => {
                let mut sql = AttrPath::new(self.engine, key).json_type();
                sql.push(" <> 'null'");
                Leaf::nullable(sql)
            }
        }
    }

    /// `attr.key:value`: equal to the text exactly; a number equals its JSON spelling as
    /// a JSON number or a string, `true`/`false` the JSON booleans (and those strings).
    /// Objects, arrays and null never match.
    fn attr_is(&self, key: &str, value: &Value) -> Leaf {
        let path = AttrPath::new(self.engine, key);
        if let Value::Pattern(p) = value {
            // The value's JSON spelling, NULL for objects and arrays.
            let mut text = Fragment::new("CASE ");
            match self.engine {
                Engine::Sqlite => {
                    text.append(&path.json_type()).push(
                        " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
                         WHEN 'object' THEN NULL WHEN 'array' THEN NULL ELSE ",
                    );
                }
                Engine::Postgres => {
                    text.push("WHEN ")
                        .append(&path.json_type())
                        .push(" IN ('object', 'array') THEN NULL ELSE ");
                }
            }
            text.append(&path.value()).push(" END");
            return Leaf::nullable(self.pattern(&text, p));
        }
        let text = spelling(value);
        let mut sql = path.value();
        if text.starts_with(['[', '{']) {
            // Only a string can be spelled so: never an object's or array's JSON text.
            let string = match self.engine {
                Engine::Sqlite => " = 'text' AND ",
                Engine::Postgres => " = 'string' AND ",
            };
            sql = path.json_type();
            sql.push(string).append(&path.value());
        }
        match self.engine {
            // `->>` spells numbers and booleans as JSON: one text comparison covers all.
            Engine::Postgres => {
                sql.push(" = ").text(text);
            }
            // `json_extract` gives numbers as numbers and booleans as 1/0.
            Engine::Sqlite => match json_number(&text) {
                Some(number) => {
                    sql.push(" IN (")
                        .text(text)
                        .push(", ")
                        .bind(number.param())
                        .push(")");
                }
                None if text == "true" || text == "false" => {
                    let mut either = Fragment::new("");
                    either
                        .append(&sql)
                        .push(" = ")
                        .text(text.clone())
                        .push(" OR ")
                        .append(&path.json_type())
                        .push(" = ")
                        .text(text);
                    sql = either;
                }
                None => {
                    sql.push(" = ").text(text);
                }
            },
        }
        Leaf::nullable(sql)
    }

    /// The column contains `text`, case-insensitively.
    fn contains(&self, column: &Fragment, text: &str) -> Fragment {
        self.like(column, format!("%{}%", like_escape(text)))
    }

    /// The column matches `pattern` (`*` any run of characters) whole, case-insensitively.
    fn pattern(&self, column: &Fragment, pattern: &str) -> Fragment {
        let like: Vec<String> = pattern.split('*').map(like_escape).collect();
        self.like(column, like.join("%"))
    }

    /// SQLite's LIKE ignores ASCII case; PostgreSQL's needs ILIKE.
    fn like(&self, column: &Fragment, like: String) -> Fragment {
        let op = match self.engine {
            Engine::Sqlite => " LIKE ",
            Engine::Postgres => " ILIKE ",
        };
        let mut sql = column.clone();
        sql.push(op).text(like).push(" ESCAPE '\\'");
        sql
    }
}

/// Where an attribute is in the `attributes` JSON object.
struct AttrPath<'a> {
    engine: Engine,
    key: &'a str,
}

impl<'a> AttrPath<'a> {
    fn new(engine: Engine, key: &'a str) -> Self {
        AttrPath { engine, key }
    }

    /// A key that may be written into the SQL as it is.
    fn literal(&self) -> bool {
        let mut chars = self.key.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    /// The SQLite JSON path of the key (`$."odd key"`, quotes and backslashes escaped).
    fn sqlite_path(&self) -> String {
        let escaped = self.key.replace('\\', "\\\\").replace('"', "\\\"");
        format!("$.\"{escaped}\"")
    }

    /// The attribute as an SQL value: SQLite's `json_extract` (text, number, 1/0 for
    /// booleans), PostgreSQL's `->>` (text).
    fn value(&self) -> Fragment {
        self.call("json_extract(attributes, ", "(attributes ->> ")
    }

    /// The attribute's JSON type, NULL when absent: SQLite `json_type` ('null', 'true',
    /// 'false', 'integer', 'real', 'text', 'array', 'object'), PostgreSQL `jsonb_typeof`.
    fn json_type(&self) -> Fragment {
        self.call("json_type(attributes, ", "jsonb_typeof(attributes -> ")
    }

    fn call(&self, sqlite: &str, postgres: &str) -> Fragment {
        let key = self.key;
        match (self.engine, self.literal()) {
            (Engine::Sqlite, true) => Fragment::new(&format!("{sqlite}'$.{key}')")),
            (Engine::Postgres, true) => Fragment::new(&format!("{postgres}'{key}')")),
            (Engine::Sqlite, false) => {
                let mut sql = Fragment::new(sqlite);
                sql.text(self.sqlite_path()).push(")");
                sql
            }
            (Engine::Postgres, false) => {
                let mut sql = Fragment::new(postgres);
                sql.text(key).push(")");
                sql
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::store::sql::Param;

    fn text(t: &str) -> Expr {
        Expr::text(t)
    }

    fn is(field: Field, value: Value) -> Expr {
        Expr::is(field, value)
    }

    #[test]
    fn values_are_bound_never_spliced() {
        let q = Expr::And(vec![
            text("it's 100%"),
            is(Field::Attr("odd key'".into()), Value::Text("x".into())),
        ]);
        let f = compile(&q, Engine::Sqlite);
        assert!(!f.sql.contains("it's"), "{}", f.sql);
        assert!(!f.sql.contains("odd key"), "{}", f.sql);
        assert_eq!(f.params[0], Param::Text("%it's 100\\%%".into()));
        assert_eq!(f.params[1], Param::Text("$.\"odd key'\"".into()));
    }

    #[test]
    fn plain_keys_are_literal_paths() {
        let q = is(
            Field::Attr("correlation_id".into()),
            Value::Text("abc".into()),
        );
        assert_eq!(
            compile(&q, Engine::Sqlite).sql,
            "(json_extract(attributes, '$.correlation_id') = ?)"
        );
        assert_eq!(
            compile(&q, Engine::Postgres).sql,
            "((attributes ->> 'correlation_id') = ?)"
        );
    }

    #[test]
    fn nullable_leaves_are_two_valued_under_not() {
        let q = Expr::Not(Box::new(is(Field::Environment, Value::Text("prod".into()))));
        assert_eq!(
            compile(&q, Engine::Postgres).sql,
            "NOT (COALESCE(lower(environment) = lower(?), FALSE))"
        );
    }

    #[test]
    fn patterns_are_anchored_and_escaped() {
        let q = is(Field::Service, Value::Pattern("pay_*".into()));
        let f = compile(&q, Engine::Sqlite);
        assert_eq!(f.params, vec![Param::Text("pay\\_%".into())]);
    }
}
