//! The applications' chart, under the lag chart when the lab has applications: a lane
//! per application showing the server it was connected to, the window in which its
//! writes failed and the acknowledged writes a promotion lost, from the timeline's
//! samples (`timeline::app_lanes`), so scrubbing and a replayed link draw the same;
//! and the same numbers in words under it.

mod draw;

use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::handle::LabHandle;
use super::lag_chart::{chart_style, WINDOW_SECS};
use super::resize::use_size;
use crate::timeline::{app_lanes, Lab};
pub use draw::{draw_apps, AppChartData};

/// The chart's data: the lanes over the lag chart's window (the last minute).
fn chart_data(l: &Lab) -> AppChartData {
    let all = l.samples();
    let last = all.last().map_or(0.0, |s| s.at.as_secs_f64());
    let start = all
        .first()
        .map_or(0.0, |s| s.at.as_secs_f64())
        .max(last - WINDOW_SECS);
    AppChartData {
        x: (start, last.max(start + 10.0)),
        lanes: app_lanes(l, start),
    }
}

/// One application's line under the chart.
fn summary(lane: &crate::timeline::AppLane) -> String {
    let mut parts = vec![match lane.runs.last().and_then(|r| r.2.as_deref()) {
        Some(s) => format!("on {s}"),
        None => "not connected".to_string(),
    }];
    if let Some(w) = lane.failed.last() {
        parts.push(format!(
            "writes failed {:.1}–{:.1} s ({})",
            w.from, w.to, w.writes
        ));
    }
    if lane.lost_total > 0 {
        parts.push(format!(
            "{} acknowledged write{} lost",
            lane.lost_total,
            if lane.lost_total == 1 { "" } else { "s" }
        ));
    }
    format!("{}: {}", lane.name, parts.join(" · "))
}

/// The chart and its lines, shown while the lab has applications.
#[component]
pub fn AppChart() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let canvas = NodeRef::<Canvas>::new();
    let canvas_box = NodeRef::<Div>::new();
    let size = use_size(canvas_box);
    let data = Memo::new(move |_| lab.with(chart_data));
    let has_apps = Memo::new(move |_| data.with(|d| !d.lanes.is_empty()));
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let Some((w, h)) = size.get() else { return };
        let dpr = window().device_pixel_ratio().max(1.0);
        let (pw, ph) = ((w * dpr) as u32, (h * dpr) as u32);
        if pw < 50 || ph < 20 {
            return;
        }
        if c.width() != pw || c.height() != ph {
            c.set_width(pw);
            c.set_height(ph);
        }
        let style = chart_style(dpr);
        if let Some(backend) = CanvasBackend::with_canvas_object(c) {
            let area = backend.into_drawing_area();
            data.with(|d| {
                let _ = draw_apps(&area, d, &style);
            });
            let _ = area.present();
        }
    });
    view! {
        <Show when=move || has_apps.get()>
            <section class="app-chart" aria-label="Applications chart" data-testid="app-chart">
                <h2 class="pane-title" title="Each application's server over virtual time, its failed writes (red) and the acknowledged writes a promotion lost">
                    "Applications"
                </h2>
                <div
                    class="app-canvas-box"
                    node_ref=canvas_box
                    style=move || format!("height:{}px", 34 + 28 * data.with(|d| d.lanes.len()))
                >
                    <canvas node_ref=canvas class="app-canvas" role="img" aria-label="Applications over virtual time"></canvas>
                </div>
                <ul class="app-lines">
                    {move || {
                        data.with(|d| {
                            d.lanes
                                .iter()
                                .map(|l| {
                                    let w = l.failed.last();
                                    view! {
                                        <li
                                            data-testid="app-chart-row"
                                            data-app=l.name.clone()
                                            data-failed=w.map(|w| w.writes.to_string()).unwrap_or_default()
                                            data-failed-from=w.map(|w| format!("{:.1}", w.from)).unwrap_or_default()
                                            data-failed-to=w.map(|w| format!("{:.1}", w.to)).unwrap_or_default()
                                            data-lost=l.lost_total.to_string()
                                        >
                                            {summary(l)}
                                        </li>
                                    }
                                })
                                .collect_view()
                        })
                    }}
                </ul>
            </section>
        </Show>
    }
}
