//! Drawing the chart: pure and generic over plotters' `DrawingBackend`, so the same
//! series and style draw the same picture on a canvas or in an SVG.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::series::LagSeries;
use crate::ui::format;

/// Okabe-Ito colours: told apart by colour-blind eyes.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

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
        .x_label_area_size(if plot.dim_in_pixel().1 > style.font_px * 14 {
            style.font_px * 3 + style.font_px / 2
        } else {
            style.font_px * 2
        })
        .y_label_area_size(style.font_px * 6)
        .build_cartesian_2d(data.x.0..data.x.1, 0.0..data.y_max)?;
    let (x_title, y_title) = axis_titles(data);
    // The x labels carry their unit (`10 s`, `1:30`); the title only where there is room.
    let x_title = if plot.dim_in_pixel().1 > style.font_px * 14 {
        x_title
    } else {
        String::new()
    };
    chart
        .configure_mesh()
        .x_desc(x_title)
        .y_desc(y_title)
        .axis_desc_style(font.clone())
        .x_labels(((plot.dim_in_pixel().0 / (style.font_px * 6)) as usize).clamp(2, 6))
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
        // On one line where it fits, else on two, each centred.
        let (tw, th) = plot.estimate_text_size(note, &font)?;
        let lines: &[&str] = if tw + 2 * style.font_px <= w {
            &[note]
        } else {
            &["No standby yet:", "its lag appears here once it streams."]
        };
        for (i, line) in lines.iter().enumerate() {
            let (lw, _) = plot.estimate_text_size(line, &font)?;
            plot.draw(&Text::new(
                *line,
                (
                    (w as i32 - lw as i32).max(0) / 2,
                    h as i32 / 3 + i as i32 * (th as i32 * 5 / 4),
                ),
                font.clone(),
            ))?;
        }
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

/// The axes' titles: what is measured, and in which unit.
pub fn axis_titles(data: &LagSeries) -> (String, String) {
    let y = match data.unit {
        crate::share::ChartUnit::Bytes => format!("WAL not yet replayed ({})", data.y_unit),
        crate::share::ChartUnit::Seconds => format!("replay_lag ({})", data.y_unit),
    };
    ("virtual time (last minute)".to_string(), y)
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
