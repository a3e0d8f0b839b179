//! The search language (DESIGN.md §5): one parser shared by the browser, which validates
//! while the user types, and the server, which compiles the tree to parameterised SQL
//! (`backend::store::search`) and evaluates it on live lines ([`Expr::matches`]).
//!
//! Semantics, identical in SQL on both engines and in [`Expr::matches`]:
//! - free text (`timeout`, `"connection reset"`): the message contains it, case-insensitively;
//!   several words must all match;
//! - `message:x` is free text on the message; `message:conn*` is a pattern on the whole message;
//! - `service`, `environment`, `release`: equal, case-insensitively; a pattern (`pay*`) is
//!   anchored and case-insensitive, `*` matching any run of characters;
//! - `trace`, attributes: equal to the text exactly (ids are case-significant); a number in
//!   an attribute equals its JSON spelling (`attr.user_id:42` matches `42` and `"42"`),
//!   `true`/`false` match JSON booleans; patterns as above;
//! - comparisons: `level` by severity, `timestamp` by instant, `issue` by number, attributes
//!   numerically (a non-number attribute never compares);
//! - `has:f`: the column is set (not NULL, not empty), the attribute is present and not null;
//! - negation matches every line the positive form does not, including lines without the field.
mod eval;
mod lex;
mod parse;
mod print;
#[cfg(test)]
mod tests;
mod time;

use serde::{Deserialize, Serialize};

use super::Level;
pub use eval::LineView;
pub use parse::parse;
pub use time::{format_rfc3339, parse_rfc3339};

/// A parsed query. `And`/`Or` hold at least two operands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Free text: the message contains it, case-insensitively.
    Text(String),
    /// `field:value`, `field:pay*`, `field:[a, b]` (any of the values).
    Is {
        field: Field,
        values: Vec<Value>,
    },
    /// `field:>value`, `field:>=value`, `field:<value`, `field:<=value` on ordered fields.
    Compare {
        field: Field,
        op: CmpOp,
        value: Value,
    },
    /// `has:field`.
    Has(Field),
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Level,
    Service,
    Environment,
    Release,
    Message,
    Trace,
    Timestamp,
    Issue,
    /// An attribute by key: `attr.user_id` or `tag[correlation_id]`.
    Attr(String),
}

/// A value, typed by the field it applies to: levels are levels, timestamps instants,
/// issues integers; text fields hold text or a pattern; attributes hold text, a pattern
/// or (in comparisons) a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Text(String),
    /// Contains at least one `*`, which matches any run of characters.
    Pattern(String),
    Level(Level),
    /// UTC microseconds since the Unix epoch.
    Time(i64),
    Int(i64),
    Number(f64),
}

impl Expr {
    /// Free text.
    pub fn text(text: impl Into<String>) -> Expr {
        Expr::Text(text.into())
    }

    /// `field:value` with one value.
    pub fn is(field: Field, value: Value) -> Expr {
        Expr::Is {
            field,
            values: vec![value],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
}

/// Why a query does not parse, and where: `position` counts characters (not bytes) from
/// the start of the input, so the browser can point at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position + 1)
    }
}

impl std::error::Error for ParseError {}
