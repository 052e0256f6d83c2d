//! Drawing the applications' chart: a lane per application over virtual time, shaded
//! by the server it was connected to (named where it starts), red where its writes
//! failed, and a mark where a promotion lost some of its acknowledged writes. Pure and
//! generic over plotters' `DrawingBackend`, like the lag chart.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::timeline::AppLane;
use crate::ui::format;
use crate::ui::lag_chart::ChartStyle;

/// Colours for the servers, in the order they first appear in the lanes (Okabe-Ito:
/// blue, bluish green, sky blue, yellow, reddish purple).
const SERVERS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(204, 121, 167),
];
/// Failed writes (the theme's danger red).
const FAILED: RGBColor = RGBColor(179, 38, 30);

/// What the chart draws: the lanes and the time shown (virtual seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct AppChartData {
    pub x: (f64, f64),
    pub lanes: Vec<AppLane>,
}

/// Draws the chart. Pure: the same data and style draw the same picture on any backend.
pub fn draw_apps<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &AppChartData,
    style: &ChartStyle,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&style.background)?;
    let font = ("sans-serif", style.font_px).into_font().color(&style.text);
    let white = ("sans-serif", style.font_px).into_font().color(&WHITE);
    let n = data.lanes.len().max(1) as f64;
    let label_w = data
        .lanes
        .iter()
        .map(|l| area.estimate_text_size(&l.name, &font).map_or(0, |s| s.0))
        .max()
        .unwrap_or(0)
        + style.font_px;
    let mut chart = ChartBuilder::on(area)
        .margin(style.font_px / 3 + 1)
        .margin_right(style.font_px)
        .x_label_area_size(style.font_px * 2)
        .y_label_area_size(label_w)
        .build_cartesian_2d(data.x.0..data.x.1, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(((area.dim_in_pixel().0 / (style.font_px * 6)) as usize).clamp(2, 6))
        .x_label_formatter(&|x| format::clock(*x))
        .label_style(font.clone())
        .axis_style(style.grid)
        .bold_line_style(style.grid.mix(0.3))
        .light_line_style(style.grid.mix(0.0))
        .draw()?;
    let mut servers: Vec<&str> = Vec::new();
    for (i, lane) in data.lanes.iter().enumerate() {
        let y0 = n - 1.0 - i as f64;
        let (lo, hi) = (y0 + 0.12, y0 + 0.88);
        let mid = y0 + 0.5;
        let (px, py) = chart.backend_coord(&(data.x.0, mid));
        let (w, h) = area.estimate_text_size(&lane.name, &font)?;
        area.draw(&Text::new(
            lane.name.clone(),
            (px - w as i32 - style.font_px as i32 / 2, py - h as i32 / 2),
            font.clone(),
        ))?;
        for (from, to, server) in &lane.runs {
            let Some(server) = server else { continue };
            let k = servers.iter().position(|s| s == server).unwrap_or_else(|| {
                servers.push(server);
                servers.len() - 1
            });
            let colour = SERVERS[k % SERVERS.len()];
            let (from, to) = (from.max(data.x.0), to.max(data.x.0));
            chart.draw_series([Rectangle::new(
                [(from, lo), (to, hi)],
                colour.mix(0.45).filled(),
            )])?;
            // The server's name where the run starts, when the run is wide enough.
            let (x0, _) = chart.backend_coord(&(from, mid));
            let (x1, _) = chart.backend_coord(&(to, mid));
            let (tw, th) = area.estimate_text_size(server, &font)?;
            if x1 - x0 > tw as i32 + 6 {
                area.draw(&Text::new(
                    server.to_string(),
                    (x0 + 4, py - th as i32 / 2),
                    font.clone(),
                ))?;
            }
        }
        for wnd in &lane.failed {
            let (from, to) = (wnd.from.max(data.x.0), wnd.to.max(data.x.0));
            chart.draw_series([Rectangle::new([(from, lo), (to, hi)], FAILED.filled())])?;
            let text = format!("{} failed", wnd.writes);
            let (x0, _) = chart.backend_coord(&(from, mid));
            let (x1, _) = chart.backend_coord(&(to, mid));
            let (tw, th) = area.estimate_text_size(&text, &white)?;
            if x1 - x0 > tw as i32 + 6 {
                area.draw(&Text::new(
                    text,
                    (x0 + 3, py - th as i32 / 2),
                    white.clone(),
                ))?;
            }
        }
        for (at, lost) in &lane.lost {
            if *at < data.x.0 {
                continue;
            }
            chart.draw_series([PathElement::new(
                vec![(*at, y0), (*at, y0 + 1.0)],
                FAILED.stroke_width(3),
            )])?;
            let text = format!("{lost} lost");
            let (x, _) = chart.backend_coord(&(*at, mid));
            let (tw, th) = area.estimate_text_size(&text, &font)?;
            let (w, _) = area.dim_in_pixel();
            let x = if x + 4 + tw as i32 > w as i32 {
                x - 4 - tw as i32
            } else {
                x + 4
            };
            area.draw(&Rectangle::new(
                [
                    (x - 2, py - th as i32 / 2 - 2),
                    (x + tw as i32 + 2, py + th as i32 / 2 + 2),
                ],
                style.background.filled(),
            ))?;
            area.draw(&Text::new(text, (x, py - th as i32 / 2), font.clone()))?;
        }
    }
    Ok(())
}
