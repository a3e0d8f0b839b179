//! The search language's text ↔ tree: accepted and rejected queries, canonical printing, and
//! round trips as properties. Evaluation (one test per rule of the module documentation) is
//! tested in `eval.rs`, RFC 3339 in `time.rs`.
use proptest::prelude::*;

use super::*;

fn w(s: &str) -> Expr {
    Expr::Text(s.into())
}
fn and(items: Vec<Expr>) -> Expr {
    Expr::And(items)
}
fn or(items: Vec<Expr>) -> Expr {
    Expr::Or(items)
}
fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}
fn is(field: Field, values: Vec<Value>) -> Expr {
    Expr::Is { field, values }
}
fn cmp(field: Field, op: CmpOp, value: Value) -> Expr {
    Expr::Compare { field, op, value }
}
fn t(s: &str) -> Value {
    Value::Text(s.into())
}
fn p(s: &str) -> Value {
    Value::Pattern(s.into())
}
fn lvl(name: &str) -> Value {
    Value::Level(super::Level::parse(name).unwrap())
}
fn attr(key: &str) -> Field {
    Field::Attr(key.into())
}
const JAN_1_2025: i64 = 1_735_689_600_000_000;

#[test]
#[rustfmt::skip]
fn accepted_queries_parse_to_these_trees() {
    use {CmpOp::*, Field::*};
    let rows: Vec<(&str, Expr)> = vec![
        ("error", w("error")),
        ("  error\t", w("error")),
        ("error timeout", and(vec![w("error"), w("timeout")])),
        ("\"connection reset\"", w("connection reset")),
        (r#""say \"hi\" \\ \n""#, w(r#"say "hi" \ \n"#)),
        ("conn*", w("conn*")),
        ("héllo 日本語", and(vec![w("héllo"), w("日本語")])),
        ("foo-bar a!b", and(vec![w("foo-bar"), w("a!b")])),
        ("a and b or c", and(["a", "and", "b", "or", "c"].map(w).to_vec())),
        ("ORACLE NOTE", and(vec![w("ORACLE"), w("NOTE")])),
        ("a AND b", and(vec![w("a"), w("b")])),
        ("a OR b", or(vec![w("a"), w("b")])),
        ("a OR b c", or(vec![w("a"), and(vec![w("b"), w("c")])])),
        ("a b OR c", or(vec![and(vec![w("a"), w("b")]), w("c")])),
        ("(a OR b) c", and(vec![or(vec![w("a"), w("b")]), w("c")])),
        ("(a b) AND c", and(vec![w("a"), w("b"), w("c")])),
        ("a OR (b OR c)", or(vec![w("a"), w("b"), w("c")])),
        ("a OR(b)", or(vec![w("a"), w("b")])),
        ("((a))", w("a")),
        ("!a", not(w("a"))),
        ("-a", not(w("a"))),
        ("NOT a", not(w("a"))),
        ("!!a", not(not(w("a")))),
        ("NOT -a", not(not(w("a")))),
        ("!(a OR b)", not(or(vec![w("a"), w("b")]))),
        ("NOT(a b)", not(and(vec![w("a"), w("b")]))),
        ("level:error", is(Level, vec![lvl("error")])),
        ("LEVEL:Warning", is(Level, vec![lvl("warn")])),
        ("level:critical", is(Level, vec![lvl("fatal")])),
        ("level:>=warn", cmp(Level, Ge, lvl("warn"))),
        ("level:<err", cmp(Level, Lt, lvl("error"))),
        ("service:api", is(Service, vec![t("api")])),
        ("Service:pay*", is(Service, vec![p("pay*")])),
        ("service:\"a*b\"", is(Service, vec![t("a*b")])),
        ("service:a\"b", is(Service, vec![t("a\"b")])),
        ("service:\"\"", is(Service, vec![t("")])),
        ("service:é*", is(Service, vec![p("é*")])),
        ("env:prod", is(Environment, vec![t("prod")])),
        ("environment:\"us east\"", is(Environment, vec![t("us east")])),
        ("release:1.2.*", is(Release, vec![p("1.2.*")])),
        ("msg:\"connection reset\"", is(Message, vec![t("connection reset")])),
        ("message:conn*", is(Message, vec![p("conn*")])),
        ("trace_id:abc1 TRACE:ABC", and(vec![is(Trace, vec![t("abc1")]), is(Trace, vec![t("ABC")])])),
        ("ts:>2025-01-01", cmp(Timestamp, Gt, Value::Time(JAN_1_2025))),
        ("timestamp:<=2025-01-01T02:00:00.5+02:00", cmp(Timestamp, Le, Value::Time(JAN_1_2025 + 500_000))),
        ("issue:42", is(Issue, vec![Value::Int(42)])),
        ("issue:>=10", cmp(Issue, Ge, Value::Int(10))),
        ("issue:[1, 2]", is(Issue, vec![Value::Int(1), Value::Int(2)])),
        ("attr.user_id:42", is(attr("user_id"), vec![t("42")])),
        ("ATTR.Key:v*", is(attr("Key"), vec![p("v*")])),
        ("attr.a:b:c", is(attr("a"), vec![t("b:c")])),
        ("tag[correlation id]:abc-123", is(attr("correlation id"), vec![t("abc-123")])),
        ("attr.latency_ms:>250.5", cmp(attr("latency_ms"), Gt, Value::Number(250.5))),
        ("tag[x]:<=-3", cmp(attr("x"), Le, Value::Number(-3.0))),
        ("service:[api, worker,\"big job\"]", is(Service, vec![t("api"), t("worker"), t("big job")])),
        ("service:[ x ]", is(Service, vec![t("x")])),
        ("level:[error, fatal]", is(Level, vec![lvl("error"), lvl("fatal")])),
        ("has:trace_id", Expr::Has(Trace)),
        ("HAS:attr.user", Expr::Has(attr("user"))),
        ("has:tag[a b]", Expr::Has(attr("a b"))),
        ("!service:auth", not(is(Service, vec![t("auth")]))),
        ("-has:env", not(Expr::Has(Environment))),
        ("(service:a)", is(Service, vec![t("a")])),
        ("(level:error OR level:fatal) AND service:api", and(vec![
            or(vec![is(Level, vec![lvl("error")]), is(Level, vec![lvl("fatal")])]),
            is(Service, vec![t("api")]),
        ])),
    ];
    assert!(rows.len() >= 40);
    for (input, expected) in rows {
        assert_eq!(parse(input), Ok(Some(expected.clone())), "{input}");
        assert_eq!(parse(&expected.to_string()), Ok(Some(expected)), "printed {input}");
    }
    assert_eq!(parse(""), Ok(None));
    assert_eq!(parse(" \n "), Ok(None));
}

#[test]
#[rustfmt::skip]
fn rejected_queries_say_where_and_why() {
    let long_key = format!("attr.{}:x", "k".repeat(129));
    let (parens, bangs) = ("(".repeat(100_000), format!("{}a", "!".repeat(100_000)));
    let rows: Vec<(&str, usize, &str)> = vec![
        ("levle:error", 0, "unknown field \"levle\"; did you mean \"level\"?"),
        ("a lvl:x", 2, "did you mean \"level\""),
        ("user_id:42", 0, "attributes are written attr.user_id"),
        ("x attr:1", 2, "attributes are written attr.KEY or tag[KEY]"),
        ("http://x", 0, "unknown field \"http\""),
        (":x", 0, "expected a field name"),
        ("service:", 8, "expected a value after \"service:\""),
        ("service: x", 8, "expected a value after \"service:\""),
        ("level:>=", 8, "expected a value after \"level:>=\""),
        ("\"unclosed", 0, "unclosed quote"),
        ("a \"b\\\"", 2, "unclosed quote"),
        ("(a b", 0, "unclosed parenthesis"),
        ("a)", 1, "unexpected \")\""),
        ("()", 0, "empty parentheses"),
        ("\"\"", 0, "empty quotes"),
        ("a OR", 4, "expected a term after OR"),
        ("a OR OR b", 5, "expected a term after OR"),
        ("OR a", 0, "expected a term before OR"),
        ("a AND", 5, "expected a term after AND"),
        ("NOT", 3, "expected a term after NOT"),
        ("! a", 1, "right after \"!\""),
        ("a -", 3, "right after \"-\""),
        ("service:>a", 8, "service cannot be compared; use service:value"),
        ("env:<=x", 4, "environment cannot be compared"),
        ("level:loud", 6, "unknown level \"loud\"; levels are trace, debug, info, warn, error, fatal"),
        ("level:err*", 6, "level cannot be a pattern; levels are trace"),
        ("timestamp:2025-01-01", 10, "use timestamp:>="),
        ("ts:>2025-02-30", 4, "invalid time"),
        ("issue:abc", 6, "invalid issue"),
        ("attr.x:>abc", 8, "expected a number"),
        ("attr.x:>1e400", 8, "expected a number"),
        ("service:[]", 8, "empty list"),
        ("service:[a, ]", 12, "expected a value in the list"),
        ("service:[a b]", 11, "expected \",\" or \"]\""),
        ("service:[a, b", 8, "unclosed list"),
        ("level:>[error]", 7, "a list cannot be compared"),
        ("tag[abc:x", 0, "unclosed \"tag[\""),
        ("tag[x] y", 6, "expected \":\" after \"tag[x]\""),
        ("attr.:x", 0, "expected an attribute key"),
        (&long_key, 0, "at most 128 characters"),
        ("attr.a]b:c", 0, "cannot contain"),
        (&parens, 100, "query nested too deeply"),
        (&bangs, 100, "query nested too deeply"),
        ("has:", 4, "expected a field name after \"has:\""),
        ("has:nope", 4, "unknown field \"nope\""),
        // Positions count characters: each of these has multi-byte characters before the error.
        ("héllo wörld levle:x", 12, "did you mean \"level\""),
        ("日本 service:", 11, "expected a value"),
        ("ü (a", 2, "unclosed parenthesis"),
        ("\"日本\" level:>🙂", 12, "unknown level"),
    ];
    for (input, position, fragment) in rows {
        let err = parse(input).expect_err(input);
        assert_eq!(err.position, position, "{input}: {err}");
        assert!(err.message.contains(fragment), "{input}: {err}");
    }
}

#[test]
fn nesting_up_to_the_limit_parses_and_prints() {
    let parens = format!("{}a{}", "(".repeat(99), ")".repeat(99));
    assert_eq!(parse(&parens), Ok(Some(w("a"))));
    let bangs = format!("{}a", "!".repeat(99));
    let expr = parse(&bangs).unwrap().unwrap();
    assert_eq!(expr.to_string(), bangs);
}

#[test]
#[rustfmt::skip]
fn printing_is_canonical() {
    let rows = [
        ("env:prod   AND   msg:x", "environment:prod message:x"),
        ("a OR b c", "a OR b c"),
        ("(a OR b) c", "(a OR b) c"),
        ("NOT (a b)", "!(a b)"),
        ("\"a b\" \"AND\" \"-x\" \"c\"", "\"a b\" \"AND\" \"-x\" c"),
        ("tag[user_id]:\"4 2\" tag[a b]:x", "attr.user_id:\"4 2\" tag[a b]:x"),
        ("service:[>*] service:[a, \"b,c\"]", "service:[>*] service:[a, \"b,c\"]"),
        ("ts:>=2025-01-01T00:00:00.25Z", "timestamp:>=2025-01-01T00:00:00.250000Z"),
        ("level:>warning attr.n:<1e3 has:ts", "level:>warn attr.n:<1000 has:timestamp"),
    ];
    for (input, printed) in rows {
        assert_eq!(parse(input).unwrap().unwrap().to_string(), printed, "{input}");
    }
}

fn level() -> impl Strategy<Value = Value> {
    prop::sample::select(super::Level::ALL.to_vec()).prop_map(Value::Level)
}

/// Any text, weighted towards the characters that need quoting.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("AND".to_string()),
        Just("NOT".to_string()),
        "[a-zA-Z0-9_ \"\\\\:*()!,<>\\[\\]é日\t-]{0,8}",
        "\\PC{0,6}",
    ]
}

/// Texts, and patterns as the parser reads them from bare values and list items.
fn text_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any_text().prop_map(Value::Text),
        "[a-z0-9_.:!<>(\\[-]{0,3}\\*[a-z0-9_.:!\"<>(*-]{0,3}".prop_map(Value::Pattern),
    ]
}

/// A condition, with the value types the parser gives each field.
fn condition() -> impl Strategy<Value = Expr> {
    let values = |v: BoxedStrategy<Value>| prop::collection::vec(v, 1..4);
    let key = prop_oneof!["[a-zA-Z0-9_.-]{1,10}", "[a-z :()\"*,\\[é]{1,10}"];
    let text_field = prop::sample::select(vec![
        Field::Service,
        Field::Environment,
        Field::Release,
        Field::Message,
        Field::Trace,
    ]);
    let op = prop::sample::select(vec![CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le]);
    let number = any::<f64>().prop_filter("finite", |n| n.is_finite());
    let ordered = prop_oneof![
        level().prop_map(|v| (Field::Level, v)),
        (0..=253_402_300_799_999_999_i64).prop_map(|us| (Field::Timestamp, Value::Time(us))),
        any::<i64>().prop_map(|n| (Field::Issue, Value::Int(n))),
        (key.clone(), number).prop_map(|(key, n)| (Field::Attr(key), Value::Number(n))),
    ];
    let column = prop::sample::select(vec![
        Field::Level,
        Field::Service,
        Field::Environment,
        Field::Release,
        Field::Message,
        Field::Trace,
        Field::Timestamp,
        Field::Issue,
    ]);
    prop_oneof![
        values(level().boxed()).prop_map(|values| is(Field::Level, values)),
        values(any::<i64>().prop_map(Value::Int).boxed()).prop_map(|v| is(Field::Issue, v)),
        (text_field, values(text_value().boxed())).prop_map(|(field, v)| is(field, v)),
        (key.clone(), values(text_value().boxed())).prop_map(|(k, v)| is(Field::Attr(k), v)),
        (op, ordered).prop_map(|(op, (field, value))| cmp(field, op, value)),
        key.prop_map(|key| Expr::Has(Field::Attr(key))),
        column.prop_map(Expr::Has),
    ]
}

/// And/Or of at least two operands, flattened like the parser does.
fn flat(items: Vec<Expr>, is_and: bool) -> Expr {
    let mut out = Vec::new();
    for item in items {
        match item {
            Expr::And(inner) if is_and => out.extend(inner),
            Expr::Or(inner) if !is_and => out.extend(inner),
            item => out.push(item),
        }
    }
    if is_and {
        Expr::And(out)
    } else {
        Expr::Or(out)
    }
}

fn tree() -> impl Strategy<Value = Expr> {
    let text = any_text().prop_filter("non-empty", |s| !s.is_empty());
    let leaf = prop_oneof![text.prop_map(Expr::Text), condition()];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| flat(items, true)),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| flat(items, false)),
            inner.prop_map(not),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn printed_trees_parse_back_to_themselves(expr in tree()) {
        let printed = expr.to_string();
        prop_assert_eq!(parse(&printed), Ok(Some(expr)), "printed: {}", printed);
    }

    #[test]
    fn parse_never_panics_and_what_it_accepts_prints_back(
        input in prop_oneof![
            any::<String>(),
            "(\\(|\\)|:|\"|\\[|\\]|!|\\*|-|,|>|<|=|\\\\| |AND|OR|NOT|level|attr\\.|tag\\[|has|ts|x|é|日)*",
        ]
    ) {
        match parse(&input) {
            Ok(Some(expr)) => prop_assert_eq!(parse(&expr.to_string()), Ok(Some(expr))),
            Ok(None) => prop_assert!(input.trim().is_empty()),
            Err(err) => prop_assert!(err.position <= input.chars().count(), "{:?}", err),
        }
    }
}
