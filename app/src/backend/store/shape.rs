//! The shape of a query, as the planner sees it: which text every match must contain,
//! which level it fixes, whether it only looks at levels, whether it looks up the indexed
//! attribute.
use crate::model::{
    Level,
    query::{CmpOp, Expr, Field, Value},
};

use super::values::level_of;

/// Text of three characters or more that every matching line's message contains: the
/// conjuncts of the top-level `AND` (or the query itself) that are free text or
/// `message:text`. A trigram index can find these.
pub fn required_texts(expr: &Expr) -> Vec<&str> {
    conjuncts(expr)
        .filter_map(|e| match e {
            Expr::Text(t) => Some(t.as_str()),
            Expr::Is {
                field: Field::Message,
                values,
            } => match values.as_slice() {
                [Value::Text(t)] => Some(t.as_str()),
                _ => None,
            },
            _ => None,
        })
        .filter(|t| t.chars().count() >= 3)
        .collect()
}

/// The attribute with an expression index (migration `index_logs_correlation`), and it.
pub const INDEXED_ATTRIBUTE: &str = "correlation_id";
pub const INDEXED_ATTRIBUTE_INDEX: &str = "logs_app_correlation";

/// Whether a top-level conjunct looks the indexed attribute up by equality, in a form the
/// index serves (`json_extract(…) = ?` or `IN (…)`). SQLite, without statistics, would rather
/// walk the time index for a time range; the caller names the index instead.
pub fn looks_up_indexed_attribute(expr: &Expr) -> bool {
    conjuncts(expr).any(|e| match e {
        Expr::Is {
            field: Field::Attr(key),
            values,
        } if key == INDEXED_ATTRIBUTE && !values.is_empty() => values.iter().all(|v| match v {
            Value::Text(t) => !matches!(t.as_str(), "true" | "false") && !t.starts_with(['[', '{']),
            Value::Int(_) => true,
            _ => false,
        }),
        _ => false,
    })
}

/// Whether the query looks for text inside messages anywhere (a condition no B-tree index
/// helps with).
pub fn searches_text(expr: &Expr) -> bool {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter().any(searches_text),
        Expr::Not(inner) => searches_text(inner),
        Expr::Text(_) => true,
        Expr::Is {
            field: Field::Message,
            ..
        } => true,
        Expr::Is { .. } | Expr::Compare { .. } | Expr::Has(_) => false,
    }
}

/// The level a top-level conjunct fixes (`level:error AND …`), for the (app, level, ts) index.
pub fn required_level(expr: &Expr) -> Option<Level> {
    conjuncts(expr).find_map(|e| match e {
        Expr::Is {
            field: Field::Level,
            values,
        } => match values.as_slice() {
            [value] => level_of(value),
            _ => None,
        },
        _ => None,
    })
}

/// For a query about levels only (and/or/not of level conditions), which levels it keeps,
/// indexed by `Level as usize`; `None` when it looks at anything else.
pub fn allowed_levels(expr: &Expr) -> Option<[bool; 6]> {
    let mut allowed = [false; 6];
    for level in Level::ALL {
        allowed[level as usize] = keeps_level(expr, level)?;
    }
    Some(allowed)
}

fn keeps_level(expr: &Expr, level: Level) -> Option<bool> {
    Some(match expr {
        Expr::And(items) => {
            let mut all = true;
            for item in items {
                all &= keeps_level(item, level)?;
            }
            all
        }
        Expr::Or(items) => {
            let mut any = false;
            for item in items {
                any |= keeps_level(item, level)?;
            }
            any
        }
        Expr::Not(inner) => !keeps_level(inner, level)?,
        Expr::Is {
            field: Field::Level,
            values,
        } => values.iter().any(|v| level_of(v) == Some(level)),
        Expr::Compare {
            field: Field::Level,
            op,
            value,
        } => match level_of(value) {
            Some(bound) => compares(level.cmp(&bound), *op),
            None => false,
        },
        Expr::Has(Field::Level) => true,
        _ => return None,
    })
}

fn compares(ordering: std::cmp::Ordering, op: CmpOp) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (op, ordering),
        (CmpOp::Gt, Greater)
            | (CmpOp::Ge, Greater | Equal)
            | (CmpOp::Lt, Less)
            | (CmpOp::Le, Less | Equal)
    )
}

pub(super) fn conjuncts(expr: &Expr) -> impl Iterator<Item = &Expr> {
    match expr {
        Expr::And(items) => items.iter().collect::<Vec<_>>(),
        other => vec![other],
    }
    .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Expr {
        Expr::text(t)
    }

    fn is(field: Field, value: Value) -> Expr {
        Expr::is(field, value)
    }

    #[test]
    fn level_only_queries_name_their_levels() {
        let q = Expr::Or(vec![
            is(Field::Level, Value::Level(Level::Error)),
            Expr::Compare {
                field: Field::Level,
                op: CmpOp::Le,
                value: Value::Level(Level::Debug),
            },
        ]);
        assert_eq!(
            allowed_levels(&q),
            Some([true, true, false, false, true, false])
        );
        assert_eq!(
            allowed_levels(&Expr::Not(Box::new(q))),
            Some([false, false, true, true, false, true])
        );
        assert_eq!(allowed_levels(&text("x")), None);
    }

    #[test]
    fn required_texts_are_top_level_and_long_enough() {
        let q = Expr::And(vec![
            text("timeout"),
            text("ab"),
            Expr::Not(Box::new(text("retry"))),
            is(Field::Message, Value::Text("conn reset".into())),
        ]);
        assert_eq!(required_texts(&q), vec!["timeout", "conn reset"]);
        assert_eq!(required_level(&q), None);
    }
}
