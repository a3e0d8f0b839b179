//! The live feed: an EventSource on `/apps/{id}/logs/live` that reconnects with backoff and
//! resumes after the newest line it saw, so a dropped connection loses nothing.
use leptos::prelude::*;

use crate::model::logs::LogRow;

/// What the LIVE indicator says.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // the feed runs in the browser
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    /// Lost; the next attempt is in this many seconds.
    Reconnecting(u32),
    /// A fixed time range has no live lines.
    Off,
}

impl LiveStatus {
    pub fn label(self) -> String {
        match self {
            LiveStatus::Connecting => "Connecting…".into(),
            LiveStatus::Live => "Live".into(),
            LiveStatus::Reconnecting(secs) => format!("Reconnecting in {secs}s"),
            LiveStatus::Off => "Fixed range".into(),
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            LiveStatus::Live => "tone-live",
            LiveStatus::Connecting | LiveStatus::Reconnecting(_) => "tone-warn",
            LiveStatus::Off => "tone-idle",
        }
    }
}

/// What the feed hands the page.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy)]
pub struct Handlers {
    pub status: RwSignal<LiveStatus>,
    /// New lines, oldest first.
    pub on_lines: Callback<Vec<LogRow>>,
    /// More lines arrived than a catch-up sends: the view should reload.
    pub on_gap: Callback<u64>,
}

/// The feed exists in the browser only: the page opens it in an effect.
#[cfg(feature = "hydrate")]
pub use browser::Feed;

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc};

    use gloo_timers::callback::Timeout;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{EventSource, MessageEvent};

    use super::{Handlers, LiveStatus};
    use crate::model::logs::LogRow;

    /// The longest wait between reconnection attempts, in seconds.
    const MAX_BACKOFF: u32 = 30;

    /// An open feed; dropping it closes the connection and cancels any retry.
    pub struct Feed {
        inner: Rc<RefCell<Inner>>,
    }

    struct Inner {
        url: String,
        last_id: i64,
        backoff: u32,
        source: Option<EventSource>,
        listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        retry: Option<Timeout>,
        handlers: Handlers,
        closed: bool,
    }

    impl Feed {
        /// Connects to `url` (which already holds the view's query), after line `after`.
        pub fn open(url: String, after: i64, handlers: Handlers) -> Feed {
            let inner = Rc::new(RefCell::new(Inner {
                url,
                last_id: after,
                backoff: 1,
                source: None,
                listeners: Vec::new(),
                retry: None,
                handlers,
                closed: false,
            }));
            connect(&inner);
            Feed { inner }
        }
    }

    impl Drop for Feed {
        fn drop(&mut self) {
            let mut inner = self.inner.borrow_mut();
            inner.closed = true;
            inner.retry = None;
            if let Some(source) = inner.source.take() {
                source.close();
            }
            inner.listeners.clear();
        }
    }

    fn connect(inner: &Rc<RefCell<Inner>>) {
        let (url, handlers) = {
            let state = inner.borrow();
            if state.closed {
                return;
            }
            let sep = if state.url.contains('?') { '&' } else { '?' };
            (
                format!("{}{sep}after={}", state.url, state.last_id),
                state.handlers,
            )
        };
        handlers.status.set(LiveStatus::Connecting);
        let Ok(source) = EventSource::new(&url) else {
            schedule_retry(inner);
            return;
        };
        let weak = Rc::downgrade(inner);
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().backoff = 1;
                handlers.status.set(LiveStatus::Live);
            }
        });
        let weak = Rc::downgrade(inner);
        let on_lines = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(inner) = weak.upgrade() else { return };
            let Some(message) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let id = message.last_event_id().parse::<i64>().ok();
            let data = message.data().as_string().unwrap_or_default();
            if let Some(id) = id {
                let mut state = inner.borrow_mut();
                state.last_id = state.last_id.max(id);
            }
            if let Ok(rows) = serde_json::from_str::<Vec<LogRow>>(&data)
                && !rows.is_empty()
            {
                handlers.on_lines.run(rows);
            }
        });
        let weak = Rc::downgrade(inner);
        let on_gap = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(inner) = weak.upgrade() else { return };
            let Some(message) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            if let Ok(id) = message.last_event_id().parse::<i64>() {
                inner.borrow_mut().last_id = id;
            }
            let data = message.data().as_string().unwrap_or_default();
            let missed = serde_json::from_str::<serde_json::Value>(&data)
                .ok()
                .and_then(|v| v.get("missed")?.as_u64())
                .unwrap_or(0);
            handlers.on_gap.run(missed);
        });
        let weak = Rc::downgrade(inner);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // The browser would retry on its own at a fixed pace and without our cursor:
            // close and come back with backoff instead.
            let Some(inner) = weak.upgrade() else { return };
            if let Some(source) = inner.borrow_mut().source.take() {
                source.close();
            }
            schedule_retry(&inner);
        });
        let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("lines", on_lines.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("gap", on_gap.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        let mut state = inner.borrow_mut();
        state.source = Some(source);
        state.listeners = vec![on_open, on_lines, on_gap, on_error];
    }

    fn schedule_retry(inner: &Rc<RefCell<Inner>>) {
        let mut state = inner.borrow_mut();
        if state.closed {
            return;
        }
        let wait = state.backoff;
        state.backoff = (state.backoff * 2).min(MAX_BACKOFF);
        state.handlers.status.set(LiveStatus::Reconnecting(wait));
        let weak = Rc::downgrade(inner);
        state.retry = Some(Timeout::new(wait * 1_000, move || {
            if let Some(inner) = weak.upgrade() {
                connect(&inner);
            }
        }));
    }
}
