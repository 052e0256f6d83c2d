//! The lag chart: each standby's replication lag over virtual time, in bytes or in
//! seconds, and the primary's commit latency while commits wait for a synchronous
//! standby. Drawn with plotters on a canvas from the lab's fixed-interval samples.

use crate::share::ChartUnit;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::format;
use super::handle::{LabHandle, Ui};
use super::persist::download_url;
use crate::timeline::Lab;

/// At most this many points per line; denser samples are merged keeping each bucket's peak.
const MAX_POINTS: usize = 500;

/// Okabe-Ito colours: told apart by colour-blind eyes.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

/// One line of the chart, with gaps where the value was unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub dashed: bool,
    /// Runs of (seconds, value in the axis unit) without gaps.
    pub segments: Vec<Vec<(f64, f64)>>,
}

/// What [`draw_lag`] draws.
#[derive(Clone, Debug, PartialEq)]
pub struct LagSeries {
    pub unit: ChartUnit,
    /// Virtual seconds shown.
    pub x: (f64, f64),
    /// Top of the y axis, in `y_unit`s.
    pub y_max: f64,
    /// `kB`, `MB`, `ms`, `s` ...
    pub y_unit: &'static str,
    pub series: Vec<Series>,
}

/// Colours and sizes, read from the page's theme.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartStyle {
    pub background: RGBColor,
    pub text: RGBColor,
    pub grid: RGBColor,
    pub font_px: u32,
}

/// Draws the chart. Pure: the same series and style draw the same picture on any backend.
pub fn draw_lag<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &LagSeries,
    style: &ChartStyle,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&style.background)?;
    let font = ("sans-serif", style.font_px).into_font().color(&style.text);
    let stroke_of = |i: usize| PALETTE[i % PALETTE.len()].stroke_width(2 + style.font_px / 14);
    // The legend is a strip above the plot, so it never hides a line; it wraps onto
    // more rows when the names do not fit in one.
    let fpx = style.font_px as i32;
    let (width, _) = area.dim_in_pixel();
    let line_len = fpx * 2;
    let mut placed = Vec::new();
    let (mut x, mut row) = (fpx * 5, 0);
    for s in &data.series {
        let (w, h) = area.estimate_text_size(&s.name, &font)?;
        let item = line_len + fpx / 2 + w as i32;
        if x + item > width as i32 && x > fpx * 5 {
            x = fpx * 5;
            row += 1;
        }
        placed.push((x, fpx + row * fpx * 3 / 2, h as i32));
        x += item + fpx * 3 / 2;
    }
    let (legend, plot) = area.split_vertically((fpx * 2 + row * fpx * 3 / 2) as u32);
    for (i, (s, (x, y, h))) in data.series.iter().zip(placed).enumerate() {
        let stroke = stroke_of(i);
        if s.dashed {
            legend.draw(&PathElement::new(
                vec![(x, y), (x + line_len / 3, y)],
                stroke,
            ))?;
            legend.draw(&PathElement::new(
                vec![(x + 2 * line_len / 3, y), (x + line_len, y)],
                stroke,
            ))?;
        } else {
            legend.draw(&PathElement::new(vec![(x, y), (x + line_len, y)], stroke))?;
        }
        legend.draw(&Text::new(
            s.name.clone(),
            (x + line_len + fpx / 2, y - h / 2),
            font.clone(),
        ))?;
    }
    let y_unit = data.y_unit;
    let mut chart = ChartBuilder::on(&plot)
        .margin(style.font_px / 2 + 2)
        .margin_right(style.font_px * 2)
        .x_label_area_size(style.font_px * 2)
        .y_label_area_size(style.font_px * 5)
        .build_cartesian_2d(data.x.0..data.x.1, 0.0..data.y_max)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels((plot.dim_in_pixel().1 / (style.font_px * 3)).clamp(2, 6) as usize)
        .x_label_formatter(&|x| format::clock(*x))
        .y_label_formatter(&|y| format!("{} {y_unit}", trim(*y)))
        .label_style(font.clone())
        .axis_style(style.grid)
        .bold_line_style(style.grid.mix(0.35))
        .light_line_style(style.grid.mix(0.08))
        .max_light_lines(2)
        .draw()?;
    if data.series.is_empty() {
        let (w, h) = plot.dim_in_pixel();
        let note = "No standby yet: its lag appears here once it streams.";
        let (tw, _) = plot.estimate_text_size(note, &font)?;
        plot.draw(&Text::new(
            note,
            ((w as i32 - tw as i32) / 2, h as i32 / 3),
            font.clone(),
        ))?;
    }
    for (i, s) in data.series.iter().enumerate() {
        let stroke = stroke_of(i);
        for run in &s.segments {
            if s.dashed {
                chart.draw_series(DashedLineSeries::new(run.iter().copied(), 8, 6, stroke))?;
            } else {
                chart.draw_series(LineSeries::new(run.iter().copied(), stroke))?;
            }
        }
    }
    Ok(())
}

fn trim(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A line before scaling: name, dashed, (seconds, value) with gaps.
type RawLine = (String, bool, Vec<(f64, Option<f64>)>);

/// The chart's data from the lab's samples, in `unit`.
pub fn lag_series(lab: &Lab, unit: ChartUnit) -> LagSeries {
    let samples = lab.samples();
    // The axis ends at the last sample, so the chart only changes (and is redrawn) when
    // a sample is added, not on every frame.
    let last = samples.last().map_or(0.0, |s| s.at.as_secs_f64());
    let start = samples.first().map_or(0.0, |s| s.at.as_secs_f64());
    let x = (start, last.max(start + 10.0));
    let c = &lab.runner().cluster;
    let mut hosts: Vec<crate::sim::HostId> = Vec::new();
    for s in samples {
        for l in &s.standbys {
            if !hosts.contains(&l.host) {
                hosts.push(l.host);
            }
        }
    }
    hosts.sort();
    // Raw values: bytes, or seconds.
    let mut raw: Vec<RawLine> = hosts
        .iter()
        .map(|h| {
            let pts = samples
                .iter()
                .map(|s| {
                    let l = s.standbys.iter().find(|l| l.host == *h);
                    let v = match unit {
                        ChartUnit::Bytes => l.and_then(|l| l.bytes).map(|b| b as f64),
                        ChartUnit::Seconds => l.and_then(|l| l.replay_lag).map(|d| d.as_secs_f64()),
                    };
                    (s.at.as_secs_f64(), v)
                })
                .collect();
            (c.host(*h).name.clone(), false, pts)
        })
        .collect();
    if unit == ChartUnit::Seconds && samples.iter().any(|s| s.commit_latency.is_some()) {
        let pts = samples
            .iter()
            .map(|s| {
                (
                    s.at.as_secs_f64(),
                    s.commit_latency.map(|d| d.as_secs_f64()),
                )
            })
            .collect();
        raw.push(("commit latency".to_string(), true, pts));
    }
    let peak = raw
        .iter()
        .flat_map(|(_, _, p)| p.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let (div, y_unit) = match unit {
        ChartUnit::Bytes => match peak {
            p if p < 1024.0 => (1.0, "B"),
            p if p < 1024.0 * 1024.0 => (1024.0, "kB"),
            p if p < 1024.0 * 1024.0 * 1024.0 => (1024.0 * 1024.0, "MB"),
            _ => (1024.0 * 1024.0 * 1024.0, "GB"),
        },
        ChartUnit::Seconds => {
            if peak < 1.0 {
                (0.001, "ms")
            } else {
                (1.0, "s")
            }
        }
    };
    let min_top = match unit {
        ChartUnit::Bytes => 1024.0 / div,
        ChartUnit::Seconds => 0.01 / div,
    };
    let series = raw
        .into_iter()
        .map(|(name, dashed, pts)| Series {
            name,
            dashed,
            segments: segments(&pts, div),
        })
        .collect();
    LagSeries {
        unit,
        x,
        y_max: (peak / div * 1.15).max(min_top),
        y_unit,
        series,
    }
}

/// Splits at unknown values and merges to at most [`MAX_POINTS`], keeping peaks.
fn segments(pts: &[(f64, Option<f64>)], div: f64) -> Vec<Vec<(f64, f64)>> {
    let chunk = pts.len().div_ceil(MAX_POINTS).max(1);
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for c in pts.chunks(chunk) {
        let peak = c
            .iter()
            .filter_map(|(_, v)| *v)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        match peak {
            Some(v) => cur.push((c[c.len() - 1].0, v / div)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

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
fn chart_style(dpr: f64) -> ChartStyle {
    ChartStyle {
        background: css_color("--surface", WHITE),
        text: css_color("--text", BLACK),
        grid: css_color("--muted", RGBColor(120, 120, 120)),
        font_px: (14.0 * dpr).round() as u32,
    }
}

/// Draws on the canvas at `size` CSS pixels (as the resize observer last saw it).
fn draw_on(
    canvas: &web_sys::HtmlCanvasElement,
    data: &LagSeries,
    size: (f64, f64),
    style: &ChartStyle,
    dpr: f64,
) {
    let (w, h) = ((size.0 * dpr) as u32, (size.1 * dpr) as u32);
    if w < 50 || h < 50 {
        return;
    }
    // The backend draws in the canvas's own pixels: its width/height attributes.
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    if let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) {
        let area = backend.into_drawing_area();
        let _ = draw_lag(&area, data, style);
        let _ = area.present();
    }
}

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
    Effect::new(move |prev: Option<(u32, f64, ChartStyle)>| {
        let t = theme.get();
        let dpr = window().device_pixel_ratio().max(1.0);
        let style = match prev {
            Some((pt, pd, st)) if pt == t && pd == dpr => st,
            _ => chart_style(dpr),
        };
        let sz = size.get();
        if let Some(c) = canvas.get() {
            data.with(|d| draw_on(&c, d, sz, &style, dpr));
        }
        (t, dpr, style)
    });
    let export = move |_| {
        if let Some(c) = canvas.get_untracked() {
            if let Ok(url) = c.to_data_url() {
                download_url("walscope-lag.png", &url);
            }
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
