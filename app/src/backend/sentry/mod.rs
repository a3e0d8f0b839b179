//! The Sentry protocol (DESIGN.md §6), pure part: reading what official Sentry SDKs send into
//! Lodestar's values, without a database or HTTP. Routes and storage build on it.
//!
//! A request to `/api/<app_id>/envelope/` goes through it like this (the body already
//! decompressed, see `server/src/body.rs`):
//!
//! 1. **Key.** [`parse_auth_header`] on `X-Sentry-Auth` or `Authorization`, else
//!    [`key_from_query`] on the query string, else the envelope header's
//!    [`EnvelopeHeader::dsn`] through [`parse_dsn`].
//! 2. **Framing.** [`parse_envelope`] splits the body into [`Item`]s within
//!    [`EnvelopeLimits`]; an [`EnvelopeError`] says what is wrong and where (item index,
//!    byte offset) and whether it is a size limit (413) or malformed (400).
//! 3. **Items** by [`ItemKind`]:
//!    - `Event` → [`parse_event`] → [`ErrorEvent`]; [`fingerprint`] gives its issue
//!      ([`Grouping`]) and [`ErrorEvent::to_new_line`] the line it leaves in the log stream.
//!      The envelope header's `event_id` wins over the payload's.
//!    - `Log` → [`parse_log_item`] → [`NewLine`]s, normalised like `/ingest` lines.
//!    - everything else (transactions, sessions, client reports, attachments, check-ins,
//!      unknown types) is skipped and counted, never refused.
//!
//! The legacy `/api/<app_id>/store/` body is one event: [`parse_event`] reads it the same way.
//!
//! Order is kept as Sentry sends it: exceptions and stack frames oldest first (the raised
//! exception and the innermost frame last), breadcrumbs oldest first.
mod auth;
mod envelope;
mod event;
mod grouping;
mod lenient;
mod logs;

pub use auth::{Dsn, DsnError, SentryAuth, key_from_query, parse_auth_header, parse_dsn};
pub use envelope::{
    Envelope, EnvelopeError, EnvelopeHeader, EnvelopeLimits, Item, ItemHeader, ItemKind,
    normalise_event_id, parse_envelope,
};
pub use event::{
    Breadcrumb, ErrorEvent, EventError, Exception, Frame, MAX_BREADCRUMBS, MAX_EXCEPTIONS,
    MAX_FRAMES, Mechanism, Request, Sdk, Stacktrace, Truncation, User, parse_event,
};
pub use grouping::{Grouping, GroupingSource, fingerprint, normalise};
pub use logs::{LogItemError, parse_log_item};

pub use crate::backend::ingest::NewLine;

/// Attribute names of the line an error event leaves in the log stream.
pub use event::log_line as line_attributes;

#[cfg(test)]
mod tests;
