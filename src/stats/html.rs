//! `recall stats --html FILE`: one self-contained page (no scripts, no external files) with the
//! same figures, charts drawn as inline SVG.

use std::fmt::Write as _;

use super::{Counts, DayCount, Rate, Stats};
use crate::display::plural;
use crate::import::html::escape;

const GREENS: [&str; 5] = ["#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39"];

fn heatmap_svg(days: &[DayCount]) -> String {
    let max = days.iter().map(|d| d.count).max().unwrap_or(0);
    let weeks = days.len() / 7;
    let (cell, gap, left, top) = (11, 2, 30, 16);
    let width = left + weeks * (cell + gap);
    let height = top + 7 * (cell + gap) + 20;
    let mut svg = format!(
        r#"<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="Reviews per day over the past year">"#
    );
    for (row, name) in ["", "Mon", "", "Wed", "", "Fri", ""].iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" font-size="9">{name}</text>"#,
            top + row * (cell + gap) + 9
        );
    }
    for (week, month) in month_labels(days) {
        let x = left + week * (cell + gap);
        let _ = write!(svg, r#"<text x="{x}" y="10" font-size="9">{month}</text>"#);
    }
    for (i, day) in days.iter().enumerate() {
        let (week, row) = (i / 7, i % 7);
        let x = left + week * (cell + gap);
        let level = if day.count == 0 || max == 0 {
            0
        } else {
            (1 + (day.count * 4 - 1) / max).min(4)
        };
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="{cell}" height="{cell}" rx="2" fill="{}"><title>{}: {}</title></rect>"#,
            top + row * (cell + gap),
            GREENS[level],
            day.day,
            crate::display::plural(day.count, "review")
        );
    }
    let legend_y = top + 7 * (cell + gap) + 12;
    let _ = write!(
        svg,
        r#"<text x="{left}" y="{legend_y}" font-size="9">Less</text>"#
    );
    for (i, colour) in GREENS.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{cell}" height="{cell}" rx="2" fill="{colour}"/>"#,
            left + 28 + i * (cell + gap),
            legend_y - 9
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{legend_y}" font-size="9">More (max {max})</text></svg>"#,
        left + 28 + 5 * (cell + gap) + 4
    );
    svg
}

/// The heatmap's month labels: `(week column, month)` where a month's first week starts. A
/// label needs three week columns: one closer than that to the next is dropped — the month cut short at the left edge gives
/// way to the whole month after it, so labels never overlap.
fn month_labels(days: &[DayCount]) -> Vec<(usize, String)> {
    const ROOM: usize = 3;
    let mut labels: Vec<(usize, String)> = Vec::new();
    for (week, first) in days.chunks(7).enumerate() {
        let month = first[0].day.format("%b").to_string();
        if labels.last().is_none_or(|(_, last)| *last != month) {
            labels.push((week, month));
        }
    }
    let mut kept: Vec<(usize, String)> = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let next = labels.get(i + 1).map_or(usize::MAX, |(week, _)| *week);
        if next - label.0 >= ROOM {
            kept.push(label.clone());
        }
    }
    kept
}

fn bars_svg(values: &[DayCount], label: &str) -> String {
    let max = values.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    let (bar, gap, left, chart) = (14, 4, 36, 120);
    let width = left + values.len() * (bar + gap);
    let mut svg = format!(
        r#"<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{}" role="img" aria-label="{label}">"#,
        chart + 30
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="10" font-size="9">{max}</text><text x="0" y="{chart}" font-size="9">0</text>"#
    );
    let _ = write!(
        svg,
        r##"<line x1="{}" y1="0" x2="{}" y2="{chart}" stroke="#999"/>"##,
        left - 4,
        left - 4
    );
    for (i, v) in values.iter().enumerate() {
        let h = v.count * chart / max;
        let x = left + i * (bar + gap);
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{}" width="{bar}" height="{h}" fill="#3b82c4"><title>{}: {}</title></rect>"##,
            chart - h,
            v.day,
            v.count
        );
    }
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}" font-size="9">{}</text><text x="{}" y="{}" font-size="9" text-anchor="end">{}</text>"#,
            chart + 14,
            first.day,
            width,
            chart + 14,
            last.day
        );
    }
    svg.push_str("</svg>");
    svg
}

fn rate(r: &Rate) -> String {
    r.rate.map_or("–".into(), |v| {
        format!("{:.0}% ({}/{})", v * 100.0, r.passed, r.total)
    })
}

fn counts_table(title: &str, rows: &[(String, Counts)]) -> String {
    let mut t = format!(
        "<h2>{}</h2><table><tr><th></th><th>new</th><th>learning</th><th>young</th><th>mature</th><th>suspended</th><th>leech</th><th>total</th></tr>",
        escape(title)
    );
    for (name, c) in rows {
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            c.new,
            c.learning,
            c.young,
            c.mature,
            c.suspended,
            c.leech,
            c.total()
        );
    }
    t.push_str("</table>");
    t
}

/// The page.
pub fn render(stats: &Stats) -> String {
    let t = &stats.today;
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>recall stats</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right}td:first-child{text-align:left}h2{margin-top:1.5em}.outline td:first-child{white-space:pre}</style></head><body>\n",
    );
    let _ = write!(page, "<h1>recall — {}</h1>", stats.today_date);
    let _ = write!(
        page,
        "<p>Today: {} reviewed ({} new), {}, {} s, accuracy {}. Streak: {} (longest {}).</p>",
        plural(t.reviewed, "card"),
        t.new_learned,
        plural(t.answers, "answer"),
        t.time_ms / 1000,
        t.accuracy
            .map_or("–".into(), |a| format!("{:.0}%", a * 100.0)),
        plural(stats.streak.current as usize, "day"),
        stats.streak.longest
    );
    let _ = write!(
        page,
        "<h2>Reviews in the past year</h2>{}",
        heatmap_svg(&stats.heatmap)
    );
    let _ = write!(
        page,
        "<h2>Reviews per day, last 30 days</h2>{}",
        bars_svg(&stats.reviews_30d, "Reviews per day")
    );
    let _ = write!(
        page,
        "<h2>Due in the next 30 days</h2>{}",
        bars_svg(&stats.forecast_30d, "Due forecast")
    );
    let r = &stats.retention;
    let _ = write!(
        page,
        "<h2>Retention</h2><table><tr><th></th><th>last 30 days</th><th>all time</th></tr><tr><td>young (interval &lt; 21 d)</td><td>{}</td><td>{}</td></tr><tr><td>mature</td><td>{}</td><td>{}</td></tr></table>",
        rate(&r.young_30d),
        rate(&r.young_all),
        rate(&r.mature_30d),
        rate(&r.mature_all)
    );
    let mut decks: Vec<(String, Counts)> =
        stats.by_deck.iter().map(|(k, v)| (k.clone(), *v)).collect();
    decks.push(("all".into(), stats.cards));
    page.push_str(&counts_table("Cards by deck", &decks));
    let levels: Vec<(String, Counts)> = stats
        .by_level
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    page.push_str(&counts_table("Cards by level", &levels));
    page.push_str("<h2>The guide</h2><table class=\"outline\"><tr><th>section</th><th>learned</th><th>retention</th></tr>");
    for s in &stats.outline {
        let name = s.path.rsplit(" > ").next().unwrap_or(&s.path);
        let _ = write!(
            page,
            "<tr><td>{}{}</td><td>{}/{}</td><td>{}</td></tr>",
            "  ".repeat(s.depth),
            escape(name),
            s.learned,
            s.total,
            rate(&s.retention)
        );
    }
    page.push_str("</table>\n</body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn year_from(start: NaiveDate) -> Vec<DayCount> {
        (0..371)
            .map(|i| DayCount {
                day: start + chrono::Days::new(i),
                count: 0,
            })
            .collect()
    }

    /// The x of every month label in the heatmap, in order.
    fn label_xs(svg: &str) -> Vec<usize> {
        svg.split("<text x=\"")
            .skip(1)
            .filter_map(|piece| {
                let (x, rest) = piece.split_once('"')?;
                rest.starts_with(" y=\"10\"").then(|| x.parse().ok())?
            })
            .collect()
    }

    #[test]
    fn month_labels_never_overlap_even_when_the_year_starts_at_a_month_end() {
        for start in ["2025-02-23", "2025-03-30", "2025-03-01", "2025-06-28"] {
            let start: NaiveDate = start.parse().unwrap();
            let svg = heatmap_svg(&year_from(start));
            let xs = label_xs(&svg);
            assert!(xs.len() >= 11, "{start}: {xs:?}");
            for pair in xs.windows(2) {
                // A label is at most 3 letters of 9-pixel text: about 20 pixels.
                assert!(pair[1] - pair[0] >= 3 * 13, "{start}: {xs:?}");
            }
        }
    }

    #[test]
    fn a_day_with_one_review_says_review() {
        let mut days = year_from("2025-03-01".parse().unwrap());
        days[0].count = 1;
        let svg = heatmap_svg(&days);
        assert!(svg.contains("<title>2025-03-01: 1 review</title>"), "{svg}");
    }
}
