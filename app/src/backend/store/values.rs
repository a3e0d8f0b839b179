//! Query values as SQL needs them: numbers spelled as JSON, levels, instants, issues, and
//! text escaped for LIKE.
use crate::model::{Level, query::Value};

use super::sql::Param;

/// A number from the query, as bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub(super) fn param(self) -> Param {
        match self {
            Number::Int(i) => Param::Int(i),
            Number::Float(f) => Param::Float(f),
        }
    }

    pub(super) fn spelling(self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => f.to_string(),
        }
    }
}

/// `text` as a number when it is spelled as a JSON number (`42`, `-1.5`, `2e3`; not `042`).
pub(super) fn json_number(text: &str) -> Option<Number> {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_digits = digits(&mut i);
    if int_digits == 0 || (int_digits > 1 && bytes[int_start] == b'0') {
        return None;
    }
    let mut integral = true;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        integral = false;
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        integral = false;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    match (integral, text.parse::<i64>()) {
        (true, Ok(int)) => Some(Number::Int(int)),
        _ => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float),
    }
}

pub(super) fn number_of(value: &Value) -> Option<Number> {
    match value {
        Value::Int(i) => Some(Number::Int(*i)),
        Value::Number(f) if f.is_finite() => Some(Number::Float(*f)),
        Value::Text(t) => json_number(t.trim()),
        _ => None,
    }
}

pub(super) fn level_of(value: &Value) -> Option<Level> {
    match value {
        Value::Level(level) => Some(*level),
        Value::Text(name) => Level::parse(name),
        Value::Int(i) => i16::try_from(*i).ok().and_then(Level::from_i16),
        _ => None,
    }
}

pub(super) fn time_of(value: &Value) -> Option<i64> {
    match value {
        Value::Time(ts) | Value::Int(ts) => Some(*ts),
        _ => None,
    }
}

pub(super) fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::Text(t) => t.trim().parse().ok(),
        Value::Number(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        _ => None,
    }
}

/// A value as the text it stands for.
pub(super) fn spelling(value: &Value) -> String {
    match value {
        Value::Text(t) | Value::Pattern(t) => t.clone(),
        Value::Int(i) | Value::Time(i) => i.to_string(),
        Value::Number(f) => f.to_string(),
        Value::Level(level) => level.name().to_string(),
    }
}

/// `text` with LIKE's wildcards and the escape character escaped (`ESCAPE '\'`).
pub(super) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_recognised() {
        assert_eq!(json_number("42"), Some(Number::Int(42)));
        assert_eq!(json_number("-1.5"), Some(Number::Float(-1.5)));
        assert_eq!(json_number("2e3"), Some(Number::Float(2000.0)));
        assert_eq!(json_number("042"), None);
        assert_eq!(json_number("1."), None);
        assert_eq!(json_number("abc"), None);
        assert_eq!(json_number(""), None);
    }
}
