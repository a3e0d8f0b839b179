//! `GET /apps/{id}/logs/export?format=csv|ndjson`: the lines of the current view, newest
//! first, streamed a page at a time so the server's memory stays constant, up to
//! `MAX_ROWS` lines (`limit` lowers it).
use std::collections::HashMap;

use app::{
    backend::{
        AppState,
        services::logs::Selection,
        store::search::{self},
    },
    model::{
        logs::{Cursor, LogRow},
        query::format_rfc3339,
    },
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use futures_util::{StreamExt, stream};

use crate::{api_error::ApiError, log_routes};

/// The most lines one export holds.
pub const MAX_ROWS: u64 = 100_000;
/// Lines read per query while streaming.
const PAGE_ROWS: u32 = 1_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

pub async fn export(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match start(state, &app_id, &params, &headers).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn start(
    state: AppState,
    app_id: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let format = match params.get("format").map(String::as_str) {
        None | Some("csv") => Format::Csv,
        Some("ndjson") => Format::Ndjson,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_format",
                "format must be csv or ndjson",
            ));
        }
    };
    let limit = match params.get("limit") {
        None => MAX_ROWS,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_ROWS).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_limit",
                    format!("limit must be a number from 1 to {MAX_ROWS}"),
                )
            })?,
    };
    let (selection, _) = log_routes::selection(&state, headers, app_id, params).await?;
    let name = file_name(&selection, format);
    let export = Export {
        state,
        selection,
        format,
        left: limit,
        cursor: None,
        started: false,
        done: false,
    };
    // Fused: the compression layer polls once more after the end, which `unfold` forbids.
    let body = Body::from_stream(
        stream::unfold(export, |mut export| async move {
            let chunk = export.next_chunk().await?;
            Some((chunk, export))
        })
        .fuse(),
    );
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Ndjson => "application/x-ndjson",
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// `<app>-logs-<start>.csv`, with only file-name-safe characters.
fn file_name(selection: &Selection, format: Format) -> String {
    let app: String = selection
        .app
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let day = format_rfc3339(selection.start_us)
        .get(..16)
        .unwrap_or_default()
        .replace(':', "");
    let ext = if format == Format::Csv {
        "csv"
    } else {
        "ndjson"
    };
    format!("{app}-logs-{day}.{ext}")
}

struct Export {
    state: AppState,
    selection: Selection,
    format: Format,
    left: u64,
    cursor: Option<Cursor>,
    started: bool,
    done: bool,
}

impl Export {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if self.done {
            return None;
        }
        let mut out = String::new();
        if !self.started {
            self.started = true;
            if self.format == Format::Csv {
                out.push_str(CSV_HEADER);
            }
        }
        let want = self.left.min(PAGE_ROWS as u64) as u32;
        if want == 0 {
            self.done = true;
            return (!out.is_empty()).then(|| Ok(Bytes::from(out)));
        }
        let page =
            match search::page(&self.state.db, &self.selection.filter(), self.cursor, want).await {
                Ok(page) => page,
                Err(e) => {
                    // The client sees a cut-off download rather than a file that looks whole.
                    tracing::error!(error = %e, "export stopped on a database error");
                    self.done = true;
                    return Some(Err(std::io::Error::other("export failed")));
                }
            };
        for row in &page.lines {
            match self.format {
                Format::Csv => csv_row(&mut out, row),
                Format::Ndjson => ndjson_row(&mut out, row),
            }
        }
        self.left -= page.lines.len() as u64;
        self.cursor = page.next;
        if self.cursor.is_none() || page.lines.is_empty() {
            self.done = true;
        }
        Some(Ok(Bytes::from(out)))
    }
}

pub const CSV_HEADER: &str =
    "timestamp,level,service,environment,release,message,trace_id,issue_id,attributes\r\n";

/// One CSV record (RFC 4180). A cell that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`: the NDJSON export is
/// the lossless one.
fn csv_row(out: &mut String, row: &LogRow) {
    let issue = row.issue_id.map(|i| i.to_string());
    let cells = [
        Some(format_rfc3339(row.ts)),
        Some(row.level.name().to_string()),
        Some(row.service.clone()),
        row.environment.clone(),
        row.release.clone(),
        Some(row.message.clone()),
        row.trace_id.clone(),
        issue,
        // Compact JSON whichever engine stored it (PostgreSQL prints jsonb with spaces).
        Some(
            serde_json::from_str::<serde_json::Value>(&row.attributes)
                .map_or_else(|_| row.attributes.clone(), |v| v.to_string()),
        ),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(cell) = cell {
            csv_cell(out, cell);
        }
    }
    out.push_str("\r\n");
}

fn csv_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

fn ndjson_row(out: &mut String, row: &LogRow) {
    let attributes: serde_json::Value =
        serde_json::from_str(&row.attributes).unwrap_or_else(|_| serde_json::json!({}));
    let line = serde_json::json!({
        "id": row.id,
        "timestamp": format_rfc3339(row.ts),
        "level": row.level.name(),
        "service": row.service,
        "environment": row.environment,
        "release": row.release,
        "message": row.message,
        "trace_id": row.trace_id,
        "issue_id": row.issue_id,
        "attributes": attributes,
    });
    out.push_str(&line.to_string());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_quote_and_defuse_formulas() {
        let mut out = String::new();
        csv_cell(&mut out, "plain");
        out.push('|');
        csv_cell(&mut out, "a,\"b\"\nc");
        out.push('|');
        csv_cell(&mut out, "=SUM(A1)");
        assert_eq!(out, "plain|\"a,\"\"b\"\"\nc\"|\"'=SUM(A1)\"");
    }
}
