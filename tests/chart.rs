//! The charts drawn to SVG text, checked element by element: what is drawn (and what is
//! not), where, and that the returned projection agrees with the picture.

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::chart::heatmap::viridis;
use roofscale::chart::{
    draw_heatmap, draw_highlight, draw_xy, Axis, AxisSpec, Cell, ColorKey, DrawnChart, Heatmap,
    Highlight, HoverIndex, LegendPlacement, Marker, PixelRect, Projection, Rule, RuleAt, Scale,
    Series, SeriesKind, Shape, Theme, XyChart, PALETTE,
};

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn render<R>(size: (u32, u32), draw: impl FnOnce(&Root) -> R) -> (String, R) {
    let mut svg = String::new();
    let result;
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        result = draw(&root);
        root.present().unwrap();
    }
    (svg, result)
}

/// Attribute lists of every `<tag …>` element.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let rest = &svg[i + open.len()..];
            &rest[..rest.find('>').unwrap()]
        })
        .collect()
}

fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let padded = format!(" {element}");
    let start = padded.find(&key)? + key.len() - 1;
    let end = element[start..].find('"')?;
    Some(&element[start..start + end])
}

fn number(element: &str, name: &str) -> f64 {
    attr(element, name)
        .unwrap_or_else(|| panic!("no {name} in {element}"))
        .parse()
        .unwrap()
}

/// `(attributes, content)` of every `<text>` element.
fn texts(svg: &str) -> Vec<(&str, &str)> {
    svg.match_indices("<text ")
        .map(|(i, _)| {
            let rest = &svg[i + 6..];
            let close = rest.find('>').unwrap();
            let end = rest.find("</text>").unwrap();
            (&rest[..close], rest[close + 1..end].trim())
        })
        .collect()
}

fn has_text(svg: &str, content: &str) -> bool {
    texts(svg).iter().any(|(_, t)| *t == content)
}

fn hex(c: (u8, u8, u8)) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

fn with_fill<'a>(elements: &[&'a str], color: (u8, u8, u8)) -> Vec<&'a str> {
    let fill = hex(color);
    elements
        .iter()
        .copied()
        .filter(|e| attr(e, "fill") == Some(fill.as_str()))
        .collect()
}

fn with_stroke<'a>(elements: &[&'a str], color: (u8, u8, u8)) -> Vec<&'a str> {
    let stroke = hex(color);
    elements
        .iter()
        .copied()
        .filter(|e| attr(e, "stroke") == Some(stroke.as_str()))
        .collect()
}

/// No attribute (coordinates, sizes, points) holds a NaN or an infinity; labels may say
/// "infeasible".
fn assert_clean(svg: &str) {
    assert!(!svg.contains("NaN"), "NaN reached the SVG");
    for (i, _) in svg.match_indices("=\"") {
        let value = &svg[i + 2..];
        let value = &value[..value.find('"').unwrap()];
        assert!(
            !value.to_lowercase().contains("inf"),
            "an infinity reached the SVG: {value}"
        );
    }
}

fn inside(r: &PixelRect, size: (u32, u32)) -> bool {
    r.left >= 0.0 && r.top >= 0.0 && r.right() <= size.0 as f64 && r.bottom() <= size.1 as f64
}

const SIZE: (u32, u32) = (800, 500);

/// Two point clouds (one hidden), a line and a hidden staircase, with undrawable values.
fn mixed_chart() -> XyChart {
    let [a, b, c, d, ..] = PALETTE;
    XyChart {
        title: "Loss vs decode latency".into(),
        x: AxisSpec::log("decode latency (ms)"),
        y: AxisSpec::linear("loss"),
        series: vec![
            Series::points(
                "candidates",
                a,
                vec![
                    (1.0, 3.0),
                    (10.0, 2.5),
                    (f64::NAN, 2.0),
                    (100.0, f64::INFINITY),
                    (0.0, 2.2), // not on a log axis
                    (50.0, 2.1),
                ],
            ),
            Series::points("reference", b, vec![(2.0, 2.8), (20.0, 2.4)]).hidden(),
            Series::line(
                "roofline",
                c,
                vec![(1.0, 3.1), (f64::NAN, 2.9), (30.0, 2.6), (90.0, 2.3)],
            ),
            Series::step("frontier", d, vec![(1.0, 3.0), (10.0, 2.5), (50.0, 2.1)]).hidden(),
        ],
        ..XyChart::default()
    }
}

#[test]
fn visible_series_are_drawn_and_hidden_ones_are_not() {
    let chart = mixed_chart();
    let theme = Theme::light();
    let (svg, drawn) = render(SIZE, |root| draw_xy(root, &chart, &theme, Scale::default()));
    let drawn = drawn.unwrap();
    assert_clean(&svg);
    let circles = elements(&svg, "circle");
    let polylines = elements(&svg, "polyline");
    // Three drawable candidates and the legend's disc; nothing of the hidden cloud.
    assert_eq!(with_fill(&circles, PALETTE[0]).len(), 4);
    assert_eq!(circles.len(), 4);
    // The NaN splits the line; its second part is one polyline of two vertices.
    let roofline = with_stroke(&polylines, PALETTE[2]);
    assert_eq!(roofline.len(), 1);
    assert_eq!(
        attr(roofline[0], "points")
            .unwrap()
            .split_whitespace()
            .count(),
        2
    );
    assert!(with_stroke(&polylines, PALETTE[3]).is_empty());
    // All four series have legend entries; the hidden ones are outlined in the muted colour.
    assert_eq!(
        drawn.legend.iter().map(|e| e.0).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let rects = elements(&svg, "rect");
    assert_eq!(with_stroke(&rects, theme.muted).len(), 2);
    assert!(with_fill(&rects, PALETTE[0]).is_empty());
    assert_eq!(with_fill(&rects, PALETTE[2]).len(), 1);
    assert!(with_fill(&rects, PALETTE[1]).is_empty());
    for name in ["candidates", "reference", "roofline", "frontier"] {
        assert!(has_text(&svg, name), "legend text {name}");
    }
}

#[test]
fn title_and_axis_labels_are_drawn() {
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &mixed_chart(), &Theme::dark(), Scale::default())
    });
    drawn.unwrap();
    for label in ["Loss vs decode latency", "decode latency (ms)", "loss"] {
        assert!(has_text(&svg, label), "{label}");
    }
    // The dark background fills the canvas first.
    let background = elements(&svg, "rect")[0];
    assert_eq!(
        attr(background, "fill"),
        Some(hex(Theme::dark().background).as_str())
    );
    assert_eq!(number(background, "width"), SIZE.0 as f64);
}

#[test]
fn log_axes_put_labelled_ticks_at_powers_of_ten() {
    let chart = XyChart {
        x: AxisSpec::log("FLOPs per byte").with_range(1.0, 1e4),
        y: AxisSpec::log("TFLOP/s").with_range(0.01, 10.0),
        series: vec![Series::line(
            "roof",
            PALETTE[0],
            vec![(1.0, 0.05), (1e4, 8.0)],
        )],
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let p = drawn.unwrap().projection;
    let all = texts(&svg);
    for (value, label) in [
        (1.0, "1"),
        (10.0, "10"),
        (100.0, "100"),
        (1e3, "1000"),
        (1e4, "10000"),
    ] {
        let (px, _) = p.to_pixel(value, 1.0);
        let centred = all.iter().any(|(a, t)| {
            *t == label
                && attr(a, "text-anchor") == Some("middle")
                && (number(a, "x") - px).abs() <= 1.0
        });
        assert!(centred, "x tick {label} under pixel {px}");
    }
    for (value, label) in [(0.01, "0.01"), (0.1, "0.1"), (1.0, "1"), (10.0, "10")] {
        let (_, py) = p.to_pixel(1.0, value);
        let level = all.iter().any(|(a, t)| {
            *t == label
                && attr(a, "text-anchor") == Some("end")
                && (number(a, "y") - py).abs() <= 1.0
        });
        assert!(level, "y tick {label} at pixel {py}");
    }
    // Minor grid lines at 2..9 × 10ᵏ carry no labels.
    for unlabelled in ["2", "20", "500", "0.05"] {
        assert!(
            !has_text(&svg, unlabelled),
            "{unlabelled} should be unlabelled"
        );
    }
}

#[test]
fn the_projection_maps_a_point_to_where_it_was_drawn() {
    for (xlog, ylog) in [(false, false), (true, false), (false, true), (true, true)] {
        let spec = |log, label: &str| AxisSpec {
            label: label.into(),
            log,
            range: None,
        };
        let chart = XyChart {
            x: spec(xlog, "x"),
            y: spec(ylog, "y"),
            series: vec![
                Series::points("frame", PALETTE[0], vec![(0.3, 7.0), (900.0, 70.0)]),
                Series::points("probe", PALETTE[3], vec![(3.7, 42.0)]),
            ],
            ..XyChart::default()
        };
        let (svg, drawn) = render(SIZE, |root| {
            draw_xy(root, &chart, &Theme::light(), Scale::default())
        });
        let p = drawn.unwrap().projection;
        let circles = elements(&svg, "circle");
        // The probe, not its legend disc (radius 4).
        let probe: Vec<&str> = with_fill(&circles, PALETTE[3])
            .into_iter()
            .filter(|c| number(c, "r") != 4.0)
            .collect();
        assert_eq!(probe.len(), 1);
        let (px, py) = p.to_pixel(3.7, 42.0);
        assert!(
            (number(probe[0], "cx") - px).abs() <= 0.5,
            "x: {} vs {px}",
            probe[0]
        );
        assert!(
            (number(probe[0], "cy") - py).abs() <= 0.5,
            "y: {} vs {py}",
            probe[0]
        );
        let (x, y) = p.to_data(number(probe[0], "cx"), number(probe[0], "cy"));
        assert!(p.to_pixel(x, y).0.round() == number(probe[0], "cx"));
        assert!(p.to_pixel(x, y).1.round() == number(probe[0], "cy"));
    }
}

#[test]
fn plotters_grid_lines_agree_with_the_projection() {
    let chart = XyChart {
        x: AxisSpec::linear("x").with_range(0.0, 10.0),
        y: AxisSpec::log("y").with_range(1.0, 1000.0),
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let p = drawn.unwrap().projection;
    let lines = elements(&svg, "line");
    let vertical_at = |x: f64| {
        let (px, _) = p.to_pixel(x, 1.0);
        lines
            .iter()
            .any(|l| number(l, "x1") == number(l, "x2") && (number(l, "x1") - px).abs() <= 1.0)
    };
    let horizontal_at = |y: f64| {
        let (_, py) = p.to_pixel(0.0, y);
        lines
            .iter()
            .any(|l| number(l, "y1") == number(l, "y2") && (number(l, "y1") - py).abs() <= 1.0)
    };
    for x in [0.0, 2.0, 4.0, 6.0, 8.0, 10.0] {
        assert!(vertical_at(x), "grid line at x = {x}");
    }
    for y in [1.0, 10.0, 100.0, 1000.0, 20.0] {
        assert!(horizontal_at(y), "grid line at y = {y}");
    }
}

#[test]
fn a_million_points_are_reduced_to_one_per_pixel() {
    let mut rng = SmallRng::seed_from_u64(1);
    let points: Vec<(f64, f64)> = (0..1_000_000)
        .map(|_| (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0)))
        .collect();
    let chart = XyChart {
        x: AxisSpec::linear("x"),
        y: AxisSpec::linear("y"),
        series: vec![Series::new(
            "cloud",
            PALETTE[0],
            SeriesKind::Points {
                radius: 1.0,
                alpha: 0.3,
            },
            points,
        )],
        legend: LegendPlacement::Hidden,
        ..XyChart::default()
    };
    let (svg, drawn) = render((300, 200), |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let plot = drawn.unwrap().projection.plot;
    let circles = elements(&svg, "circle");
    let pixels = (plot.width + 1.0) * (plot.height + 1.0);
    assert!(circles.len() as f64 <= pixels, "{} circles", circles.len());
    // Random points cover most of the plot (the axes pad 4 % on each side).
    assert!(
        circles.len() as f64 >= 0.5 * pixels,
        "{} of {pixels}",
        circles.len()
    );
    let mut centres: Vec<(i64, i64)> = circles
        .iter()
        .map(|c| (number(c, "cx") as i64, number(c, "cy") as i64))
        .collect();
    centres.sort_unstable();
    let before = centres.len();
    centres.dedup();
    assert_eq!(centres.len(), before, "two circles share a pixel");
}

#[test]
fn points_colours_come_per_point_when_given() {
    let [a, b, c, ..] = PALETTE;
    let chart = XyChart {
        series: vec![
            Series::points("cloud", a, vec![(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)])
                .with_point_colors(vec![b, c]),
        ],
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    drawn.unwrap();
    let circles = elements(&svg, "circle");
    assert_eq!(with_fill(&circles, b).len(), 1);
    assert_eq!(with_fill(&circles, c).len(), 1);
    // The third point has no colour of its own and takes the series colour.
    assert_eq!(with_fill(&circles, a).len(), 1);
}

fn many_series(n: usize) -> XyChart {
    XyChart {
        x: AxisSpec::linear("x"),
        y: AxisSpec::linear("y"),
        series: (0..n)
            .map(|i| {
                let s = Series::line(
                    format!("architecture family {i}"),
                    PALETTE[i % 10],
                    vec![(0.0, i as f64), (1.0, i as f64 + 1.0)],
                );
                if i % 3 == 1 {
                    s.hidden()
                } else {
                    s
                }
            })
            .collect(),
        ..XyChart::default()
    }
}

fn check_legend(drawn: &DrawnChart, size: (u32, u32), n: usize) {
    assert_eq!(drawn.legend.len(), n);
    for (k, (series, rect)) in drawn.legend.iter().enumerate() {
        assert_eq!(*series, k);
        assert!(inside(rect, size), "{rect:?} outside {size:?}");
        let (cx, cy) = (rect.left + rect.width / 2.0, rect.top + rect.height / 2.0);
        assert_eq!(drawn.legend_hit(cx, cy), Some(k));
        for (_, other) in &drawn.legend[k + 1..] {
            let apart = rect.right() <= other.left
                || other.right() <= rect.left
                || rect.bottom() <= other.top
                || other.bottom() <= rect.top;
            assert!(apart, "{rect:?} overlaps {other:?}");
        }
        // The legend never covers the plot.
        let plot = drawn.projection.plot;
        assert!(rect.left >= plot.right() || rect.bottom() <= plot.top);
    }
    assert_eq!(drawn.legend_hit(-5.0, -5.0), None);
}

#[test]
fn legend_entries_are_inside_the_canvas_and_hit_their_series() {
    for (placement, size) in [
        (LegendPlacement::Right, (900, 500)),
        (LegendPlacement::Top, (900, 500)),
        // Narrow: Auto moves the legend on top and wraps it over several rows.
        (LegendPlacement::Auto, (420, 600)),
    ] {
        let chart = XyChart {
            legend: placement,
            ..many_series(7)
        };
        let (svg, drawn) = render(size, |root| {
            draw_xy(root, &chart, &Theme::light(), Scale::default())
        });
        let drawn = drawn.unwrap();
        assert_clean(&svg);
        check_legend(&drawn, size, 7);
        if placement == LegendPlacement::Auto {
            let rows = drawn
                .legend
                .iter()
                .map(|(_, r)| r.top as i64)
                .collect::<std::collections::BTreeSet<_>>();
            assert!(
                rows.len() >= 2,
                "expected a wrapped legend, got rows {rows:?}"
            );
        }
        // Each entry's text starts inside its rectangle.
        let all = texts(&svg);
        for (i, rect) in &drawn.legend {
            let name = format!("architecture family {i}");
            let (a, _) = all.iter().find(|(_, t)| *t == name).unwrap();
            assert!(rect.contains(number(a, "x"), number(a, "y")), "{name}");
        }
    }
    let chart = XyChart {
        legend: LegendPlacement::Hidden,
        ..many_series(3)
    };
    let (_, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    assert!(drawn.unwrap().legend.is_empty());
}

/// A frontier chart comparing eight formats has 24 entries: more than one column holds at
/// its height, so the right legend takes columns instead of running past the bottom.
#[test]
fn a_long_legend_takes_columns_and_stays_inside_the_canvas() {
    for (placement, size) in [
        (LegendPlacement::Right, (960, 440)),
        (LegendPlacement::Auto, (960, 440)),
        (LegendPlacement::Right, (1400, 300)),
    ] {
        let chart = XyChart {
            legend: placement,
            ..many_series(24)
        };
        let (svg, drawn) = render(size, |root| {
            draw_xy(root, &chart, &Theme::light(), Scale::default())
        });
        let drawn = drawn.unwrap();
        assert_clean(&svg);
        check_legend(&drawn, size, 24);
        if placement == LegendPlacement::Right {
            let columns = drawn
                .legend
                .iter()
                .map(|(_, r)| r.left as i64)
                .collect::<std::collections::BTreeSet<_>>();
            assert!(columns.len() >= 2, "one column: {columns:?}");
        }
    }
}

#[test]
fn rules_and_markers_are_drawn_where_they_belong() {
    let [a, b, c, ..] = PALETTE;
    let chart = XyChart {
        x: AxisSpec::linear("latency (ms)").with_range(0.0, 100.0),
        y: AxisSpec::linear("loss").with_range(2.0, 4.0),
        rules: vec![
            Rule {
                at: RuleAt::X(20.0),
                label: "embodied AI budget".into(),
                color: b,
            },
            Rule {
                at: RuleAt::Y(50.0), // off the plot
                label: "never shown".into(),
                color: c,
            },
        ],
        markers: vec![
            Marker {
                x: 60.0,
                y: 3.0,
                label: "Llama-3.2-1B".into(),
                color: a,
            },
            Marker {
                x: 99.0,
                y: 2.5,
                label: "near the edge".into(),
                color: a,
            },
            Marker {
                x: 500.0,
                y: 3.0,
                label: "off the plot".into(),
                color: a,
            },
            Marker {
                x: f64::NAN,
                y: 3.0,
                label: "undrawable".into(),
                color: a,
            },
        ],
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let p = drawn.unwrap().projection;
    assert_clean(&svg);
    let dashes = with_stroke(&elements(&svg, "polyline"), b);
    assert!(dashes.len() > 10, "{} dashes", dashes.len());
    let (px, _) = p.to_pixel(20.0, 3.0);
    for dash in &dashes {
        for point in attr(dash, "points").unwrap().split_whitespace() {
            let x: f64 = point.split(',').next().unwrap().parse().unwrap();
            assert!((x - px).abs() <= 0.5);
        }
    }
    assert!(has_text(&svg, "embodied AI budget"));
    assert!(with_stroke(&elements(&svg, "polyline"), c).is_empty());
    assert!(!has_text(&svg, "never shown"));

    let diamonds = elements(&svg, "polygon");
    assert_eq!(diamonds.len(), 2);
    let (mx, my) = p.to_pixel(60.0, 3.0);
    let first: Vec<(f64, f64)> = attr(diamonds[0], "points")
        .unwrap()
        .split_whitespace()
        .map(|xy| {
            let (x, y) = xy.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect();
    let cx = first.iter().map(|p| p.0).sum::<f64>() / 4.0;
    let cy = first.iter().map(|p| p.1).sum::<f64>() / 4.0;
    assert!((cx - mx).abs() <= 0.5 && (cy - my).abs() <= 0.5);
    assert!(has_text(&svg, "Llama-3.2-1B") && has_text(&svg, "near the edge"));
    assert!(!has_text(&svg, "off the plot") && !has_text(&svg, "undrawable"));
    // A label that would run off the plot's right edge goes on the left of its marker.
    let (_, edge) = texts(&svg)
        .into_iter()
        .map(|(a, t)| (t, a))
        .find(|(t, _)| *t == "near the edge")
        .unwrap();
    let (ex, _) = p.to_pixel(99.0, 2.5);
    assert!(
        number(edge, "x") + 40.0 < ex,
        "{edge} vs marker at x = {ex}"
    );
}

#[test]
fn the_overlay_highlights_points_with_the_static_projection() {
    let theme = Theme::light();
    let (_, drawn) = render(SIZE, |root| {
        draw_xy(root, &mixed_chart(), &theme, Scale::default())
    });
    let p = drawn.unwrap().projection;
    let hovered = [
        Highlight::new(10.0, 2.5, PALETTE[0]),
        Highlight::new(f64::NAN, 2.5, PALETTE[1]),
        Highlight::new(1e9, 2.5, PALETTE[1]).labelled("off"), // off the plot
    ];
    let (svg, result) = render(SIZE, |overlay| {
        draw_highlight(
            overlay,
            &p,
            &hovered,
            Some((10.0, 2.5)),
            &theme,
            Scale::default(),
        )
    });
    result.unwrap();
    assert_clean(&svg);
    // Transparent: the overlay paints no background.
    assert!(elements(&svg, "rect").is_empty());
    let circles = elements(&svg, "circle");
    assert_eq!(
        circles.len(),
        2,
        "a ring and a dot for the one drawable point"
    );
    let (px, py) = p.to_pixel(10.0, 2.5);
    for c in &circles {
        assert!((number(c, "cx") - px).abs() <= 0.5 && (number(c, "cy") - py).abs() <= 0.5);
    }
    assert_eq!(with_fill(&circles, PALETTE[0]).len(), 1);
    // The crosshair: one vertical and one horizontal line across the plot.
    let lines = elements(&svg, "polyline");
    assert_eq!(lines.len(), 2);
    let plot = p.plot;
    let spans: Vec<&str> = lines
        .iter()
        .map(|l| attr(l, "points").unwrap().trim())
        .collect();
    let x = px.round() as i64;
    let y = py.round() as i64;
    assert!(spans.contains(&format!("{x},{} {x},{}", plot.top, plot.bottom()).as_str()));
    assert!(spans.contains(&format!("{},{y} {},{y}", plot.left, plot.right()).as_str()));
}

#[test]
fn pixel_ratio_scales_sizes_and_keeps_the_layout() {
    let chart = XyChart {
        series: vec![Series::new(
            "a",
            PALETTE[0],
            SeriesKind::Points {
                radius: 3.0,
                alpha: 1.0,
            },
            vec![(1.0, 1.0), (2.0, 3.0)],
        )],
        x: AxisSpec::linear("x (units)"),
        y: AxisSpec::linear("y (units)"),
        ..XyChart::default()
    };
    let draw = |size: (u32, u32), dpr: f64| {
        let (svg, drawn) = render(size, |root| {
            draw_xy(root, &chart, &Theme::light(), Scale::new(dpr))
        });
        (svg, drawn.unwrap())
    };
    let (svg1, one) = draw((400, 300), 1.0);
    let (svg2, two) = draw((800, 600), 2.0);
    let radius = |svg: &str| number(elements(svg, "circle")[0], "r");
    assert_eq!(radius(&svg2), 2.0 * radius(&svg1));
    let font = |svg: &str| {
        let all = texts(svg);
        let (a, _) = all.iter().find(|(_, t)| *t == "x (units)").unwrap();
        number(a, "font-size")
    };
    assert!((font(&svg2) - 2.0 * font(&svg1)).abs() < 1e-9);
    for (a, b) in [
        (one.projection.plot.left, two.projection.plot.left),
        (one.projection.plot.top, two.projection.plot.top),
        (one.projection.plot.width, two.projection.plot.width),
        (one.projection.plot.height, two.projection.plot.height),
    ] {
        assert!((2.0 * a - b).abs() <= 4.0, "{a} × 2 vs {b}");
    }
}

#[test]
fn unusable_inputs_are_errors_not_pictures() {
    let (_, drawn) = render((60, 40), |root| {
        draw_xy(root, &mixed_chart(), &Theme::light(), Scale::default())
    });
    let err = drawn.unwrap_err();
    assert!(err.contains("too small"), "{err}");
    let chart = XyChart {
        x: AxisSpec::log("x").with_range(-1.0, 10.0),
        ..mixed_chart()
    };
    let (_, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    assert_eq!(
        drawn.unwrap_err(),
        "x axis range -1..10 cannot be drawn on a log scale: it needs 0 < low < high"
    );
}

fn region() -> Heatmap {
    let xs: Vec<f64> = vec![768.0, 1024.0, 1536.0, 2048.0, 3072.0];
    let ys: Vec<f64> = vec![4.0, 8.0, 16.0, 32.0];
    let mut cells = Vec::new();
    for &d in &xs {
        for &l in &ys {
            // A toy law and a weight budget: l·d² ≤ 5e7.
            let loss = 2.0 + 400.0 / d.sqrt() / l.powf(0.3);
            cells.push(Cell {
                x: d,
                y: l,
                value: loss,
                feasible: l * d * d <= 5e7,
            });
        }
    }
    cells.pop(); // one grid point left without a cell
    let boundary: Vec<(f64, f64)> = (0..50)
        .map(|k| {
            let d = 700.0 + 50.0 * k as f64;
            (d, 5e7 / (d * d))
        })
        .collect();
    Heatmap {
        title: "Feasible designs".into(),
        x: AxisSpec::linear("hidden size d"),
        y: AxisSpec::log("layers l"),
        xs,
        ys,
        cells,
        value_label: "loss (nats)".into(),
        contour_levels: vec![6.0, 8.0],
        boundaries: vec![Series::line("memory budget", PALETTE[3], boundary)],
        markers: vec![
            Marker {
                x: 1024.0,
                y: 16.0,
                label: "best enumerated".into(),
                color: PALETTE[1],
            },
            Marker {
                x: 1300.0,
                y: 22.0,
                label: "theory".into(),
                color: PALETTE[6],
            },
        ],
        legend: LegendPlacement::Top,
    }
}

#[test]
fn heatmap_cells_sit_on_their_grid_points_in_their_colours() {
    let map = region();
    let theme = Theme::light();
    let (svg, drawn) = render(SIZE, |root| {
        draw_heatmap(root, &map, &theme, Scale::default())
    });
    let drawn = drawn.unwrap();
    assert_clean(&svg);
    let p = drawn.projection;
    // Cells, not the translucent patches behind marker labels.
    let background = hex(theme.background);
    let rects: Vec<&str> = elements(&svg, "rect")
        .into_iter()
        .filter(|r| attr(r, "fill") != Some(background.as_str()))
        .collect();
    let (lo, hi) = map.cells.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.value), hi.max(c.value))
    });
    let mut infeasible = Vec::new();
    for (k, cell) in map.cells.iter().enumerate() {
        let (px, py) = p.to_pixel(cell.x, cell.y);
        let under: Vec<&&str> = rects
            .iter()
            .filter(|r| {
                let (x, y) = (number(r, "x"), number(r, "y"));
                let (w, h) = (number(r, "width"), number(r, "height"));
                px >= x && px <= x + w && py >= y && py <= y + h && w < p.plot.width
            })
            .collect();
        assert_eq!(under.len(), 1, "cell {k} at ({}, {})", cell.x, cell.y);
        let colour = viridis((cell.value - lo) / (hi - lo));
        if cell.feasible {
            assert_eq!(attr(under[0], "fill"), Some(hex(colour).as_str()));
        } else {
            assert_ne!(attr(under[0], "fill"), Some(hex(colour).as_str()));
            let (x, y) = (number(under[0], "x"), number(under[0], "y"));
            let (w, h) = (number(under[0], "width"), number(under[0], "height"));
            infeasible.push(PixelRect {
                left: x,
                top: y,
                width: w,
                height: h,
            });
        }
        assert_eq!(map.cell_at(&p, px, py), Some(k));
    }
    assert!(!infeasible.is_empty() && infeasible.len() < map.cells.len());
    // Hatching: every infeasible cell has some, and all of it lies in infeasible cells but
    // for the one line of the legend swatch.
    let hatches: Vec<(f64, f64)> = with_stroke(&elements(&svg, "polyline"), theme.muted)
        .iter()
        .map(|l| {
            let ends: Vec<f64> = attr(l, "points")
                .unwrap()
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            ((ends[0] + ends[2]) / 2.0, (ends[1] + ends[3]) / 2.0)
        })
        .collect();
    for cell in &infeasible {
        assert!(
            hatches.iter().any(|&(x, y)| cell.contains(x, y)),
            "{cell:?} unhatched"
        );
    }
    let stray = hatches
        .iter()
        .filter(|&&(x, y)| !infeasible.iter().any(|c| c.contains(x, y)))
        .count();
    assert_eq!(stray, 1);
    // The missing grid point is blank and has no cell to hover.
    let (px, py) = p.to_pixel(3072.0, 32.0);
    assert_eq!(map.cell_at(&p, px, py), None);
    // Boundary, markers, labels, legend.
    assert_eq!(
        with_stroke(&elements(&svg, "polyline"), PALETTE[3]).len(),
        1
    );
    assert_eq!(elements(&svg, "polygon").len(), 2);
    for label in [
        "Feasible designs",
        "hidden size d",
        "layers l",
        "loss (nats)",
        "768",
        "3072",
    ] {
        assert!(has_text(&svg, label), "{label}");
    }
    assert!(has_text(&svg, "best enumerated") && has_text(&svg, "theory"));
    assert_eq!(drawn.legend.len(), 1);
    assert!(inside(&drawn.legend[0].1, SIZE));
    assert!(has_text(&svg, "infeasible"));
}

#[test]
fn heatmap_iso_lines_and_hidden_boundaries() {
    let mut map = region();
    map.boundaries[0].visible = false;
    let theme = Theme::dark();
    let (svg, drawn) = render(SIZE, |root| {
        draw_heatmap(root, &map, &theme, Scale::default())
    });
    drawn.unwrap();
    let polylines = elements(&svg, "polyline");
    assert!(with_stroke(&polylines, PALETTE[3]).is_empty());
    // Iso-lines are drawn in the translucent foreground; two levels within range.
    let iso: Vec<&&str> = polylines
        .iter()
        .filter(|l| attr(l, "stroke") == Some(hex(theme.foreground).as_str()))
        .filter(|l| attr(l, "opacity") == Some("0.75"))
        .collect();
    assert!(iso.len() >= 2, "{} iso-line segments", iso.len());
    map.contour_levels.clear();
    let (svg, _) = render(SIZE, |root| {
        draw_heatmap(root, &map, &theme, Scale::default())
    });
    let none = elements(&svg, "polyline")
        .into_iter()
        .filter(|l| attr(l, "opacity") == Some("0.75"))
        .count();
    assert_eq!(none, 0);
}

#[test]
fn heatmap_rejects_cells_off_the_grid() {
    let mut map = region();
    map.cells[0].x = 1000.0;
    let (_, drawn) = render(SIZE, |root| {
        draw_heatmap(root, &map, &Theme::light(), Scale::default())
    });
    let err = drawn.unwrap_err();
    assert!(
        err.starts_with("cell at (1000, 4) is not on the grid"),
        "{err}"
    );
}

#[test]
fn svg_export_is_1200_wide_at_the_screen_aspect_and_reports_drawing_errors() {
    let svg = roofscale::chart::render_svg(0.35, |root| {
        draw_xy(root, &mixed_chart(), &Theme::light(), Scale::new(1.0))
    })
    .unwrap();
    let root = elements(&svg, "svg")[0];
    assert_eq!(number(root, "width"), 1200.0);
    assert_eq!(number(root, "height"), 420.0);
    assert!(has_text(&svg, &mixed_chart().title));
    // A nonsense aspect falls back to a sane one; a failing draw is an error, not a file.
    let svg = roofscale::chart::render_svg(f64::NAN, |_| Ok(())).unwrap();
    assert_eq!(number(elements(&svg, "svg")[0], "height"), 720.0);
    assert!(roofscale::chart::render_svg(0.5, |_| Err::<(), _>("no data".to_string())).is_err());
}

/// Rated and achievable roofs shared one legend swatch: a dashed series is drawn in dashes and
/// its legend bar is two pieces, a solid one is one line and one bar.
#[test]
fn dashed_and_solid_lines_have_matching_legend_swatches() {
    let (solid, dashed) = (PALETTE[4], PALETTE[5]);
    let chart = XyChart {
        series: vec![
            Series::line("achievable", solid, vec![(1.0, 1.0), (10.0, 5.0)]),
            Series::line("rated", dashed, vec![(1.0, 2.0), (10.0, 6.0)]).dashed(),
        ],
        legend: LegendPlacement::Right,
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    drawn.unwrap();
    let lines = elements(&svg, "polyline");
    assert_eq!(with_stroke(&lines, solid).len(), 1);
    assert!(
        with_stroke(&lines, dashed).len() > 10,
        "dashes: {}",
        with_stroke(&lines, dashed).len()
    );
    let rects = elements(&svg, "rect");
    assert_eq!(with_fill(&rects, solid).len(), 1, "solid swatch is one bar");
    assert_eq!(
        with_fill(&rects, dashed).len(),
        2,
        "dashed swatch is two pieces"
    );
}

/// Per-point coloured clouds said "FP16 candidates" in blue while their dots were coloured by
/// experts: such a series' swatch is its shape in the text colour, a second precision has
/// another shape, and the colour key's values are drawn in their colours.
#[test]
fn coloured_clouds_show_their_shape_and_a_colour_key_in_the_legend() {
    let theme = Theme::light();
    let chart = XyChart {
        series: vec![
            Series::points("FP16 candidates", PALETTE[0], vec![(1.0, 1.0), (2.0, 2.0)])
                .with_point_colors(vec![PALETTE[1], PALETTE[2]]),
            Series::points("INT8 candidates", PALETTE[1], vec![(1.5, 1.5)])
                .with_point_colors(vec![PALETTE[1]])
                .with_shape(Shape::Ring),
        ],
        key: Some(ColorKey {
            title: "colour: experts E".into(),
            entries: vec![("1".into(), PALETTE[1]), ("8".into(), PALETTE[2])],
        }),
        legend: LegendPlacement::Right,
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| draw_xy(root, &chart, &theme, Scale::default()));
    // Only the two series are clickable legend entries.
    assert_eq!(drawn.unwrap().legend.len(), 2);
    let circles = elements(&svg, "circle");
    let swatches: Vec<&str> = circles
        .iter()
        .copied()
        .filter(|c| number(c, "r") == 4.0)
        .collect();
    // FP16: a filled disc and INT8: a ring, both in the text colour; then the key's discs.
    assert_eq!(with_fill(&swatches, theme.foreground).len(), 1);
    assert_eq!(with_stroke(&swatches, theme.foreground).len(), 1);
    assert_eq!(with_fill(&swatches, PALETTE[1]).len(), 1);
    assert_eq!(with_fill(&swatches, PALETTE[2]).len(), 1);
    assert!(
        with_fill(&swatches, PALETTE[0]).is_empty(),
        "no blue swatch for a cloud with no blue dot"
    );
    for text in [
        "colour: experts E",
        "1",
        "8",
        "FP16 candidates",
        "INT8 candidates",
    ] {
        assert!(has_text(&svg, text), "{text}");
    }
    // The ring series draws rings.
    assert_eq!(
        with_stroke(&circles, PALETTE[1]).len(),
        1,
        "the INT8 point is a ring"
    );
}

/// Chart titles were clipped at 390 px: a long title and subtitle wrap into lines that all
/// fit the width.
#[test]
fn long_titles_wrap_to_the_width() {
    let chart = XyChart {
        title: "Predicted loss vs decode latency — NVIDIA Jetson AGX Orin 64GB".into(),
        subtitle: "batch 1, prompt 1024, 16 generated, full operators · FP16, INT8 · objective decode · law: architecture law (arXiv 2602.10377)".into(),
        series: vec![Series::points("a", PALETTE[0], vec![(1.0, 1.0), (2.0, 3.0)])],
        ..XyChart::default()
    };
    let size = (390, 420);
    let (svg, drawn) = render(size, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let drawn = drawn.unwrap();
    let words: Vec<&str> = chart
        .title
        .split(' ')
        .chain(chart.subtitle.split(' '))
        .collect();
    let heading: Vec<(&str, &str)> = texts(&svg)
        .into_iter()
        .filter(|(a, _)| number(a, "y") < drawn.projection.plot.top)
        .filter(|(_, t)| t.split(' ').all(|w| words.contains(&w)))
        .collect();
    assert!(
        heading.len() >= 4,
        "title and subtitle in {} lines",
        heading.len()
    );
    let joined: Vec<&str> = heading.iter().flat_map(|(_, t)| t.split(' ')).collect();
    assert_eq!(joined, words, "every word once, in order");
    for (a, t) in &heading {
        // Centred lines: about 6.5 px per character at 13–15 px must fit in 390 px.
        assert!(t.chars().count() as f64 * 6.0 < 390.0, "{t}");
        assert_eq!(attr(a, "text-anchor"), Some("middle"));
    }
}

/// The latency axis showed one tick at 390 px: a narrow chart's log and linear axes each get
/// at least three labelled ticks.
#[test]
fn a_phone_sized_chart_has_three_ticks_on_each_axis() {
    let chart = XyChart {
        x: AxisSpec::log("decode latency (ms)"),
        y: AxisSpec::linear("predicted loss"),
        series: vec![Series::points(
            "a",
            PALETTE[0],
            vec![(4.0, 3.02), (40.0, 3.05), (400.0, 3.11)],
        )],
        legend: LegendPlacement::Hidden,
        ..XyChart::default()
    };
    let (svg, drawn) = render((340, 300), |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::new(2.0))
    });
    let p = drawn.unwrap().projection;
    let labels: Vec<(f64, f64)> = texts(&svg)
        .into_iter()
        .filter(|(_, t)| t.parse::<f64>().is_ok())
        .map(|(a, _)| (number(a, "x"), number(a, "y")))
        .collect();
    let x_ticks = labels.iter().filter(|l| l.1 > p.plot.bottom()).count();
    let y_ticks = labels.iter().filter(|l| l.0 < p.plot.left).count();
    assert!(x_ticks >= 3, "{x_ticks} x tick labels");
    assert!(y_ticks >= 3, "{y_ticks} y tick labels");
}

/// End labels overlapped on the device comparison chart: labels of markers at nearly one
/// place are moved apart, none overlapping another.
#[test]
fn marker_labels_at_one_place_do_not_overlap() {
    let markers: Vec<Marker> = (0..4)
        .map(|i| Marker {
            x: 10.0 + 0.05 * i as f64,
            y: 3.0 + 0.001 * i as f64,
            label: format!("Device {i}: l=12 d=1024 E=8"),
            color: PALETTE[i],
        })
        .collect();
    let chart = XyChart {
        x: AxisSpec::linear("x").with_range(0.0, 20.0),
        y: AxisSpec::linear("y").with_range(2.0, 4.0),
        markers,
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let (mx, _) = drawn.unwrap().projection.to_pixel(10.0, 3.0);
    let boxes: Vec<(bool, f64)> = texts(&svg)
        .into_iter()
        .filter(|(_, t)| t.starts_with("Device "))
        .map(|(a, _)| (number(a, "x") > mx, number(a, "y")))
        .collect();
    assert_eq!(boxes.len(), 4);
    // Labels on opposite sides of the markers cannot meet; on one side, 11 px text needs
    // 11 px between tops.
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(
                a.0 != b.0 || (a.1 - b.1).abs() >= 11.0,
                "labels overlap: {boxes:?}"
            );
        }
    }
}

/// Lines in different lanes with the same values are drawn side by side, not on top of each
/// other (the trend chart's coinciding attributes).
#[test]
fn lines_in_lanes_are_drawn_apart() {
    let points = vec![(1.0, 1.0), (2.0, 1.0), (3.0, 2.0)];
    let chart = XyChart {
        series: vec![
            Series::step("E", PALETTE[2], points.clone()).in_lane(-1.5),
            Series::step("K", PALETTE[3], points).in_lane(1.5),
        ],
        ..XyChart::default()
    };
    let (svg, drawn) = render(SIZE, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let p = drawn.unwrap().projection;
    let first_y = |c| {
        let lines = elements(&svg, "polyline");
        let line = with_stroke(&lines, c)[0];
        let first = attr(line, "points")
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        first.split(',').nth(1).unwrap().parse::<f64>().unwrap()
    };
    let (_, y) = p.to_pixel(1.0, 1.0);
    assert_eq!(first_y(PALETTE[2]), (y - 1.5).round());
    assert_eq!(first_y(PALETTE[3]), (y + 1.5).round());
}

/// The phone clipped the last latency label ("1000" showed as "100"): the plot leaves room
/// for the right half of its last x label.
#[test]
fn the_last_x_label_fits_in_the_canvas() {
    let chart = XyChart {
        x: AxisSpec::log("latency (ms)").with_range(8.0, 1000.0),
        series: vec![Series::points(
            "a",
            PALETTE[0],
            vec![(10.0, 1.0), (900.0, 3.0)],
        )],
        legend: LegendPlacement::Hidden,
        ..XyChart::default()
    };
    let size = (360, 300);
    let (svg, drawn) = render(size, |root| {
        draw_xy(root, &chart, &Theme::light(), Scale::default())
    });
    let p = drawn.unwrap().projection;
    let (_, last) = texts(&svg)
        .into_iter()
        .filter(|(a, _)| number(a, "y") > p.plot.bottom())
        .map(|(a, t)| (number(a, "x"), (a, t)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    assert_eq!(last.1, "1000");
    assert_eq!(attr(last.0, "text-anchor"), Some("middle"));
    // Centred on x, about 6 px per digit at 11 px.
    assert!(number(last.0, "x") + 12.0 <= size.0 as f64, "{}", last.0);
}

/// Pins carry their name on the chart (issue: pins were unlabelled), drawn beside the ring.
#[test]
fn pinned_points_are_labelled_on_the_overlay() {
    let theme = Theme::light();
    let (_, drawn) = render(SIZE, |root| {
        draw_xy(root, &mixed_chart(), &theme, Scale::default())
    });
    let p = drawn.unwrap().projection;
    let pins = [
        Highlight::new(10.0, 2.5, PALETTE[0]).labelled("pin 1 · l=24 d=2048"),
        Highlight::new(10.0, 2.5, PALETTE[0]),
    ];
    let (svg, result) = render(SIZE, |overlay| {
        draw_highlight(overlay, &p, &pins, None, &theme, Scale::default())
    });
    result.unwrap();
    let texts = elements(&svg, "text");
    assert_eq!(texts.len(), 1, "one label for the one labelled pin");
    assert!(svg.contains("pin 1 · l=24 d=2048"));
}

// ---------------------------------------------------------------------------------------------
// Hover targets: one point per device pixel, later series on top

/// Data 0..100 on both axes onto a 100 × 100 px plot at (10, 20): x → 10 + x, y → 120 − y.
fn square_projection() -> Projection {
    Projection {
        x: Axis::checked(0.0, 100.0, false).unwrap(),
        y: Axis::checked(0.0, 100.0, false).unwrap(),
        plot: PixelRect {
            left: 10.0,
            top: 20.0,
            width: 100.0,
            height: 100.0,
        },
    }
}

#[test]
fn hover_keeps_one_point_per_pixel_and_later_series_win_it() {
    let p = square_projection();
    let chart = XyChart {
        series: vec![
            // (10.2, 10.3) rounds to the pixel of (10, 10); (50, 50) lies under the frontier's.
            Series::points(
                "cloud",
                PALETTE[0],
                vec![(10.0, 10.0), (10.2, 10.3), (50.0, 50.0)],
            ),
            Series::step("frontier", PALETTE[1], vec![(50.0, 50.0), (90.0, 90.0)]),
        ],
        ..XyChart::default()
    };
    let hover = HoverIndex::new(&chart, &p, &[0, 1], 24.0);
    assert_eq!(hover.len(), 3);
    // The pixel of (50, 50) is (60, 70): the frontier's point, drawn on top, answers.
    assert_eq!(hover.nearest(60.0, 70.0, 12.0), Some((1, 0)));
    assert_eq!(hover.nearest(100.0, 30.0, 12.0), Some((1, 1)));
    // The second cloud point shares (20, 110) with the first, which keeps it.
    assert_eq!(hover.nearest(20.2, 109.7, 12.0), Some((0, 0)));
    assert_eq!(hover.nearest(20.0, 110.0 - 12.5, 12.0), None);
    // The same chart hovered on the cloud alone gives the cloud its pixel back.
    let cloud = HoverIndex::new(&chart, &p, &[0], 24.0);
    assert_eq!(cloud.len(), 2);
    assert_eq!(cloud.nearest(60.0, 70.0, 12.0), Some((0, 2)));
}

#[test]
fn hidden_unlisted_undrawable_and_off_plot_points_cannot_be_hovered() {
    let p = square_projection();
    let chart = XyChart {
        series: vec![
            Series::points(
                "cloud",
                PALETTE[0],
                vec![
                    (f64::NAN, 5.0),
                    (150.0, 50.0),
                    (-0.6, 50.0),
                    (0.0, 0.0),
                    (100.0, 100.0),
                ],
            ),
            Series::points("hidden", PALETTE[1], vec![(30.0, 30.0)]).hidden(),
            Series::points("not hovered", PALETTE[2], vec![(70.0, 70.0)]),
        ],
        ..XyChart::default()
    };
    // Series 5 does not exist: asking for it is harmless.
    let hover = HoverIndex::new(&chart, &p, &[0, 1, 5], 24.0);
    // The plot's corners (0, 0) and (100, 100) are on it; x = 150 and x = −0.6 (pixel 9.4,
    // which rounds off the plot) are not.
    assert_eq!(hover.len(), 2);
    assert_eq!(hover.nearest(10.0, 120.0, 1.0), Some((0, 3)));
    assert_eq!(hover.nearest(110.0, 20.0, 1.0), Some((0, 4)));
    assert_eq!(hover.nearest(40.0, 90.0, 5.0), None, "hidden series");
    assert_eq!(hover.nearest(80.0, 50.0, 5.0), None, "series not hovered");
    assert_eq!(hover.nearest(160.0, 70.0, 5.0), None, "off the plot");
    let none = HoverIndex::new(&chart, &p, &[], 24.0);
    assert!(none.is_empty());
    assert_eq!(none.nearest(10.0, 120.0, f64::INFINITY), None);
}

#[test]
fn hover_finds_each_drawn_point_where_the_chart_drew_it() {
    let chart = mixed_chart();
    let scale = Scale::new(2.0);
    let (_, drawn) = render((1200, 800), |root| {
        draw_xy(root, &chart, &Theme::light(), scale)
    });
    let p = drawn.unwrap().projection;
    let hover = HoverIndex::new(&chart, &p, &[0, 1], scale.px(24.0));
    // Candidates 0, 1 and 5 are drawable; the hidden reference series is not hovered.
    assert_eq!(hover.len(), 3);
    for i in [0, 1, 5] {
        let (x, y) = chart.series[0].points[i];
        let (px, py) = p.to_pixel(x, y);
        assert_eq!(
            hover.nearest(px + 1.0, py - 1.0, scale.px(12.0)),
            Some((0, i))
        );
    }
}

/// Eight precisions on one chart get eight marks: each shape draws a different SVG figure
/// (element kinds, fill or outline), so no two clouds look alike.
#[test]
fn every_shape_draws_its_own_mark() {
    let drawn_figure = |shape: Shape| -> String {
        let chart = XyChart {
            series: vec![Series::points("one", PALETTE[0], vec![(1.0, 1.0)]).with_shape(shape)],
            legend: LegendPlacement::Hidden,
            ..XyChart::default()
        };
        let (svg, drawn) = render(SIZE, |root| {
            draw_xy(root, &chart, &Theme::light(), Scale::default())
        });
        drawn.unwrap();
        // The figures in the series colour: element kind and filled or outlined.
        let c = hex(PALETTE[0]).to_lowercase();
        let mut kinds: Vec<String> = ["circle", "rect", "polygon", "polyline", "line", "path"]
            .iter()
            .flat_map(|tag| {
                elements(&svg, tag)
                    .into_iter()
                    .filter(|e| e.to_lowercase().contains(&c))
                    .map(|e| {
                        let filled = attr(e, "fill").is_some_and(|f| f.to_lowercase() == c);
                        format!("{tag}:{}", if filled { "fill" } else { "stroke" })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        kinds.sort();
        assert!(!kinds.is_empty(), "{shape:?} drew nothing");
        kinds.join(",")
    };
    let figures: Vec<String> = Shape::ALL.iter().map(|&s| drawn_figure(s)).collect();
    let distinct: std::collections::BTreeSet<&String> = figures.iter().collect();
    // Triangle and diamond are both filled polygons: told apart by their corner count.
    assert!(
        distinct.len() >= 7,
        "marks not distinct: {:?}",
        Shape::ALL.iter().zip(&figures).collect::<Vec<_>>()
    );
    assert_eq!(Shape::nth(8), Shape::nth(0));
}
