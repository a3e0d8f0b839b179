//! The parser: query text → [`Expr`], or a [`ParseError`] at a character position.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*
//! unary   := ("NOT" | "!" | "-") unary | primary
//! primary := "(" or ")" | "\"phrase\"" | field ":" value | "has:" field | word
//! value   := [">" | ">=" | "<" | "<="] (quoted | bare) | "[" item ("," item)* "]"
//! ```
//! Bare words and values run to whitespace or `)`; list items also stop at `,` and `]`.
//! An unquoted word containing `:` is always a field condition (quote it to search for it).
use super::lex::{Cursor, Keyword, Name, attribute, error, resolve};
use super::{CmpOp, Expr, Field, ParseError, Value, parse_rfc3339};
use crate::model::Level;

/// Parses a query. An empty or blank query is `Ok(None)`: it matches every line.
pub fn parse(input: &str) -> Result<Option<Expr>, ParseError> {
    let mut parser = Parser {
        cur: Cursor::new(input),
        depth: 0,
    };
    parser.cur.skip_whitespace();
    if parser.cur.at_end() {
        return Ok(None);
    }
    let expr = parser.or()?;
    parser.cur.skip_whitespace();
    if !parser.cur.at_end() {
        // `or` stops only at the end or at a `)` it cannot close.
        return Err(error(parser.cur.pos, "unexpected \")\""));
    }
    Ok(Some(expr))
}

/// How deep parentheses and negations may nest: far beyond any real query, and shallow
/// enough that the recursive parser, printer and evaluator never exhaust the stack.
const MAX_DEPTH: usize = 100;

struct Parser {
    cur: Cursor,
    /// Terms being read, one inside the other.
    depth: usize,
}

impl Parser {
    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and()?];
        loop {
            self.cur.skip_whitespace();
            if self.cur.keyword() != Some(Keyword::Or) {
                return Ok(combine(items, Keyword::Or));
            }
            self.cur.pos += 2;
            self.expect_term_after("OR")?;
            items.push(self.and()?);
        }
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.unary()?];
        loop {
            self.cur.skip_whitespace();
            match self.cur.keyword() {
                Some(Keyword::And) => {
                    self.cur.pos += 3;
                    self.expect_term_after("AND")?;
                }
                Some(Keyword::Or) => break,
                _ if self.at_term() => {}
                _ => break,
            }
            items.push(self.unary()?);
        }
        Ok(combine(items, Keyword::And))
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.depth == MAX_DEPTH {
            return Err(error(self.cur.pos, "query nested too deeply"));
        }
        self.depth += 1;
        let expr = self.negation();
        self.depth -= 1;
        expr
    }

    /// `NOT x`, `!x`, `-x` or a primary term.
    fn negation(&mut self) -> Result<Expr, ParseError> {
        self.cur.skip_whitespace();
        if self.cur.keyword() == Some(Keyword::Not) {
            self.cur.pos += 3;
            self.expect_term_after("NOT")?;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if let Some(sign @ ('!' | '-')) = self.cur.peek() {
            self.cur.pos += 1;
            if !self.at_term() || self.cur.peek().is_some_and(char::is_whitespace) {
                let message = format!("expected a term right after \"{sign}\"");
                return Err(error(self.cur.pos, message));
            }
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let start = self.cur.pos;
        if let Some(keyword @ (Keyword::And | Keyword::Or)) = self.cur.keyword() {
            let message = format!("expected a term before {}", keyword.as_str());
            return Err(error(start, message));
        }
        match self.cur.peek() {
            None => Err(error(start, "expected a term")),
            Some(')') => Err(error(start, "unexpected \")\"")),
            Some('(') => {
                self.cur.pos += 1;
                self.cur.skip_whitespace();
                if self.cur.peek() == Some(')') {
                    return Err(error(start, "empty parentheses"));
                }
                if self.cur.at_end() {
                    return Err(error(start, "unclosed parenthesis"));
                }
                let inner = self.or()?;
                self.cur.skip_whitespace();
                if !self.cur.eat(')') {
                    return Err(error(start, "unclosed parenthesis"));
                }
                Ok(inner)
            }
            Some('"') => {
                let phrase = self.cur.quoted()?;
                if phrase.is_empty() {
                    return Err(error(start, "empty quotes"));
                }
                Ok(Expr::Text(phrase))
            }
            Some(_) if self.cur.starts_with_ignore_case("tag[") => {
                let field = self.tag()?;
                if !self.cur.eat(':') {
                    let written = self.cur.slice(start, self.cur.pos);
                    let message = format!("expected \":\" after \"{written}\"");
                    return Err(error(self.cur.pos, message));
                }
                self.condition(start, field)
            }
            Some(_) => {
                let word = self
                    .cur
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | ':'));
                if !self.cur.eat(':') {
                    return Ok(Expr::Text(word));
                }
                match resolve(&word, start)? {
                    Name::Field(field) => self.condition(start, field),
                    Name::Has => self.has(),
                }
            }
        }
    }

    /// After `has:`.
    fn has(&mut self) -> Result<Expr, ParseError> {
        let start = self.cur.pos;
        if self.cur.starts_with_ignore_case("tag[") {
            return Ok(Expr::Has(self.tag()?));
        }
        let word = self.cur.take_while(|c| !c.is_whitespace() && c != ')');
        if word.is_empty() {
            return Err(error(start, "expected a field name after \"has:\""));
        }
        match resolve(&word, start)? {
            Name::Field(field) => Ok(Expr::Has(field)),
            Name::Has => Err(error(start, "expected a field name after \"has:\"")),
        }
    }

    /// `tag[KEY]`, at the cursor.
    fn tag(&mut self) -> Result<Field, ParseError> {
        let start = self.cur.pos;
        self.cur.pos += 4;
        let key = self.cur.take_while(|c| c != ']');
        if !self.cur.eat(']') {
            return Err(error(start, "unclosed \"tag[\""));
        }
        attribute(key, start)
    }

    /// After `field:`: a comparison, a list or a single value.
    fn condition(&mut self, start: usize, field: Field) -> Result<Expr, ParseError> {
        let op_pos = self.cur.pos;
        let op = match (self.cur.peek(), self.cur.peek_at(1)) {
            (Some('>'), Some('=')) => Some(CmpOp::Ge),
            (Some('>'), _) => Some(CmpOp::Gt),
            (Some('<'), Some('=')) => Some(CmpOp::Le),
            (Some('<'), _) => Some(CmpOp::Lt),
            _ => None,
        };
        if let Some(op) = op {
            if !is_ordered(&field) {
                let message = format!("{field} cannot be compared; use {field}:value");
                return Err(error(op_pos, message));
            }
            self.cur.pos += if matches!(op, CmpOp::Ge | CmpOp::Le) {
                2
            } else {
                1
            };
            if self.cur.peek() == Some('[') {
                return Err(error(self.cur.pos, "a list cannot be compared"));
            }
            let value = self.value(start, &field, true)?;
            return Ok(Expr::Compare { field, op, value });
        }
        if field == Field::Timestamp {
            let message =
                "timestamp needs a comparison; use timestamp:>=2025-01-01 or timestamp:<…";
            return Err(error(op_pos, message));
        }
        let values = if self.cur.peek() == Some('[') {
            self.list(&field)?
        } else {
            vec![self.value(start, &field, false)?]
        };
        Ok(Expr::Is { field, values })
    }

    /// A single quoted or bare value, typed for `field`.
    fn value(&mut self, start: usize, field: &Field, compare: bool) -> Result<Value, ParseError> {
        let pos = self.cur.pos;
        if self.cur.peek() == Some('"') {
            let text = self.cur.quoted()?;
            return typed(field, text, true, pos, compare);
        }
        let text = self.cur.take_while(|c| !c.is_whitespace() && c != ')');
        if text.is_empty() {
            let written = self.cur.slice(start, pos);
            return Err(error(pos, format!("expected a value after \"{written}\"")));
        }
        typed(field, text, false, pos, compare)
    }

    /// `[a, b, "c d"]`, at the cursor.
    fn list(&mut self, field: &Field) -> Result<Vec<Value>, ParseError> {
        let open = self.cur.pos;
        self.cur.pos += 1;
        let mut values = Vec::new();
        loop {
            self.cur.skip_whitespace();
            let pos = self.cur.pos;
            let (text, quoted) = match self.cur.peek() {
                None => return Err(error(open, "unclosed list")),
                Some(']') if values.is_empty() => return Err(error(open, "empty list")),
                Some('"') => (self.cur.quoted()?, true),
                Some(_) => {
                    let bare = |c: char| !c.is_whitespace() && !matches!(c, ',' | ']' | ')');
                    (self.cur.take_while(bare), false)
                }
            };
            if text.is_empty() && !quoted {
                return Err(error(pos, "expected a value in the list"));
            }
            values.push(typed(field, text, quoted, pos, false)?);
            self.cur.skip_whitespace();
            match self.cur.bump() {
                Some(',') => {}
                Some(']') => return Ok(values),
                None => return Err(error(open, "unclosed list")),
                Some(_) => return Err(error(self.cur.pos - 1, "expected \",\" or \"]\"")),
            }
        }
    }

    /// Whether a term starts at the cursor (not the end, a `)`, `AND` or `OR`).
    fn at_term(&self) -> bool {
        !matches!(self.cur.peek(), None | Some(')'))
            && !matches!(self.cur.keyword(), Some(Keyword::And | Keyword::Or))
    }

    fn expect_term_after(&mut self, keyword: &str) -> Result<(), ParseError> {
        self.cur.skip_whitespace();
        if self.at_term() {
            Ok(())
        } else {
            Err(error(
                self.cur.pos,
                format!("expected a term after {keyword}"),
            ))
        }
    }
}

/// `items` as one expression: flattened, and unwrapped when there is only one.
fn combine(items: Vec<Expr>, keyword: Keyword) -> Expr {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match (item, keyword) {
            (Expr::And(inner), Keyword::And) | (Expr::Or(inner), Keyword::Or) => flat.extend(inner),
            (item, _) => flat.push(item),
        }
    }
    match (flat.len(), keyword) {
        (1, _) => flat.pop().expect("one item"),
        (_, Keyword::Or) => Expr::Or(flat),
        _ => Expr::And(flat),
    }
}

fn is_ordered(field: &Field) -> bool {
    matches!(
        field,
        Field::Level | Field::Timestamp | Field::Issue | Field::Attr(_)
    )
}

/// `text`, written at `pos`, as a value of `field`.
fn typed(
    field: &Field,
    text: String,
    quoted: bool,
    pos: usize,
    compare: bool,
) -> Result<Value, ParseError> {
    let pattern = !quoted && text.contains('*');
    match field {
        Field::Level => match Level::parse(&text) {
            Some(level) if !pattern => Ok(Value::Level(level)),
            _ => {
                let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                let problem = if pattern {
                    "level cannot be a pattern".to_string()
                } else {
                    format!("unknown level \"{text}\"")
                };
                let message = format!("{problem}; levels are {}", names.join(", "));
                Err(error(pos, message))
            }
        },
        Field::Timestamp => parse_rfc3339(&text).map(Value::Time).ok_or_else(|| {
            let message =
                format!("invalid time \"{text}\"; write 2025-01-01 or 2025-01-01T12:00:00Z");
            error(pos, message)
        }),
        Field::Issue => text
            .parse()
            .map(Value::Int)
            .map_err(|_| error(pos, format!("invalid issue \"{text}\"; issues are numbers"))),
        Field::Attr(_) if compare => match text.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Value::Number(number)),
            _ => Err(error(
                pos,
                format!("expected a number to compare with, not \"{text}\""),
            )),
        },
        _ if pattern => Ok(Value::Pattern(text)),
        _ => Ok(Value::Text(text)),
    }
}
