//! The volume histogram above the log table: bars stacked by level, in SVG. Clicking a bar
//! or dragging across several zooms the view to that span.
use leptos::prelude::*;

use crate::model::{
    Level,
    logs::{Histogram, local_time},
};

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 120.0;
/// Bottom to top: the levels people look for first sit on the axis.
const STACK: [Level; 6] = [
    Level::Fatal,
    Level::Error,
    Level::Warn,
    Level::Info,
    Level::Debug,
    Level::Trace,
];

#[component]
pub fn VolumeChart(
    #[prop(into)] histogram: Signal<Histogram>,
    /// The browser's zone, minutes east of UTC.
    #[prop(into)]
    offset_min: Signal<i32>,
    /// Called with `[start, end)` in UTC µs when the user picks a span.
    on_zoom: Callback<(i64, i64)>,
) -> impl IntoView {
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    // The bucket where a drag started, and where it is now.
    let drag = RwSignal::new(None::<(usize, usize)>);
    let buckets = move || histogram.with(|h| h.counts.len()).max(1);
    let bucket_at = move |x: i32| -> usize {
        let width = svg_ref
            .get_untracked()
            .map(|svg| svg.client_width())
            .unwrap_or(1)
            .max(1);
        let n = buckets();
        ((f64::from(x.max(0)) / f64::from(width)) * n as f64)
            .floor()
            .clamp(0.0, (n - 1) as f64) as usize
    };
    let finish = move || {
        if let Some((a, b)) = drag.get_untracked() {
            let (lo, hi) = (a.min(b), a.max(b));
            let h = histogram.get_untracked();
            let start = h.start_us + lo as i64 * h.bucket_us;
            let end = h.start_us + (hi as i64 + 1) * h.bucket_us;
            on_zoom.run((start, end));
        }
        drag.set(None);
    };
    let bars = move || {
        let h = histogram.get();
        let n = h.counts.len().max(1) as f64;
        let max = h
            .counts
            .iter()
            .map(|c| c.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let bar_w = WIDTH / n;
        let offset = offset_min.get();
        h.counts
            .iter()
            .enumerate()
            .map(|(i, counts)| {
                let x = i as f64 * bar_w;
                let mut y = HEIGHT;
                let total: u64 = counts.iter().sum();
                let from = h.start_us + i as i64 * h.bucket_us;
                let title = format!(
                    "{} – {}: {} lines, {} errors",
                    local_time(from, offset, true),
                    local_time(from + h.bucket_us, offset, false),
                    total,
                    counts[Level::Error as usize] + counts[Level::Fatal as usize]
                );
                let segments = STACK
                    .iter()
                    .filter(|level| counts[**level as usize] > 0)
                    .map(|level| {
                        let height = counts[*level as usize] as f64 / max * (HEIGHT - 4.0);
                        y -= height;
                        view! {
                            <rect
                                class=format!("bar bar-{}", level.name())
                                x=format!("{:.2}", x + bar_w * 0.08)
                                y=format!("{y:.2}")
                                width=format!("{:.2}", bar_w * 0.84)
                                height=format!("{:.2}", height.max(0.5))
                            ></rect>
                        }
                    })
                    .collect_view();
                view! {
                    <g class="bucket">
                        <title>{title}</title>
                        <rect class="bucket-hit" x=format!("{x:.2}") y="0" width=format!("{bar_w:.2}") height=HEIGHT></rect>
                        {segments}
                    </g>
                }
            })
            .collect_view()
    };
    let selection = move || {
        drag.get().map(|(a, b)| {
            let bar_w = WIDTH / buckets() as f64;
            let (lo, hi) = (a.min(b), a.max(b));
            view! {
                <rect class="chart-selection" x=format!("{:.2}", lo as f64 * bar_w) y="0"
                    width=format!("{:.2}", (hi - lo + 1) as f64 * bar_w) height=HEIGHT></rect>
            }
        })
    };
    let axis = move || {
        let h = histogram.get();
        let offset = offset_min.get();
        let end = h.end_us();
        let mid = h.start_us + (end - h.start_us) / 2;
        let max = h
            .counts
            .iter()
            .map(|c| c.iter().sum::<u64>())
            .max()
            .unwrap_or(0);
        view! {
            <div class="chart-axis mono">
                <span>{local_time(h.start_us, offset, true)}</span>
                <span>{local_time(mid, offset, true)}</span>
                <span>{local_time(end, offset, true)}</span>
            </div>
            <p class="visually-hidden">{format!("Busiest bar: {max} lines")}</p>
        }
    };
    view! {
        <figure class="volume-chart" aria-label="Lines over time by level">
            <svg
                node_ref=svg_ref
                class="chart"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                preserveAspectRatio="none"
                role="img"
                aria-label="Volume histogram: drag across bars to zoom"
                on:pointerdown=move |ev| {
                    let i = bucket_at(ev.offset_x());
                    drag.set(Some((i, i)));
                }
                on:pointermove=move |ev| {
                    if let Some((a, _)) = drag.get_untracked() {
                        drag.set(Some((a, bucket_at(ev.offset_x()))));
                    }
                }
                on:pointerup=move |_| finish()
                on:pointerleave=move |_| drag.set(None)
            >
                {bars}
                {selection}
            </svg>
            {axis}
        </figure>
    }
}
