//! The lag chart: each standby's replication lag over virtual time, in bytes or in
//! seconds, and the primary's commit latency while commits wait for a synchronous
//! standby. Drawn with plotters on a canvas from the lab's fixed-interval samples.
//!
//! `series.rs` reads the samples, `draw.rs` draws them; this file holds the component that
//! puts them on a canvas.

mod draw;
mod measured;
mod series;

use crate::share::ChartUnit;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::handle::{LabHandle, Ui};
use super::persist::download_url;
pub use draw::{axis_titles, draw_lag, ChartStyle};
use measured::MeasuredCanvas;
pub use series::{lag_series, LagSeries, WINDOW_SECS};

/// Reads a `--name` colour of the theme (`#rrggbb`).
fn css_color(name: &str, fallback: RGBColor) -> RGBColor {
    let value = window()
        .get_computed_style(
            &document()
                .document_element()
                .expect("a document element")
                .unchecked_into(),
        )
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value(name).ok())
        .unwrap_or_default();
    let hex = value.trim().trim_start_matches('#');
    if hex.len() == 6 {
        if let Ok(v) = u32::from_str_radix(hex, 16) {
            return RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8);
        }
    }
    fallback
}

/// The theme's colours for the chart (reading them makes the browser resolve styles, so
/// this runs when the theme changes, not on every frame).
pub(crate) fn chart_style(dpr: f64) -> ChartStyle {
    ChartStyle {
        background: css_color("--surface", WHITE),
        text: css_color("--text", BLACK),
        grid: css_color("--muted", RGBColor(120, 120, 120)),
        font_px: (14.0 * dpr).round() as u32,
    }
}

/// Draws on the canvas at `size` CSS pixels (as the resize observer last saw it). The
/// theme's colours are read into `style` only once there is something to draw: before
/// the page's first layout (when the chart mounts), reading them would make the browser
/// resolve the styles of a page still being built.
fn draw_on(
    canvas: &web_sys::HtmlCanvasElement,
    data: &LagSeries,
    size: (f64, f64),
    style: &mut Option<ChartStyle>,
    dpr: f64,
) {
    let (w, h) = ((size.0 * dpr) as u32, (size.1 * dpr) as u32);
    if w < 50 || h < 50 {
        return;
    }
    let style = style.get_or_insert_with(|| chart_style(dpr));
    // The backend draws in the canvas's own pixels: its width/height attributes.
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    if let Some(backend) = MeasuredCanvas::new(canvas) {
        let area = backend.into_drawing_area();
        let _ = draw_lag(&area, data, style);
        let _ = area.present();
    }
}

/// The exported PNG's pixels per CSS pixel of the chart on screen.
pub const EXPORT_SCALE: f64 = 2.0;

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut(js_sys::Array)>);

/// The chart with its unit switch and PNG export.
#[component]
pub fn LagChart() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let canvas = NodeRef::<Canvas>::new();
    // The canvas size, from a ResizeObserver: reading it on every frame would force a
    // layout of the page each time.
    let size = RwSignal::new((0.0f64, 0.0f64));
    let observer = StoredValue::new_local(None::<Observer>);
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Ok(e) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                let r = e.content_rect();
                size.set((r.width(), r.height()));
            }
        });
        if let Ok(o) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            o.observe(&c);
            observer.set_value(Some((o, cb)));
        }
    });
    on_cleanup(move || {
        if let Some(Some((o, _cb))) = observer.try_update_value(Option::take) {
            o.disconnect();
        }
    });
    // The colours follow the light/dark theme.
    let theme = RwSignal::new(0u32);
    let scheme = window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten();
    let on_scheme = Closure::<dyn FnMut()>::new(move || theme.update(|n| *n += 1));
    if let Some(m) = &scheme {
        let _ = m.add_event_listener_with_callback("change", on_scheme.as_ref().unchecked_ref());
    }
    let scheme_listener = StoredValue::new_local(Some((scheme, on_scheme)));
    on_cleanup(move || {
        if let Some(Some((Some(m), f))) = scheme_listener.try_update_value(Option::take) {
            let _ = m.remove_event_listener_with_callback("change", f.as_ref().unchecked_ref());
        }
    });
    let data = Memo::new(move |_| {
        let unit = ui.chart_unit.get();
        lab.with(|l| lag_series(l, unit))
    });
    // Drawing on the canvas is talking to the outside world: an effect.
    Effect::new(move |prev: Option<(u32, f64, Option<ChartStyle>)>| {
        let t = theme.get();
        let dpr = window().device_pixel_ratio().max(1.0);
        let mut style = match prev {
            Some((pt, pd, st)) if pt == t && pd == dpr => st,
            _ => None,
        };
        let sz = size.get();
        if let Some(c) = canvas.get() {
            data.with(|d| draw_on(&c, d, sz, &mut style, dpr));
        }
        (t, dpr, style)
    });
    // For slides: drawn again at twice the size on screen, on the theme's opaque
    // background, so it stays sharp on a projector or in a document.
    let export = move |_| {
        let Some(shown) = canvas.get_untracked() else {
            return;
        };
        let (w, h) = (shown.client_width() as f64, shown.client_height() as f64);
        let Some(c) = document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        data.with_untracked(|d| draw_on(&c, d, (w, h), &mut None, EXPORT_SCALE));
        if let Ok(url) = c.to_data_url() {
            download_url("walscope-lag.png", &url);
        }
    };
    let unit_button = move |u: ChartUnit, text: &'static str| {
        view! {
            <button
                role="radio"
                aria-checked=move || (ui.chart_unit.get() == u).to_string()
                data-testid=format!("unit-{}", text)
                on:click=move |_| ui.chart_unit.set(u)
            >
                {text}
            </button>
        }
    };
    view! {
        <section class="chart" aria-label="Replication lag chart">
            <div class="pane-head">
                <h2
                    class="pane-title"
                    title=move || match ui.chart_unit.get() {
                        ChartUnit::Bytes => "pg_wal_lsn_diff(primary flush, standby replay) per standby",
                        ChartUnit::Seconds => "replay_lag from pg_stat_replication per standby, and the primary's commit latency",
                    }
                >
                    "Replication lag"
                </h2>
                <div class="segmented" role="radiogroup" aria-label="Chart unit">
                    {unit_button(ChartUnit::Bytes, "bytes")}
                    {unit_button(ChartUnit::Seconds, "seconds")}
                </div>
                <button data-testid="chart-png" on:click=export aria-label="Download the chart as a PNG image">"PNG"</button>
            </div>
            <canvas
                node_ref=canvas
                class="lag-canvas"
                data-testid="lag-chart"
                role="img"
                aria-label=move || {
                    data.with(|d| {
                        format!(
                            "Lag over virtual time, {}: {}",
                            d.y_unit,
                            d.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    })
                }
            ></canvas>
        </section>
    }
}
