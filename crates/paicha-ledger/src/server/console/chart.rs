//! Charts as SVG drawn on the server, each followed by its data table: the SVG is a picture
//! for the eye (`role="img"` with a summary), the table is the same figures for screen
//! readers and for clicking — every number links to the ledger filtered to it. Colours come
//! from classes in console.css (the CSP allows no inline styles).

use maud::{Markup, html};
use paicha_core::overview::Week;

/// One bar: what it counts, the count, the filtered ledger, its colour class.
pub struct Bar {
    pub label: String,
    pub value: usize,
    pub href: String,
    pub class: &'static str,
}

const LABEL_WIDTH: usize = 150;
const BAR_SPACE: usize = 170;
const ROW: usize = 26;

/// Horizontal bars with the table beneath.
pub fn bar_chart(id: &str, title: (&str, &str), bars: &[Bar]) -> Markup {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = bars.len() * ROW + 4;
    let width = LABEL_WIDTH + BAR_SPACE + 40;
    let summary: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.value))
        .collect();
    html! {
        figure.chart aria-labelledby={(id) "-title"} {
            figcaption #{(id) "-title"} { (title.0) " " span.en lang="en" { (title.1) } }
            svg viewBox={"0 0 " (width) " " (height)} role="img" aria-label=(summary.join("；")) {
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = i * ROW + 2;
                    @let length = bar.value * BAR_SPACE / max;
                    // The Chinese name only: the table beneath has both.
                    text x="0" y=(y + 17) class="chart-label" { (bar.label.split(' ').next().unwrap_or_default()) }
                    rect x=(LABEL_WIDTH) y=(y + 4) width=(length.max(1)) height="16" rx="2" class=(bar.class) {}
                    text x=(LABEL_WIDTH + length + 6) y=(y + 17) class="chart-value" { (bar.value) }
                }
            }
            table.data {
                thead { tr { th scope="col" { "项目 Item" } th scope="col" { "数量 Count" } } }
                tbody {
                    @for bar in bars {
                        tr { th scope="row" { (bar.label) } td { a href=(bar.href) { (bar.value) } } }
                    }
                }
            }
        }
    }
}

/// Found, closed and overdue per week as grouped columns, with the table beneath.
pub fn trend_chart(id: &str, weeks: &[Week]) -> Markup {
    let max = weeks
        .iter()
        .flat_map(|w| [w.found, w.closed, w.overdue])
        .max()
        .unwrap_or(0)
        .max(1);
    let column = 12;
    let group = column * 3 + 14;
    let height = 120;
    let width = weeks.len() * group + 10;
    let summary: Vec<String> = weeks
        .iter()
        .map(|w| {
            format!(
                "{}：发现 {}，销号 {}，逾期 {}",
                w.starts.format("%m-%d"),
                w.found,
                w.closed,
                w.overdue
            )
        })
        .collect();
    html! {
        figure.chart.trend aria-labelledby={(id) "-title"} {
            figcaption #{(id) "-title"} { "每周趋势 " span.en lang="en" { "Weekly trend" } }
            p.legend aria-hidden="true" {
                span.key.bar-blue {} "发现 found " span.key.bar-green {} "销号 closed " span.key.bar-red {} "逾期 overdue"
            }
            svg viewBox={"0 0 " (width) " " (height + 18)} role="img" aria-label=(summary.join("；")) {
                @for (i, week) in weeks.iter().enumerate() {
                    @let x = i * group + 6;
                    @for (j, (value, class)) in [(week.found, "bar-blue"), (week.closed, "bar-green"), (week.overdue, "bar-red")].into_iter().enumerate() {
                        @let h = value * (height - 10) / max;
                        rect x=(x + j * column) y=(height - h) width=(column - 2) height=(h.max(1)) class=(class) {}
                    }
                    text x=(x) y=(height + 14) class="chart-label" { (week.starts.format("%m-%d")) }
                }
            }
            div.scroll role="region" aria-label="每周趋势数据 Weekly trend data" tabindex="0" { table.data {
                thead { tr {
                    th scope="col" { "周（起） Week of" } th scope="col" { "发现 Found" }
                    th scope="col" { "销号 Closed" } th scope="col" { "周末逾期 Overdue at week's end" }
                } }
                tbody {
                    @for week in weeks {
                        @let to = week.starts + chrono::Duration::days(6);
                        tr {
                            th scope="row" { (week.starts) }
                            td { a href={"/console/?from=" (week.starts) "&to=" (to) "#ledger-title"} { (week.found) } }
                            td { (week.closed) }
                            td { (week.overdue) }
                        }
                    }
                }
            } }
        }
    }
}
