//! Reading log lines (DESIGN.md §5): the search language compiled to parameterised SQL for
//! SQLite and PostgreSQL, keyset-paginated pages, the lines a live view missed, histograms,
//! environments and health.
//!
//! This is read-heavy and speed-bound (DESIGN.md §7), so it talks to sqlx directly, like the
//! ingest store: every value is a bound parameter, SQLite gets `?` placeholders, and
//! PostgreSQL plans each statement with its values. The indexes it relies on: `logs` (app,
//! ts, id) and (app, level, ts, id), the correlation id expression index, SQLite's trigram
//! table `logs_fts` (filled by `text_index` beside the writer), and the per-minute rows of
//! `app_metrics` (counts and id ranges).
pub mod compile;
mod histogram;
pub mod horizon;
mod overview;
mod rows;
pub mod search;
pub mod shape;
pub mod sql;
pub mod text_index;
mod values;

pub use search::*;
