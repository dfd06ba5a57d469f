//! Trend charts drawn on the server as SVG, with no script and no inline
//! style (the page's CSP forbids both): the geometry is computed here and
//! written by the `chart.html` template. Each chart has a `<title>` and a
//! `<desc>`, draws each series with its own hatching as well as its own
//! colour (colour is never the only signal), writes every value as text
//! and comes with a table of the same numbers.

/// The fills of the series, in order: a colour and a hatching each.
const FILLS: [(&str, Hatch); 6] = [
    ("#2b6cb0", Hatch::None),
    ("#c05621", Hatch::Diagonal),
    ("#2f855a", Hatch::Horizontal),
    ("#6b46c1", Hatch::Vertical),
    ("#b7791f", Hatch::Cross),
    ("#4a5568", Hatch::Dots),
];

#[derive(Debug, Clone, Copy)]
enum Hatch {
    None,
    Diagonal,
    Horizontal,
    Vertical,
    Cross,
    Dots,
}

impl Hatch {
    fn path(self) -> &'static str {
        match self {
            Hatch::None => "",
            Hatch::Diagonal => "M0,8 L8,0",
            Hatch::Horizontal => "M0,4 L8,4",
            Hatch::Vertical => "M4,0 L4,8",
            Hatch::Cross => "M0,4 L8,4 M4,0 L4,8",
            Hatch::Dots => "M3,3 L5,3 L5,5 L3,5 Z",
        }
    }
}

/// A series' fill: a pattern of its colour and hatching.
#[derive(Debug, Clone)]
pub struct Fill {
    /// The pattern's id, unique on the page.
    pub id: String,
    /// Its colour.
    pub colour: &'static str,
    /// The hatching drawn over it (an SVG path), empty for none.
    pub hatch: &'static str,
}

/// A rectangle of a bar.
#[derive(Debug, Clone)]
pub struct Rect {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// The pattern it is filled with.
    pub fill: String,
    /// What it shows, in words (a tooltip).
    pub title: String,
}

/// A text drawn on the chart.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where it starts (or ends, with `anchor` `end`).
    pub x: u32,
    /// Its baseline.
    pub y: u32,
    /// `start` or `end`.
    pub anchor: &'static str,
    /// The text.
    pub text: String,
}

/// An entry of the legend.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// The swatch's left.
    pub x: u32,
    /// The pattern.
    pub fill: String,
    /// The series' name.
    pub name: String,
}

/// The same numbers as a table.
#[derive(Debug, Clone)]
pub struct DataTable {
    /// The first column's heading.
    pub row_heading: String,
    /// The other columns' headings.
    pub columns: Vec<String>,
    /// Each row: its heading and its cells.
    pub rows: Vec<(String, Vec<String>)>,
}

/// A horizontal bar chart, stacked when it has several series.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Its id on the page (`title` and `desc` ids derive from it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it shows, in a sentence (the `<desc>`).
    pub desc: String,
    /// What is said when it has no bar.
    pub empty: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// The series' fills.
    pub fills: Vec<Fill>,
    /// The legend (several series only).
    pub legend: Vec<LegendEntry>,
    /// The bars' rectangles.
    pub rects: Vec<Rect>,
    /// Bar labels and values.
    pub labels: Vec<Label>,
    /// The numbers as a table.
    pub table: DataTable,
}

/// One bar: its label, a value per series, and what is written after it.
#[derive(Debug, Clone)]
pub struct Bar {
    /// The bar's label.
    pub label: String,
    /// One value per series.
    pub values: Vec<u64>,
    /// The text after the bar (the total when empty).
    pub note: String,
}

/// What a chart says in words.
#[derive(Debug, Clone)]
pub struct ChartText {
    /// Its id on the page.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it shows, in a sentence.
    pub desc: String,
    /// What is said when it has no bar.
    pub empty: String,
    /// The table's first column heading (what a bar is).
    pub row_heading: String,
    /// The unit of the values.
    pub unit: String,
}

const LABEL_WIDTH: u32 = 230;
const PLOT_WIDTH: u32 = 380;
const NOTE_WIDTH: u32 = 230;
const ROW: u32 = 26;
const BAR: u32 = 18;
const LEGEND: u32 = 28;

fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

impl Chart {
    /// A chart of `bars`, each with one value per `series`, described by
    /// `text`.
    pub fn bars(text: &ChartText, series: &[String], bars: &[Bar]) -> Chart {
        let ChartText {
            id,
            title,
            desc,
            empty,
            row_heading,
            unit,
        } = text;
        let fills: Vec<Fill> = series
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let (colour, hatch) = FILLS[i % FILLS.len()];
                Fill {
                    id: format!("{id}-fill-{i}"),
                    colour,
                    hatch: hatch.path(),
                }
            })
            .collect();
        let several = series.len() > 1;
        let top = if several { LEGEND } else { 4 };
        let mut legend = Vec::new();
        if several {
            let step = (LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH) / series.len().max(1) as u32;
            for (i, name) in series.iter().enumerate() {
                legend.push(LegendEntry {
                    x: i as u32 * step,
                    fill: fills[i].id.clone(),
                    name: ellipsis(name, 18),
                });
            }
        }
        let max = bars
            .iter()
            .map(|b| b.values.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut rects = Vec::new();
        let mut labels = Vec::new();
        for (row, bar) in bars.iter().enumerate() {
            let y = top + row as u32 * ROW;
            labels.push(Label {
                x: LABEL_WIDTH - 8,
                y: y + BAR - 4,
                anchor: "end",
                text: ellipsis(&bar.label, 32),
            });
            let mut x = LABEL_WIDTH;
            for (i, value) in bar.values.iter().enumerate() {
                if *value == 0 {
                    continue;
                }
                let w = ((*value * u64::from(PLOT_WIDTH)) / max).max(2) as u32;
                rects.push(Rect {
                    x,
                    y,
                    w,
                    h: BAR,
                    fill: fills[i].id.clone(),
                    title: format!("{}: {} {value} {unit}", bar.label, series[i]),
                });
                x += w;
            }
            let total: u64 = bar.values.iter().sum();
            labels.push(Label {
                x: x + 6,
                y: y + BAR - 4,
                anchor: "start",
                text: if bar.note.is_empty() {
                    format!("{total} {unit}")
                } else {
                    bar.note.clone()
                },
            });
        }
        let mut columns: Vec<String> = series.to_vec();
        if several {
            columns.push("total".to_owned());
        }
        columns.push("note".to_owned());
        let rows = bars
            .iter()
            .map(|b| {
                let mut cells: Vec<String> = b.values.iter().map(u64::to_string).collect();
                if several {
                    cells.push(b.values.iter().sum::<u64>().to_string());
                }
                cells.push(b.note.clone());
                (b.label.clone(), cells)
            })
            .collect();
        Chart {
            id: id.clone(),
            title: title.clone(),
            desc: desc.clone(),
            empty: empty.clone(),
            width: LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH,
            height: top + bars.len() as u32 * ROW + 4,
            fills,
            legend,
            rects,
            labels,
            table: DataTable {
                row_heading: row_heading.clone(),
                columns,
                rows,
            },
        }
    }

    /// Whether the chart has no bar.
    pub fn is_empty(&self) -> bool {
        self.table.rows.is_empty()
    }
}
