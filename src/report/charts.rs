//! Charts as SVG strings, drawn with plotters (SVG backend: no system fonts or libraries).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::stats::Interval;

/// Colours that stay distinguishable side by side (Tableau 10), cycled beyond ten.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of series `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Errors of drawing (plotters' errors carry the backend type; only the message matters here).
#[derive(Debug, thiserror::Error)]
#[error("chart {chart}: {message}")]
pub struct ChartError {
    chart: &'static str,
    message: String,
}

fn fail<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError { chart, message: e.to_string() }
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

/// An axis tick: whole numbers only on a count axis, else one decimal.
fn axis_number(v: f64, counts: bool) -> String {
    match counts {
        true if (v - v.round()).abs() < 1e-9 => format!("{v:.0}"),
        true => String::new(),
        false => format!("{v:.1}"),
    }
}

/// What a heatmap's cells hold, which says how they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// Shares of documents, written as percentages.
    Shares,
    /// Similarities from 0 to 1, written with two decimals.
    Similarities,
}

impl Cells {
    fn write(self, v: f64) -> String {
        match self {
            Cells::Shares => crate::stats::percent(v),
            Cells::Similarities => format!("{v:.2}"),
        }
    }
}

/// Pixels a label of `chars` characters takes at 11 px sans-serif (measured on plotters' SVG:
/// about 6.2 px a character), with a margin.
fn label_room(labels: &[String]) -> u32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(LABEL_CHARS);
    (longest as f64 * 6.2) as u32 + 16
}

/// Labels are written whole up to this many characters.
const LABEL_CHARS: usize = 60;

/// Horizontal bars, top to bottom in the order given; negative values (z-scores) extend left
/// in another colour.
pub fn bars(title: &str, x_desc: &str, labels: &[String], values: &[f64]) -> Result<String, ChartError> {
    const NAME: &str = "bars";
    let n = labels.len().max(1);
    // Room for caption and axis even with a single bar.
    let height = (80 + 22 * n).max(170) as u32;
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.05;
    let min = values.iter().copied().fold(0.0, f64::min) * 1.05;
    // Counts are shown on a whole-number axis: "10", not "10.0", and no tick at 2.5 pages.
    let counts = values.iter().all(|v| v.fract() == 0.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fail(NAME))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(300)
            .build_cartesian_2d(min..max, (0..n).into_segmented())
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(n - 1 - i).map(|l| shorten(l, 48)).unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(x_desc)
            .x_label_formatter(&|v| axis_number(*v, counts))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(fail(NAME))?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, &v)| {
                let row = n - 1 - i;
                let fill = if v < 0.0 { colour(3) } else { colour(0) };
                let mut bar =
                    Rectangle::new([(0.0, SegmentValue::Exact(row)), (v, SegmentValue::Exact(row + 1))], fill.filled());
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .map_err(fail(NAME))?;
        root.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

/// A heatmap of `values[row][col]`, shaded from white (0) to deep blue (the maximum), each cell
/// written where it fits, a colour scale under the caption and every label whole (up to
/// [`LABEL_CHARS`] characters).
pub fn heatmap(
    title: &str,
    rows: &[String],
    cols: &[String],
    values: &[Vec<f64>],
    cells: Cells,
) -> Result<String, ChartError> {
    const NAME: &str = "heatmap";
    const CELL: u32 = 46;
    let (nr, nc) = (rows.len().max(1), cols.len().max(1));
    let max = values.iter().flatten().copied().fold(0.0, f64::max).max(1e-9);
    let shade = |v: f64| {
        let t = (v / max).clamp(0.0, 1.0);
        RGBColor((255.0 - 222.0 * t) as u8, (255.0 - 160.0 * t) as u8, (255.0 - 75.0 * t) as u8)
    };
    let (left, bottom) = (label_room(rows), label_room(cols));
    let scale_height = 34;
    // As wide as its title too (about 9.6 px a character at 18 px): a few columns under a long
    // title cut it at both ends.
    let width = (left + 24 + CELL * nc as u32).max((title.chars().count() as f64 * 9.6) as u32 + 24);
    let height = 40 + scale_height + bottom + 22 * nr as u32;
    let mut svg = String::new();
    {
        let canvas = SVGBackend::with_string(&mut svg, (width.max(360), height.max(220))).into_drawing_area();
        canvas.fill(&WHITE).map_err(fail(NAME))?;
        let root = canvas.titled(title, ("sans-serif", 18)).map_err(fail(NAME))?;
        let (scale, body) = root.split_vertically(scale_height);
        // The colour scale: ten steps from 0 to the maximum, its ends written.
        let step = 18;
        for k in 0..10 {
            let v = max * k as f64 / 9.0;
            let x = 8 + k * step;
            scale.draw(&Rectangle::new([(x, 6), (x + step, 20)], shade(v).filled())).map_err(fail(NAME))?;
        }
        let font = ("sans-serif", 11).into_font();
        scale.draw(&Text::new(cells.write(0.0), (8, 22), font.clone())).map_err(fail(NAME))?;
        let high = cells.write(max);
        scale.draw(&Text::new(high, (8 + 10 * step - 6, 22), font.clone())).map_err(fail(NAME))?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(bottom)
            .y_label_area_size(left)
            .build_cartesian_2d((0..nc).into_segmented(), (0..nr).into_segmented())
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nc)
            .y_labels(nr)
            // The columns' labels are drawn below, turned.
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => rows.get(nr - 1 - i).map(|l| shorten(l, LABEL_CHARS)).unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_style(("sans-serif", 11))
            .draw()
            .map_err(fail(NAME))?;
        let cell = |r: usize, c: usize| {
            let y = nr - 1 - r;
            [(SegmentValue::Exact(c), SegmentValue::Exact(y)), (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1))]
        };
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, &v)| Rectangle::new(cell(r, c), shade(v).filled()))
            }))
            .map_err(fail(NAME))?;
        // Each column's label read downwards from the axis. plotters centres a turned axis label
        // on its tick, which cuts a long one off at the top, so they are placed here from their
        // start.
        let turned = ("sans-serif", 11)
            .into_font()
            .transform(FontTransform::Rotate90)
            .into_text_style(&canvas)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (c, name) in cols.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(c), SegmentValue::Exact(0)));
            canvas.draw(&Text::new(shorten(name, LABEL_CHARS), (x, y + 6), turned.clone())).map_err(fail(NAME))?;
        }
        // The value in each cell, dark on light cells and white on dark ones.
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, &v)| {
                    let ink = if v / max > 0.55 { WHITE } else { BLACK };
                    let style = ("sans-serif", 10).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                    Text::new(cells.write(v), (SegmentValue::CenterOf(c), SegmentValue::CenterOf(nr - 1 - r)), style)
                })
            }))
            .map_err(fail(NAME))?;
        canvas.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

/// Small multiples: one panel per series, side by side on the same axes, each a line through
/// its values with its interval shaded (one optional interval per x label; a missing one breaks
/// the line: no value is no zero) and the series' name over it.
pub fn bands(
    title: &str,
    y_desc: &str,
    x_desc: &str,
    x_labels: &[String],
    names: &[String],
    series: &[Vec<Option<Interval>>],
) -> Result<String, ChartError> {
    const NAME: &str = "bands";
    const COLUMNS: usize = 2;
    const PANEL: (u32, u32) = (410, 230);
    let nx = x_labels.len().max(2);
    let max = series.iter().flatten().flatten().map(|v| v.high).fold(0.0, f64::max).max(1e-9) * 1.05;
    let rows = names.len().div_ceil(COLUMNS).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (PANEL.0 * COLUMNS as u32, 36 + PANEL.1 * rows as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(fail(NAME))?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(fail(NAME))?;
        let panels = root.split_evenly((rows, COLUMNS));
        for (i, ((name, values), panel)) in names.iter().zip(series).zip(&panels).enumerate() {
            let mut chart = ChartBuilder::on(panel)
                .caption(shorten(name, 60), ("sans-serif", 12))
                .margin(6)
                .margin_right(18)
                .x_label_area_size(36)
                .y_label_area_size(48)
                .build_cartesian_2d(0..nx - 1, 0.0..max)
                .map_err(fail(NAME))?;
            // Axis names once: shares on the first column, periods on the last row.
            let (first_column, last_row) = (i % COLUMNS == 0, i / COLUMNS == rows - 1);
            chart
                .configure_mesh()
                .x_labels(nx.min(8))
                .x_label_formatter(&|i| x_labels.get(*i).cloned().unwrap_or_default())
                .y_labels(5)
                .y_label_formatter(&|v| crate::stats::percent(*v))
                .y_desc(if first_column { y_desc } else { "" })
                .x_desc(if last_row { x_desc } else { "" })
                .label_style(("sans-serif", 10))
                .draw()
                .map_err(fail(NAME))?;
            let style = ShapeStyle::from(colour(i)).stroke_width(2);
            // One polygon and one line per run of periods with a value.
            let runs = values
                .iter()
                .enumerate()
                .collect::<Vec<_>>()
                .split(|(_, v)| v.is_none())
                .map(|run| run.iter().map(|&(x, v)| (x, v.expect("runs hold values"))).collect::<Vec<_>>())
                .filter(|run| !run.is_empty())
                .collect::<Vec<_>>();
            for run in &runs {
                let outline: Vec<(usize, f64)> =
                    run.iter().map(|&(x, v)| (x, v.high)).chain(run.iter().rev().map(|&(x, v)| (x, v.low))).collect();
                chart.draw_series(std::iter::once(Polygon::new(outline, colour(i).mix(0.18)))).map_err(fail(NAME))?;
                chart
                    .draw_series(run.iter().map(|&(x, v)| Circle::new((x, v.value), 3, style.filled())))
                    .map_err(fail(NAME))?;
                chart
                    .draw_series(LineSeries::new(run.iter().map(|&(x, v)| (x, v.value)), style))
                    .map_err(fail(NAME))?;
            }
        }
        root.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

/// Characters of a map label's line; longer labels wrap onto a second line.
const MAP_LINE: usize = 26;

/// A theme's label wrapped at words into lines of at most [`MAP_LINE`] characters (a word
/// longer than that stands alone).
fn wrap(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= MAP_LINE => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The document map: every point coloured by its group, and each group's name written at its
/// centre (`centres`, in the points' coordinates) on a light box, moved up or down where it
/// would cover a name already written. The axes have no unit and are not drawn: near means
/// alike.
pub fn map(
    title: &str,
    points: &[[f32; 2]],
    groups: &[usize],
    names: &[String],
    centres: &[Option<[f32; 2]>],
) -> Result<String, ChartError> {
    const NAME: &str = "map";
    const SIZE: (u32, u32) = (900, 720);
    const MARGIN: f64 = 24.0;
    const LINE: f64 = 14.0;
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points {
        let (x, y) = (f64::from(p[0]), f64::from(p[1]));
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if points.is_empty() || x0 >= x1 || y0 >= y1 {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let mut svg = String::new();
    {
        let canvas = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        canvas.fill(&WHITE).map_err(fail(NAME))?;
        let root = canvas.titled(title, ("sans-serif", 18)).map_err(fail(NAME))?;
        let (w, h) = root.dim_in_pixel();
        let at = |p: [f32; 2]| {
            let x = MARGIN + (f64::from(p[0]) - x0) / (x1 - x0) * (f64::from(w) - 2.0 * MARGIN);
            let y = f64::from(h) - MARGIN - (f64::from(p[1]) - y0) / (y1 - y0) * (f64::from(h) - 2.0 * MARGIN);
            (x as i32, y as i32)
        };
        let radius = if points.len() > 3_000 { 2 } else { 3 };
        for (p, &g) in points.iter().zip(groups) {
            root.draw(&Circle::new(at(*p), radius, colour(g).mix(0.6).filled())).map_err(fail(NAME))?;
        }
        root.draw(&Text::new(
            "Pages close together read alike; the axes have no unit.",
            (8, h as i32 - 16),
            ("sans-serif", 11).into_font().color(&BLACK.mix(0.6)),
        ))
        .map_err(fail(NAME))?;
        // Larger themes first, so they keep their place and smaller ones move.
        let mut sizes = vec![0usize; names.len()];
        for &g in groups.iter().filter(|&&g| g < names.len()) {
            sizes[g] += 1;
        }
        let mut order: Vec<usize> = (0..names.len()).filter(|&g| centres.get(g).copied().flatten().is_some()).collect();
        order.sort_by_key(|&g| std::cmp::Reverse(sizes[g]));
        let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
        for g in order {
            let Some(centre) = centres[g] else { continue };
            let lines = wrap(&names[g]);
            let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * 6.2 + 8.0;
            let height = lines.len() as f64 * LINE + 4.0;
            let (cx, cy) = at(centre);
            let overlaps =
                |x: f64, y: f64| taken.iter().any(|&(a, b, c, d)| x < c && x + width > a && y < d && y + height > b);
            let fits = |x: f64, y: f64| x >= 0.0 && y >= 0.0 && x + width <= f64::from(w) && y + height <= f64::from(h);
            let left = (f64::from(cx) - width / 2.0).clamp(0.0, (f64::from(w) - width).max(0.0));
            let top = f64::from(cy) - height / 2.0;
            let (x, y) = (0..40)
                .map(|step| {
                    let shift = (step as f64 / 2.0).ceil() * (height / 2.0 + 2.0);
                    (left, if step % 2 == 0 { top + shift } else { top - shift })
                })
                .find(|&(x, y)| fits(x, y) && !overlaps(x, y))
                .unwrap_or((left, top.clamp(0.0, (f64::from(h) - height).max(0.0))));
            taken.push((x, y, x + width, y + height));
            let corner = |dx: f64, dy: f64| ((x + dx) as i32, (y + dy) as i32);
            root.draw(&Rectangle::new([corner(0.0, 0.0), corner(width, height)], WHITE.mix(0.82).filled()))
                .map_err(fail(NAME))?;
            root.draw(&Rectangle::new([corner(0.0, 0.0), corner(width, height)], colour(g).stroke_width(1)))
                .map_err(fail(NAME))?;
            for (k, line) in lines.iter().enumerate() {
                let style = ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Top));
                root.draw(&Text::new(line.clone(), corner(4.0, 3.0 + k as f64 * LINE), style)).map_err(fail(NAME))?;
            }
        }
        canvas.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_draw_every_label_as_svg_text() {
        let svg = bars("Sizes", "documents", &["water".into(), "solar <energy>".into()], &[10.0, 4.0]).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("water"));
        assert!(svg.contains("solar &lt;energy&gt;"), "labels are escaped by the SVG backend");
        assert!(svg.contains("<rect"));
    }

    /// The texts an SVG shows.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim().to_string()))
            .collect()
    }

    #[test]
    fn counts_have_whole_ticks_and_a_heatmap_writes_its_cells_scale_and_whole_labels() {
        let shown = texts(&bars("Pages", "pages", &["a".into(), "b".into()], &[3.0, 1.0]).unwrap());
        assert!(shown.contains(&"2".into()) && !shown.iter().any(|t| t.contains('.')), "whole ticks only: {shown:?}");
        let rows = vec!["Waste management and recycling".to_string()];
        let cols = vec!["Guinea-Bissau".to_string(), "Saint Vincent and the Grenadines".to_string()];
        let shown = texts(&heatmap("Shares", &rows, &cols, &[vec![0.13, 0.004]], Cells::Shares).unwrap());
        assert!(shown.contains(&"13%".into()) && shown.contains(&"&lt;1%".into()), "each cell's value: {shown:?}");
        assert!(shown.contains(&"0%".into()), "the scale's low end");
        for label in rows.iter().chain(&cols) {
            assert!(shown.contains(label), "{label} written whole");
        }
        let similar = [vec![1.0, 0.25], vec![0.25, 1.0]];
        let shown = texts(&heatmap("Similarity", &cols, &cols, &similar, Cells::Similarities).unwrap());
        assert!(shown.contains(&"0.25".into()) && shown.contains(&"1.00".into()), "{shown:?}");
    }

    #[test]
    fn the_map_writes_every_theme_name_whole_and_apart() {
        let points: Vec<[f32; 2]> = (0..40).map(|i| [(i % 2) as f32 * 0.01, (i / 2) as f32 * 0.001]).collect();
        let groups: Vec<usize> = (0..40).map(|i| i % 2).collect();
        let names = vec!["1. Waste management and recycling of plastics".to_string(), "2. Solar energy".to_string()];
        // Both centres at nearly the same spot: the second label must move off the first.
        let svg = map("Map", &points, &groups, &names, &[Some([0.0, 0.01]), Some([0.01, 0.01])]).unwrap();
        let shown = texts(&svg);
        for word in ["1. Waste management and", "recycling of plastics", "2. Solar energy"] {
            assert!(shown.contains(&word.to_string()), "{word} in {shown:?}");
        }
        let boxes: Vec<&str> = svg
            .split("<rect")
            .skip(2)
            .filter(|r| r.contains("opacity=\"0.82\"") || r.contains("fill-opacity=\"0.82\""))
            .collect();
        assert_eq!(boxes.len(), 2, "one box per label");
        assert_eq!(
            wrap("a verylongwordthatdoesnotfitononelineatall b"),
            vec!["a", "verylongwordthatdoesnotfitononelineatall", "b"]
        );
    }

    #[test]
    fn charts_survive_empty_and_flat_data() {
        assert!(heatmap("h", &[], &[], &[], Cells::Shares).is_ok());
        let band = |low, value, high| Some(Interval { low, value, high });
        let gap = vec![band(0.1, 0.2, 0.3), None, band(0.0, 0.1, 0.4)];
        assert!(bands("b", "share", "year", &["2020".into()], &["a".into()], &[vec![None]]).is_ok());
        assert!(
            bands("b", "share", "year", &["2020".into(), "2021".into(), "2022".into()], &["a".into()], &[gap]).is_ok()
        );
        assert!(map("m", &[[0.0, 0.0]], &[0], &["a".into()], &[Some([0.0, 0.0])]).is_ok());
    }
}
