//! The smaller event interfaces: breadcrumbs, user, request and SDK.
use serde_json::{Map, Value};

use super::Truncation;
use super::lenient::{self, take_text};
use crate::backend::ingest::batch::timestamp_micros;
use crate::model::Level;

/// Breadcrumbs kept per event: the newest ones.
pub const MAX_BREADCRUMBS: usize = 100;
const MAX_CRUMB_MESSAGE: usize = 2 << 10;
const MAX_SHORT: usize = 128;
const MAX_DATA: usize = 4 << 10;
const MAX_URL: usize = 2 << 10;
const MAX_HEADERS: usize = 100;
const MAX_HEADER: usize = 2 << 10;
const MAX_QUERY: usize = 4 << 10;
const MAX_BODY: usize = 8 << 10;

/// Something that happened before the event, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breadcrumb {
    /// UTC microseconds.
    pub timestamp: Option<i64>,
    /// Like `default`, `http`, `navigation`.
    pub ty: Option<String>,
    pub category: Option<String>,
    pub level: Option<Level>,
    pub message: Option<String>,
    /// At most 4 KiB as JSON.
    pub data: Option<Value>,
}

/// Who was affected.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    pub id: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub ip_address: Option<String>,
    /// Every other field (`name`, `segment`, `geo`, `data`, …).
    pub extra: Map<String, Value>,
}

/// The HTTP request being handled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub url: Option<String>,
    pub method: Option<String>,
    /// In the order sent when sent as pairs; sorted by name when sent as an object.
    pub headers: Vec<(String, String)>,
    pub query_string: Option<String>,
    /// The body, at most 8 KiB as JSON.
    pub data: Option<Value>,
}

/// The SDK that sent the event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sdk {
    pub name: Option<String>,
    pub version: Option<String>,
}

/// `breadcrumbs` as `{"values": [...]}` or a bare list, newest [`MAX_BREADCRUMBS`] kept.
pub(super) fn breadcrumbs(value: Value, truncation: &mut Truncation) -> Vec<Breadcrumb> {
    let mut list = match value {
        Value::Object(mut map) => match map.remove("values") {
            Some(Value::Array(values)) => values,
            _ => Vec::new(),
        },
        Value::Array(values) => values,
        _ => Vec::new(),
    };
    if list.len() > MAX_BREADCRUMBS {
        let dropped = list.len() - MAX_BREADCRUMBS;
        list.drain(..dropped);
        truncation.breadcrumbs += dropped;
    }
    list.into_iter()
        .filter_map(|value| breadcrumb(value, truncation))
        .collect()
}

fn breadcrumb(value: Value, truncation: &mut Truncation) -> Option<Breadcrumb> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    Some(Breadcrumb {
        timestamp: fields.get("timestamp").and_then(timestamp_micros),
        ty: take_text(&mut fields, "type", MAX_SHORT, cuts),
        category: take_text(&mut fields, "category", MAX_SHORT, cuts),
        level: fields
            .get("level")
            .and_then(Value::as_str)
            .and_then(Level::parse),
        message: take_text(&mut fields, "message", MAX_CRUMB_MESSAGE, cuts),
        data: fields
            .remove("data")
            .and_then(|data| lenient::bounded_json(data, MAX_DATA, &mut truncation.values)),
    })
}

pub(super) fn user(value: Value, truncation: &mut Truncation) -> Option<User> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    let user = User {
        id: take_text(&mut fields, "id", MAX_SHORT, cuts),
        email: take_text(&mut fields, "email", 2 * MAX_SHORT, cuts),
        username: take_text(&mut fields, "username", MAX_SHORT, cuts),
        ip_address: take_text(&mut fields, "ip_address", 64, cuts),
        extra: lenient::bounded_object(fields, MAX_DATA, 2 * MAX_DATA, &mut truncation.values),
    };
    let empty = user.id.is_none()
        && user.email.is_none()
        && user.username.is_none()
        && user.ip_address.is_none()
        && user.extra.is_empty();
    (!empty).then_some(user)
}

pub(super) fn request(value: Value, truncation: &mut Truncation) -> Option<Request> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    let query_string = fields.remove("query_string").and_then(|query| match query {
        Value::String(text) => Some(text),
        pairs @ (Value::Array(_) | Value::Object(_)) => {
            let pairs = lenient::pairs(pairs, MAX_HEADERS, MAX_HEADER, cuts);
            let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Some(joined.join("&"))
        }
        other => lenient::text(other),
    });
    let request = Request {
        url: take_text(&mut fields, "url", MAX_URL, cuts),
        method: take_text(&mut fields, "method", 16, cuts).map(|m| m.to_ascii_uppercase()),
        headers: fields.remove("headers").map_or_else(Vec::new, |headers| {
            lenient::pairs(headers, MAX_HEADERS, MAX_HEADER, cuts)
        }),
        query_string: query_string
            .filter(|query| !query.is_empty())
            .map(|mut query| {
                if lenient::cut(&mut query, MAX_QUERY) {
                    *cuts += 1;
                }
                query
            }),
        data: fields
            .remove("data")
            .and_then(|data| lenient::bounded_json(data, MAX_BODY, &mut truncation.values)),
    };
    let empty = request.url.is_none()
        && request.method.is_none()
        && request.headers.is_empty()
        && request.query_string.is_none()
        && request.data.is_none();
    (!empty).then_some(request)
}

pub(super) fn sdk(value: Value, truncation: &mut Truncation) -> Option<Sdk> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    let sdk = Sdk {
        name: take_text(&mut fields, "name", MAX_SHORT, cuts),
        version: take_text(&mut fields, "version", MAX_SHORT, cuts),
    };
    (sdk.name.is_some() || sdk.version.is_some()).then_some(sdk)
}
