//! Charts as SVG strings, drawn with plotters (SVG backend: no system fonts or libraries).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

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

/// The legend box shared by line and scatter charts (top right, translucent).
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    name: &'static str,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(fail(name))
}

/// Horizontal bars, top to bottom in the order given; negative values (z-scores) extend left
/// in another colour.
pub fn bars(title: &str, x_desc: &str, labels: &[String], values: &[f64]) -> Result<String, ChartError> {
    const NAME: &str = "bars";
    let n = labels.len().max(1);
    // Room for caption and axis even with a single bar.
    let height = (80 + 22 * n).max(170) as u32;
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.05;
    let min = values.iter().copied().fold(0.0, f64::min) * 1.05;
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

/// A heatmap of `values[row][col]` (0..=1 after scaling by the maximum) with labelled axes.
pub fn heatmap(title: &str, rows: &[String], cols: &[String], values: &[Vec<f64>]) -> Result<String, ChartError> {
    const NAME: &str = "heatmap";
    let (nr, nc) = (rows.len().max(1), cols.len().max(1));
    let max = values.iter().flatten().copied().fold(0.0, f64::max).max(1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, ((320 + 46 * nc) as u32, (140 + 22 * nr).max(220) as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(fail(NAME))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(90)
            .y_label_area_size(290)
            .build_cartesian_2d((0..nc).into_segmented(), (0..nr).into_segmented())
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nc)
            .y_labels(nr)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => cols.get(*i).map(|l| shorten(l, 16)).unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => rows.get(nr - 1 - i).map(|l| shorten(l, 44)).unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_style(("sans-serif", 11).into_font().transform(FontTransform::Rotate90))
            .y_label_style(("sans-serif", 11))
            .draw()
            .map_err(fail(NAME))?;
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, &v)| {
                    let t = v / max;
                    // White to deep blue.
                    let shade =
                        RGBColor((255.0 - 222.0 * t) as u8, (255.0 - 160.0 * t) as u8, (255.0 - 75.0 * t) as u8);
                    let y = nr - 1 - r;
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(c), SegmentValue::Exact(y)),
                            (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1)),
                        ],
                        shade.filled(),
                    )
                })
            }))
            .map_err(fail(NAME))?;
        root.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

/// Each series as a line through its values with a band over its interval (one optional
/// interval per x label; a missing one breaks the line: no value is no zero), with a
/// legend.
pub fn bands(
    title: &str,
    y_desc: &str,
    x_desc: &str,
    x_labels: &[String],
    names: &[String],
    series: &[Vec<Option<Interval>>],
) -> Result<String, ChartError> {
    const NAME: &str = "bands";
    let nx = x_labels.len().max(2);
    let max = series.iter().flatten().flatten().map(|v| v.high).fold(0.0, f64::max).max(1e-9) * 1.05;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(fail(NAME))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .margin_right(48)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(0..nx - 1, 0.0..max)
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .x_labels(nx.min(16))
            .x_label_formatter(&|i| x_labels.get(*i).cloned().unwrap_or_default())
            .y_desc(y_desc)
            .x_desc(x_desc)
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(fail(NAME))?;
        for (i, (name, values)) in names.iter().zip(series).enumerate() {
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
                chart.draw_series(std::iter::once(Polygon::new(outline, colour(i).mix(0.15)))).map_err(fail(NAME))?;
                chart
                    .draw_series(run.iter().map(|&(x, v)| Circle::new((x, v.value), 3, style.filled())))
                    .map_err(fail(NAME))?;
            }
            let mut first = true;
            for run in &runs {
                let drawn = chart
                    .draw_series(LineSeries::new(run.iter().map(|&(x, v)| (x, v.value)), style))
                    .map_err(fail(NAME))?;
                if std::mem::take(&mut first) {
                    drawn
                        .label(shorten(name, 44))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
                }
            }
        }
        draw_legend(&mut chart, NAME)?;
        root.present().map_err(fail(NAME))?;
    }
    Ok(svg)
}

/// A scatter of 2-D points coloured by group, with a legend of group names.
pub fn scatter(title: &str, points: &[(f64, f64)], groups: &[usize], names: &[String]) -> Result<String, ChartError> {
    const NAME: &str = "scatter";
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if points.is_empty() || x0 >= x1 || y0 >= y1 {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let pad = |a: f64, b: f64| (b - a) * 0.05;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 620)).into_drawing_area();
        root.fill(&WHITE).map_err(fail(NAME))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(46)
            .build_cartesian_2d((x0 - pad(x0, x1))..(x1 + pad(x0, x1)), (y0 - pad(y0, y1))..(y1 + pad(y0, y1)))
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .x_desc("first principal component")
            .y_desc("second principal component")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(fail(NAME))?;
        let shown = names.len().min(10);
        for (g, name) in names.iter().enumerate() {
            let style = colour(g).mix(0.75).filled();
            let series = chart
                .draw_series(
                    points
                        .iter()
                        .zip(groups)
                        .filter(|(_, &pg)| pg == g)
                        .map(|(&(x, y), _)| Circle::new((x, y), 3, style)),
                )
                .map_err(fail(NAME))?;
            if g < shown {
                series.label(shorten(name, 36)).legend(move |(x, y)| Circle::new((x + 6, y), 4, style));
            }
        }
        draw_legend(&mut chart, NAME)?;
        root.present().map_err(fail(NAME))?;
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

    #[test]
    fn charts_survive_empty_and_flat_data() {
        assert!(heatmap("h", &[], &[], &[]).is_ok());
        let band = |low, value, high| Some(Interval { low, value, high });
        let gap = vec![band(0.1, 0.2, 0.3), None, band(0.0, 0.1, 0.4)];
        assert!(bands("b", "share", "year", &["2020".into()], &["a".into()], &[vec![None]]).is_ok());
        assert!(
            bands("b", "share", "year", &["2020".into(), "2021".into(), "2022".into()], &["a".into()], &[gap]).is_ok()
        );
        assert!(scatter("s", &[(0.0, 0.0)], &[0], &["a".into()]).is_ok());
    }
}
