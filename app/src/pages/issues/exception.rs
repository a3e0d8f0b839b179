//! The exception chain and its stack traces, as Sentry shows them: the raised exception
//! first, then what caused it; in each trace the innermost frame first. The app's own frames
//! are open with their source lines, library frames closed (`<details>`, no script needed).
use leptos::prelude::*;

use crate::model::issues::{ExceptionView, FrameView};

#[component]
pub fn Exceptions(exceptions: Vec<ExceptionView>) -> impl IntoView {
    let chained = exceptions.len() > 1;
    let items = exceptions
        .into_iter()
        .rev()
        .enumerate()
        .map(|(i, exception)| {
            let caused = chained && i > 0;
            view! { <ExceptionItem exception caused/> }
        })
        .collect_view();
    view! {
        <section class="card exception-card" aria-labelledby="exception-title">
            <h2 id="exception-title" class="card-title">
                {if chained { "Exceptions" } else { "Exception" }}
            </h2>
            {chained.then(|| view! {
                <p class="muted exception-order">"The raised exception first, then the ones that caused it."</p>
            })}
            <div class="exception-chain">{items}</div>
        </section>
    }
}

#[component]
fn ExceptionItem(exception: ExceptionView, caused: bool) -> impl IntoView {
    let heading = exception.heading();
    view! {
        <article class="exception">
            {caused.then(|| view! { <p class="exception-cause">"Caused"</p> })}
            <h3 class="exception-heading mono">{heading}</h3>
            <p class="exception-meta">
                {exception.module.clone().map(|module| view! { <span class="mono muted">{module}</span> })}
                {exception.mechanism.clone().map(|mechanism| view! {
                    <span class="badge" title="How the SDK caught it">{mechanism}</span>
                })}
                {exception.handled.map(|handled| if handled {
                    view! { <span class="badge badge-ok">"handled"</span> }.into_any()
                } else {
                    view! { <span class="badge badge-danger">"unhandled"</span> }.into_any()
                })}
            </p>
            {(!exception.frames.is_empty()).then(|| view! {
                <Frames frames=exception.frames.clone() omitted=exception.frames_omitted/>
            })}
        </article>
    }
}

/// A thread's frames when no exception carried a trace.
#[component]
pub fn StackTrace(frames: Vec<FrameView>) -> impl IntoView {
    view! {
        <section class="card exception-card" aria-labelledby="trace-title">
            <h2 id="trace-title" class="card-title">"Stack trace"</h2>
            <Frames frames omitted=0/>
        </section>
    }
}

/// Frames innermost first. Data holds them outermost first. The app's own frames are open;
/// when the SDK marked none as the app's (it could not tell, say a script run from outside
/// its project), the innermost frame is, as that is where the error was raised.
#[component]
fn Frames(frames: Vec<FrameView>, omitted: usize) -> impl IntoView {
    let total = frames.len();
    let in_app = frames.iter().filter(|f| f.in_app).count();
    let items = frames
        .into_iter()
        .rev()
        .enumerate()
        .map(|(i, frame)| {
            let open = frame.in_app || (in_app == 0 && i == 0);
            view! { <Frame frame open/> }
        })
        .collect_view();
    view! {
        <p class="frames-summary muted">
            {format!(
                "{total} frame{}, {in_app} in your code; the innermost first.",
                if total == 1 { "" } else { "s" }
            )}
            {(omitted > 0).then(|| format!(" {omitted} more were left out by the SDK or the limits."))}
        </p>
        <ol class="frames">{items}</ol>
    }
}

#[component]
fn Frame(frame: FrameView, open: bool) -> impl IntoView {
    let source = frame.source();
    let has_body = !source.is_empty() || frame.vars.is_some();
    let location = frame.location();
    let function = frame.function_name().to_string();
    let summary = view! {
        <span class="frame-function mono">{function}</span>
        <span class="frame-location mono">{format!(" in {location}")}</span>
        {frame.in_app.then(|| view! { <span class="badge badge-accent frame-badge">"in app"</span> })}
    };
    if !has_body {
        return view! {
            <li class="frame" class:is-app=frame.in_app>
                <div class="frame-head frame-head-plain">{summary}</div>
            </li>
        }
        .into_any();
    }
    let has_source = !source.is_empty();
    let lines = source
        .into_iter()
        .map(|line| {
            view! {
                <div class="source-line" class:is-current=line.current>
                    <span class="source-number">{line.number.map(|n| n.to_string()).unwrap_or_default()}</span>
                    <code class="source-text">{line.text}</code>
                </div>
            }
        })
        .collect_view();
    let vars = frame.vars.clone().map(|vars| {
        view! {
            <details class="frame-vars">
                <summary>"Local variables"</summary>
                <pre class="code-block">{vars}</pre>
            </details>
        }
    });
    view! {
        <li class="frame" class:is-app=frame.in_app>
            <details class="frame-details" open=open>
                <summary class="frame-head">{summary}</summary>
                <div class="frame-body">
                    {has_source.then(|| view! {
                        <div class="frame-source mono" role="group" aria-label="Source around the line">{lines}</div>
                    })}
                    {vars}
                </div>
            </details>
        </li>
    }
    .into_any()
}
