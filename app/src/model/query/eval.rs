//! Evaluation of a query on one line in memory (the live view), with the semantics of the
//! module documentation, which the SQL compiler shares.
use std::cmp::Ordering;

use serde_json::{Map, Value as Json};

use super::{CmpOp, Expr, Field, Value};
use crate::model::Level;

/// The parts of a log line a query looks at.
#[derive(Clone, Copy, Debug)]
pub struct LineView<'a> {
    /// UTC microseconds.
    pub ts: i64,
    pub level: Level,
    pub service: &'a str,
    pub environment: Option<&'a str>,
    pub release: Option<&'a str>,
    pub message: &'a str,
    pub attributes: &'a Map<String, Json>,
    pub trace_id: Option<&'a str>,
    pub issue_id: Option<i64>,
}

impl Expr {
    /// Whether `line` is one of the lines this query selects.
    pub fn matches(&self, line: &LineView<'_>) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|item| item.matches(line)),
            Expr::Or(items) => items.iter().any(|item| item.matches(line)),
            Expr::Not(inner) => !inner.matches(line),
            Expr::Text(text) => contains(line.message, text),
            Expr::Is { field, values } => values.iter().any(|value| is(field, value, line)),
            Expr::Compare { field, op, value } => compare(field, *op, value, line),
            Expr::Has(field) => has(field, line),
        }
    }
}

fn is(field: &Field, value: &Value, line: &LineView<'_>) -> bool {
    match (field, value) {
        (Field::Level, Value::Level(level)) => line.level == *level,
        (Field::Timestamp, Value::Time(us)) => line.ts == *us,
        (Field::Issue, Value::Int(id)) => line.issue_id == Some(*id),
        (Field::Message, Value::Text(text)) => contains(line.message, text),
        (Field::Message, Value::Pattern(pattern)) => glob(pattern, line.message),
        (Field::Service, _) => same_text(Some(line.service), value),
        (Field::Environment, _) => same_text(line.environment, value),
        (Field::Release, _) => same_text(line.release, value),
        (Field::Trace, Value::Text(text)) => line.trace_id == Some(text.as_str()),
        (Field::Trace, Value::Pattern(pattern)) => line.trace_id.is_some_and(|t| glob(pattern, t)),
        (Field::Attr(key), _) => line
            .attributes
            .get(key)
            .is_some_and(|attr| same_attr(attr, value)),
        _ => false,
    }
}

fn compare(field: &Field, op: CmpOp, value: &Value, line: &LineView<'_>) -> bool {
    let ordering = match (field, value) {
        (Field::Level, Value::Level(level)) => Some(line.level.cmp(level)),
        (Field::Timestamp, Value::Time(us)) => Some(line.ts.cmp(us)),
        (Field::Issue, Value::Int(id)) => line.issue_id.map(|issue| issue.cmp(id)),
        (Field::Attr(key), Value::Number(n)) => line
            .attributes
            .get(key)
            .filter(|attr| attr.is_number())
            .and_then(Json::as_f64)
            .and_then(|attr| attr.partial_cmp(n)),
        _ => None,
    };
    ordering.is_some_and(|ordering| match op {
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
    })
}

fn has(field: &Field, line: &LineView<'_>) -> bool {
    let set = |column: Option<&str>| column.is_some_and(|text| !text.is_empty());
    match field {
        Field::Level | Field::Timestamp => true,
        Field::Service => set(Some(line.service)),
        Field::Message => set(Some(line.message)),
        Field::Environment => set(line.environment),
        Field::Release => set(line.release),
        Field::Trace => set(line.trace_id),
        Field::Issue => line.issue_id.is_some(),
        Field::Attr(key) => line.attributes.get(key).is_some_and(|attr| !attr.is_null()),
    }
}

/// `service`, `environment`, `release`: equal or matching, case-insensitively; a missing
/// column matches nothing.
fn same_text(column: Option<&str>, value: &Value) -> bool {
    match (column, value) {
        (Some(column), Value::Text(text)) => column.to_lowercase() == text.to_lowercase(),
        (Some(column), Value::Pattern(pattern)) => glob(pattern, column),
        _ => false,
    }
}

/// An attribute against a value: text equals the attribute's JSON spelling exactly (a string's
/// content, `42`, `true`); a pattern matches that spelling; null, objects and arrays never match.
fn same_attr(attr: &Json, value: &Value) -> bool {
    let spelling = match attr {
        Json::String(text) => text.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Null | Json::Array(_) | Json::Object(_) => return false,
    };
    match value {
        Value::Text(text) => spelling == *text,
        Value::Pattern(pattern) => glob(pattern, &spelling),
        Value::Number(n) => attr.as_f64() == Some(*n),
        _ => false,
    }
}

/// Whether `haystack` contains `needle`, case-insensitively.
fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Whether all of `text` matches `pattern`, case-insensitively, `*` matching any run of
/// characters (possibly empty). Greedy, backtracking to the last `*` only: O(n·m) at
/// worst, no regex.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently stands for up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if pattern.get(p) == Some(&'*') {
            star = Some((p, t));
            p += 1;
        } else if pattern.get(p) == Some(&text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::query::parse;

    const JAN_1_2025: i64 = 1_735_689_600_000_000;

    fn attributes() -> Map<String, Json> {
        let value = json!({"user_id": 42, "code": "42", "ok": true, "flag": "false", "gone": null,
                           "ms": 250.5, "str_ms": "300", "ID": "MiXed", "list": [1]});
        value.as_object().unwrap().clone()
    }

    fn line(attributes: &Map<String, Json>) -> LineView<'_> {
        LineView {
            ts: JAN_1_2025,
            level: Level::Warn,
            service: "Payments-API",
            environment: None,
            release: Some(""),
            message: "Connection RESET by peer",
            attributes,
            trace_id: Some("AbC123"),
            issue_id: Some(7),
        }
    }

    /// Asserts that each query does (`expected`) or does not match `line`.
    fn check_on(line: &LineView<'_>, queries: &[&str], expected: bool) {
        for query in queries {
            let expr = parse(query).unwrap().unwrap();
            assert_eq!(expr.matches(line), expected, "{query}");
        }
    }

    /// [`check_on`] the test line.
    fn check(queries: &[&str], expected: bool) {
        check_on(&line(&attributes()), queries, expected);
    }

    #[test]
    fn free_text_is_a_case_insensitive_contains_and_all_words_must_match() {
        check(
            &["reset", "connection reset", "\"CONNECTION reset\"", "PEER"],
            true,
        );
        check(&["reset timeout", "conn*", "\"reset  by\""], false);
    }

    #[test]
    fn message_text_contains_and_message_pattern_is_anchored() {
        check(&["message:reset", "message:conn*", "msg:*PEER"], true);
        check(&["message:reset*", "message:*reset"], false);
    }

    #[test]
    fn service_environment_release_equal_case_insensitively() {
        check(
            &["service:payments-api", "service:PAY*", "service:*api"],
            true,
        );
        check(&["service:payments", "service:api*", "release:x"], false);
        let attributes = attributes();
        let line = LineView {
            environment: Some("Prod"),
            release: Some("v1.2.3"),
            ..line(&attributes)
        };
        check_on(
            &line,
            &["env:prod", "ENVIRONMENT:PROD", "release:V1.2.*", "env:p*"],
            true,
        );
        check_on(&line, &["env:pro", "release:1.2*", "release:v1.2"], false);
    }

    #[test]
    fn a_list_matches_any_of_its_values() {
        check(
            &["service:[web, payments-api]", "level:[error, warn]"],
            true,
        );
        check(&["service:[web, worker]", "issue:[1, 2]"], false);
    }

    #[test]
    fn missing_columns_never_match_and_negation_takes_them() {
        check(&["!env:prod", "-env:*", "!release:x", "!has:release"], true);
        check(&["env:prod", "env:*", "has:env", "has:release"], false);
    }

    #[test]
    fn has_column_means_set_and_not_empty() {
        check(
            &[
                "has:service",
                "has:message",
                "has:level",
                "has:ts",
                "has:trace",
                "has:issue",
            ],
            true,
        );
        check(&["has:environment", "has:release"], false);
    }

    #[test]
    fn trace_and_attributes_are_case_significant_but_patterns_are_not() {
        check(
            &["trace:AbC123", "trace:abc*", "attr.ID:MiXed", "attr.ID:m*D"],
            true,
        );
        check(&["trace:abc123", "attr.ID:mixed"], false);
    }

    #[test]
    fn attribute_values_equal_their_json_spelling() {
        check(
            &[
                "attr.user_id:42",
                "attr.code:42",
                "attr.user_id:\"42\"",
                "attr.ms:250.5",
            ],
            true,
        );
        check(
            &["attr.ok:true", "attr.flag:false", "attr.user_id:4*"],
            true,
        );
        check(
            &[
                "attr.ok:TRUE",
                "attr.gone:null",
                "attr.list:1",
                "attr.missing:x",
            ],
            false,
        );
    }

    #[test]
    fn has_attribute_means_present_and_not_null() {
        check(
            &["has:attr.user_id", "has:tag[flag]", "!has:attr.gone"],
            true,
        );
        check(&["has:attr.gone", "has:attr.missing"], false);
    }

    #[test]
    fn comparisons_follow_each_fields_order() {
        check(
            &[
                "level:>=warn",
                "level:<error",
                "ts:>=2025-01-01",
                "ts:<2025-01-02",
            ],
            true,
        );
        check(&["issue:>6", "issue:<=7"], true);
        check(
            &["level:>warn", "level:<=info", "ts:>2025-01-01", "issue:<7"],
            false,
        );
    }

    #[test]
    fn attribute_comparisons_need_a_json_number() {
        check(
            &[
                "attr.ms:>250",
                "attr.ms:<=250.5",
                "attr.user_id:>=42",
                "!attr.str_ms:>1",
            ],
            true,
        );
        check(
            &[
                "attr.str_ms:>1",
                "attr.code:>1",
                "attr.ok:>0",
                "attr.missing:<1",
            ],
            false,
        );
    }

    #[test]
    fn issue_conditions_never_match_a_line_without_issue() {
        let attributes = attributes();
        let line = LineView {
            issue_id: None,
            ..line(&attributes)
        };
        check_on(
            &line,
            &["issue:>0", "issue:<0", "issue:7", "has:issue"],
            false,
        );
        check_on(&line, &["!issue:>0", "!issue:7"], true);
    }

    #[test]
    fn boolean_logic_combines_conditions() {
        check(
            &[
                "reset OR nothing",
                "(nothing OR reset) level:warn",
                "!!reset",
            ],
            true,
        );
        check(&["nothing OR other", "NOT reset", "reset -peer"], false);
    }

    #[test]
    fn glob_matches_whole_text_with_backtracking() {
        assert!(glob("*", "") && glob("*", "anything") && glob("a*b*c", "aXXbYYbc"));
        assert!(glob("**a", "a") && glob("*ÉTÉ*", "un été chaud") && glob("a*", "a"));
        assert!(!glob("a*b", "acbd") && !glob("abc", "ab") && !glob("a*c", "a"));
    }
}
