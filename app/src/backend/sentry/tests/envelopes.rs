//! Envelope framing: the specification's examples, the leniencies, and every refusal with
//! its reason.
use crate::backend::sentry::*;

fn parse(body: &[u8]) -> Result<Envelope<'_>, EnvelopeError> {
    parse_envelope(body, &EnvelopeLimits::default())
}

fn payloads<'a>(envelope: &Envelope<'a>) -> Vec<(&'a [u8], String)> {
    envelope
        .items
        .iter()
        .map(|item| (item.payload, item.kind.as_str().to_string()))
        .collect()
}

#[test]
fn header_only_envelopes_are_valid() {
    for body in [
        &br#"{"event_id":"12c2d058d58442709aa2eca08bf20986"}"#[..],
        b"{\"event_id\":\"12c2d058d58442709aa2eca08bf20986\"}\n",
        b"{}",
        b"{}\n\n\n",
    ] {
        let envelope = parse(body).unwrap();
        assert!(envelope.items.is_empty(), "{body:?}");
    }
    let envelope = parse(br#"{"event_id":"12c2d058d58442709aa2eca08bf20986"}"#).unwrap();
    assert_eq!(
        envelope.header.event_id.as_deref(),
        Some("12c2d058d58442709aa2eca08bf20986")
    );
}

#[test]
fn the_specifications_examples() {
    // Two items; the attachment's payload ends in a Windows newline counted in `length`.
    let two = b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42\"}\n\
{\"type\":\"attachment\",\"length\":10,\"content_type\":\"text/plain\",\"filename\":\"hello.txt\"}\n\
\xef\xbb\xbfHello\r\n\n\
{\"type\":\"event\",\"length\":41,\"content_type\":\"application/json\",\"filename\":\"application.log\"}\n\
{\"message\":\"hello world\",\"level\":\"error\"}\n";
    for body in [&two[..], &two[..two.len() - 1]] {
        let envelope = parse(body).unwrap();
        assert_eq!(
            payloads(&envelope),
            [
                (&b"\xef\xbb\xbfHello\r\n"[..], "attachment".to_string()),
                (
                    &b"{\"message\":\"hello world\",\"level\":\"error\"}"[..],
                    "event".to_string()
                ),
            ]
        );
        assert_eq!(
            envelope.header.dsn.as_deref(),
            Some("https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42")
        );
        assert_eq!(envelope.items[0].header.length, Some(10));
        assert_eq!(
            envelope.items[0].header.filename.as_deref(),
            Some("hello.txt")
        );
    }
    // Two empty attachments, with and without the last newline.
    for body in [
        &b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n\n"[..],
        b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n",
    ] {
        let envelope = parse(body).unwrap();
        assert_eq!(envelope.items.len(), 2);
        assert!(envelope.items.iter().all(|i| i.payload.is_empty()));
    }
    // Implicit length, to the newline or to the end.
    for body in [
        &b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\"}\nhelloworld\n"[..],
        b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\"}\nhelloworld",
    ] {
        assert_eq!(parse(body).unwrap().items[0].payload, b"helloworld");
    }
    let session = b"{}\n{\"type\":\"session\"}\n{\"started\": \"2020-02-07T14:16:00Z\",\"attrs\":{\"release\":\"sentry-test@1.0.0\"}}";
    let envelope = parse(session).unwrap();
    assert_eq!(envelope.items[0].kind, ItemKind::Session);
    assert!(envelope.items[0].payload.starts_with(b"{\"started\""));
}

#[test]
fn lenient_framing() {
    // A byte order mark, \r\n line ends, blank lines between and after items.
    let body = b"\xEF\xBB\xBF{\"sdk\":{\"name\":\"x\"}}\r\n\r\n{\"type\":\"event\",\"length\":2}\r\n{}\r\n\n{\"type\":\"log\"}\n{\"items\":[]}\n\n\n";
    let envelope = parse(body).unwrap();
    assert_eq!(envelope.header.sdk_name.as_deref(), Some("x"));
    assert_eq!(
        payloads(&envelope),
        [
            (&b"{}"[..], "event".to_string()),
            (&b"{\"items\":[]}"[..], "log".to_string())
        ]
    );
    // An item header on the last line has an empty payload; a length may be a string.
    let envelope =
        parse(b"{}\n{\"type\":\"event\",\"length\":\"2\"}\n{}\n{\"type\":\"attachment\"}").unwrap();
    assert_eq!(envelope.items[0].header.length, Some(2));
    assert_eq!(envelope.items[1].payload, b"");
    // An implicit-length payload keeps its \r, as the specification says.
    let envelope = parse(b"{}\n{\"type\":\"attachment\"}\nabc\r\n").unwrap();
    assert_eq!(envelope.items[0].payload, b"abc\r");
    // Unusable optional header values are ignored, not refused.
    let envelope =
        parse(b"{\"event_id\":\"not-an-id\",\"sent_at\":\"yesterday\",\"sdk\":\"x\"}").unwrap();
    assert_eq!(
        (
            envelope.header.event_id,
            envelope.header.sent_at,
            envelope.header.sdk_name
        ),
        (None, None, None)
    );
    let envelope =
        parse(b"{\"event_id\":\"12C2D058-D584-4270-9AA2-ECA08BF20986\",\"unknown\":[1]}").unwrap();
    assert_eq!(
        envelope.header.event_id.as_deref(),
        Some("12c2d058d58442709aa2eca08bf20986")
    );
    assert_eq!(envelope.header.fields["unknown"], serde_json::json!([1]));
}

#[test]
fn unknown_item_types_are_kept_not_refused() {
    let body = b"{}\n{\"type\":\"profile_chunk\",\"length\":5,\"platform\":\"python\"}\nabcde\n{\"type\":\"statsd\"}\nfoo:1|c\n{\"type\":\"event\",\"length\":2}\n{}\n";
    let envelope = parse(body).unwrap();
    let kinds: Vec<_> = envelope.items.iter().map(|i| i.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            ItemKind::Other("profile_chunk".into()),
            ItemKind::Other("statsd".into()),
            ItemKind::Event
        ]
    );
    assert_eq!(envelope.items[0].payload, b"abcde");
    assert_eq!(envelope.items[0].header.fields["platform"], "python");
    assert_eq!(envelope.items[1].payload, b"foo:1|c");
    for name in [
        "event",
        "log",
        "transaction",
        "session",
        "sessions",
        "client_report",
        "attachment",
        "check_in",
        "replay_event",
    ] {
        assert_eq!(ItemKind::from_type(name).as_str(), name);
    }
}

#[test]
fn malformed_envelopes_name_the_reason_and_the_place() {
    let limits = EnvelopeLimits::default();
    let cases: Vec<(&[u8], &str, Option<usize>)> = vec![
        (b"", "empty_envelope", None),
        (b"   \n", "empty_envelope", None),
        (b"\n{}\n", "invalid_envelope_header", None),
        (b"{not json}\n", "invalid_envelope_header", None),
        (
            b"[1, 2]\n{\"type\":\"event\"}\n{}",
            "invalid_envelope_header",
            None,
        ),
        (
            b"{}\n{\"type\":\"event\"}\n{}\nnot a header\n",
            "invalid_item_header",
            Some(1),
        ),
        (b"{}\n\"event\"\n{}\n", "invalid_item_header", Some(0)),
        (b"{}\n{\"length\":2}\n{}\n", "missing_item_type", Some(0)),
        (b"{}\n{\"type\":7}\n{}\n", "missing_item_type", Some(0)),
        (
            b"{}\n{\"type\":\"event\",\"length\":-1}\n{}\n",
            "invalid_item_header",
            Some(0),
        ),
        (
            b"{}\n{\"type\":\"event\",\"length\":50}\n{}\n",
            "length_past_end",
            Some(0),
        ),
        (
            b"{}\n{\"type\":\"event\",\"length\":1}\n{}\n",
            "missing_newline",
            Some(0),
        ),
    ];
    for (body, code, index) in cases {
        let error = parse_envelope(body, &limits).unwrap_err();
        assert_eq!(
            (error.code(), error.item_index()),
            (code, index),
            "{:?}: {error}",
            String::from_utf8_lossy(body)
        );
        assert!(!error.is_too_large(), "{error}");
    }

    let error = parse(b"{oops\n").unwrap_err();
    assert!(
        error.to_string().starts_with(
            "the envelope header (the first line) is not a JSON object: key must be a string"
        ),
        "{error}"
    );
    let error = parse(b"[1]").unwrap_err();
    assert!(error.to_string().ends_with("found an array"), "{error}");

    let body = b"{}\n{\"type\":\"event\",\"length\":2}\n{}\n{\"type\":\"log\",\"length\":99}\n{\"items\":[]}\n";
    let error = parse(body).unwrap_err();
    assert_eq!(
        error,
        EnvelopeError::LengthPastEnd {
            index: 1,
            offset: 61,
            length: 99,
            available: 13
        }
    );
    assert_eq!(
        error.to_string(),
        "item 1 (byte 61): length 99 runs past the end of the envelope (13 bytes are left)"
    );
    let error = parse(b"{}\n{\"type\":\"event\",\"length\":1}\n{}\n").unwrap_err();
    assert_eq!(
        error,
        EnvelopeError::MissingNewline {
            index: 0,
            offset: 32,
            length: 1
        }
    );
    let error = parse(b"{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"log\"\n").unwrap_err();
    assert!(
        matches!(
            error,
            EnvelopeError::InvalidItemHeader {
                index: 1,
                offset: 23,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("item 1 (byte 23): the item header is not a JSON object")
    );
}

#[test]
fn bad_json_in_an_event_item_is_the_events_error() {
    // The framing is fine; reading the event is what fails, with its own reason.
    let body = b"{}\n{\"type\":\"event\",\"length\":9}\n{\"level\":\n";
    let envelope = parse(body).unwrap();
    let error = parse_event(envelope.items[0].payload, 0).unwrap_err();
    assert_eq!(error.code(), "invalid_event_json");
    assert!(
        error.to_string().starts_with("the event is not JSON: EOF"),
        "{error}"
    );
}

#[test]
fn size_limits() {
    let limits = EnvelopeLimits {
        max_envelope: 200,
        max_item: 10,
        max_attachment: 50,
        max_items: 3,
    };
    let error = parse_envelope(&[b' '; 201], &limits).unwrap_err();
    assert_eq!(
        error,
        EnvelopeError::EnvelopeTooLarge {
            size: 201,
            limit: 200
        }
    );
    assert!(error.is_too_large());
    assert_eq!(
        error.to_string(),
        "the envelope is 201 bytes; at most 200 are accepted"
    );

    // Over the item limit, with a length (refused before reading the payload) and without.
    let with_length = b"{}\n{\"type\":\"event\",\"length\":11}\n{\"a\":\"xxxx\"}\n";
    let error = parse_envelope(with_length, &limits).unwrap_err();
    assert_eq!(
        error,
        EnvelopeError::ItemTooLarge {
            index: 0,
            offset: 32,
            kind: "event".into(),
            size: 11,
            limit: 10
        }
    );
    assert!(error.is_too_large());
    assert_eq!(
        error.to_string(),
        "item 0 (event, byte 32): the payload is 11 bytes; at most 10 are accepted"
    );
    let implicit = b"{}\n{\"type\":\"log\"}\n{\"items\":[1]}\n";
    let error = parse_envelope(implicit, &limits).unwrap_err();
    assert_eq!(
        (error.code(), error.item_index()),
        ("item_too_large", Some(0))
    );
    // A declared length past the end that is also over the limit is a size problem.
    let error =
        parse_envelope(b"{}\n{\"type\":\"event\",\"length\":5000}\n{}", &limits).unwrap_err();
    assert_eq!(error.code(), "item_too_large");

    // Attachments have their own, larger, limit.
    let attachment = format!(
        "{{}}\n{{\"type\":\"attachment\",\"length\":40}}\n{}\n",
        "a".repeat(40)
    );
    assert!(parse_envelope(attachment.as_bytes(), &limits).is_ok());
    let attachment = format!(
        "{{}}\n{{\"type\":\"attachment\",\"length\":51}}\n{}\n",
        "a".repeat(51)
    );
    assert_eq!(
        parse_envelope(attachment.as_bytes(), &limits)
            .unwrap_err()
            .code(),
        "item_too_large"
    );

    let three = b"{}\n{\"type\":\"a\"}\n\n{\"type\":\"b\"}\n\n{\"type\":\"c\"}\n\n".to_vec();
    assert_eq!(parse_envelope(&three, &limits).unwrap().items.len(), 3);
    let four = [three, b"{\"type\":\"d\"}\n\n".to_vec()].concat();
    let error = parse_envelope(&four, &limits).unwrap_err();
    assert_eq!(error, EnvelopeError::TooManyItems { limit: 3 });
    assert!(error.is_too_large());

    assert_eq!(
        EnvelopeLimits::default(),
        EnvelopeLimits {
            max_envelope: 20 << 20,
            max_item: 1 << 20,
            max_attachment: 20 << 20,
            max_items: 1000
        }
    );
}

#[test]
fn event_ids_in_both_spellings() {
    assert_eq!(
        normalise_event_id("12c2d058-d584-4270-9aa2-eca08bf20986").as_deref(),
        Some("12c2d058d58442709aa2eca08bf20986")
    );
    assert_eq!(
        normalise_event_id(" 12C2D058D58442709AA2ECA08BF20986 ").as_deref(),
        Some("12c2d058d58442709aa2eca08bf20986")
    );
    for bad in [
        "",
        "12c2d058d58442709aa2eca08bf2098",
        "12c2d058d58442709aa2eca08bf2098g",
        "12c2d058-d584-4270-9aa2eca08bf20986-",
        "12c2d058d-584-4270-9aa2-eca08bf20986",
    ] {
        assert_eq!(normalise_event_id(bad), None, "{bad}");
    }
}
