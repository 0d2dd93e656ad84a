//! `recall stats --html FILE`: one self-contained page (no scripts, no external files) with the
//! same figures, charts drawn as inline SVG.

use std::fmt::Write as _;

use super::{Counts, DayCount, Rate, Stats};
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
    let mut last_month = String::new();
    for (i, day) in days.iter().enumerate() {
        let (week, row) = (i / 7, i % 7);
        let x = left + week * (cell + gap);
        if row == 0 {
            let month = day.day.format("%b").to_string();
            if month != last_month {
                let _ = write!(svg, r#"<text x="{x}" y="10" font-size="9">{month}</text>"#);
                last_month = month;
            }
        }
        let level = if day.count == 0 || max == 0 {
            0
        } else {
            (1 + (day.count * 4 - 1) / max).min(4)
        };
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="{cell}" height="{cell}" rx="2" fill="{}"><title>{}: {} reviews</title></rect>"#,
            top + row * (cell + gap),
            GREENS[level],
            day.day,
            day.count
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
        "<p>Today: {} cards reviewed ({} new), {} answers, {} s, accuracy {}. Streak: {} days (longest {}).</p>",
        t.reviewed,
        t.new_learned,
        t.answers,
        t.time_ms / 1000,
        t.accuracy
            .map_or("–".into(), |a| format!("{:.0}%", a * 100.0)),
        stats.streak.current,
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
