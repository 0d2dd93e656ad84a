//! `recall stats` in the terminal: the figures of [`super::Stats`] as text that fits the width
//! (readable at 80 columns and below), coloured only when asked.

use std::fmt::Write as _;

use chrono::Datelike;
use unicode_width::UnicodeWidthStr;

use super::{Counts, DayCount, Rate, Stats};
use crate::display::{inert, plural};

/// Shades from none to most, for the heatmap.
const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];
/// Eighths of a block, for bar tops.
const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Adds colour when asked, nothing otherwise.
pub struct Painter {
    pub colour: bool,
}

impl Painter {
    fn paint(&self, text: &str, sgr: &str) -> String {
        if self.colour && !text.is_empty() {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn title(&self, text: &str) -> String {
        self.paint(text, "1")
    }
}

fn percent(rate: &Rate) -> String {
    match rate.rate {
        Some(r) => format!("{:.0}% ({}/{})", r * 100.0, rate.passed, rate.total),
        None => "-".to_string(),
    }
}

fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + 2 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn shade(count: usize, max: usize) -> usize {
    if count == 0 || max == 0 {
        0
    } else {
        1 + (count * 4 - 1) / max.max(1)
    }
    .min(4)
}

/// The contribution-graph heatmap: weeks as columns (as many recent weeks as fit), weekdays
/// as rows, month labels above, a legend below.
pub fn heatmap(days: &[DayCount], width: usize, p: &Painter) -> Vec<String> {
    let weeks_all = days.len() / 7;
    let weeks = weeks_all.min(width.saturating_sub(5).max(4));
    let shown = &days[(weeks_all - weeks) * 7..];
    let max = shown.iter().map(|d| d.count).max().unwrap_or(0);
    let mut lines = Vec::new();
    let mut months = " ".repeat(4);
    let mut last_month = 0;
    let mut col = 0;
    for week in 0..weeks {
        let first = shown[week * 7].day;
        if first.month() != last_month && (week == 0 || week > col) {
            let name = first.format("%b").to_string();
            if week + name.len() <= weeks {
                months.push_str(&" ".repeat(week - col));
                months.push_str(&name);
                col = week + name.len();
            }
            last_month = first.month();
        }
    }
    lines.push(months);
    for (row, name) in ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        .iter()
        .enumerate()
    {
        let mut line = format!("{name} ");
        for week in 0..weeks {
            let day = shown[week * 7 + row];
            let level = shade(day.count, max);
            let cell = SHADES[level].to_string();
            line.push_str(&match level {
                0 => p.paint(&cell, "90"),
                _ => p.paint(&cell, "32"),
            });
        }
        lines.push(line);
    }
    let legend: String = SHADES.iter().collect();
    lines.push(format!("    Less {legend} More   (most in a day: {max})"));
    lines
}

/// A vertical bar chart, one bar per day, with its scale on the left and dates below.
pub fn bars(values: &[DayCount], width: usize, p: &Painter) -> Vec<String> {
    const HEIGHT: usize = 6;
    let max = values.iter().map(|d| d.count).max().unwrap_or(0);
    let label = max.to_string().len().max(1);
    let room = width.saturating_sub(label + 3);
    let col = if room >= values.len() * 2 { 2 } else { 1 };
    let values = &values[values.len().saturating_sub(room / col)..];
    let mut lines = Vec::new();
    for row in (0..HEIGHT).rev() {
        let axis = match row {
            r if r == HEIGHT - 1 => max.to_string(),
            0 => "0".to_string(),
            _ => String::new(),
        };
        let mut line = format!("{axis:>label$} │");
        for v in values {
            let eighths = (v.count * HEIGHT * 8).checked_div(max).unwrap_or(0);
            let level = eighths.saturating_sub(row * 8).min(8);
            let cell: String = std::iter::repeat_n(EIGHTHS[level], col).collect();
            line.push_str(&p.paint(&cell, "36"));
        }
        lines.push(line);
    }
    lines.push(format!(
        "{} └{}",
        " ".repeat(label),
        "─".repeat(values.len() * col)
    ));
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        let from = first.day.format("%m-%d").to_string();
        let to = last.day.format("%m-%d").to_string();
        let gap = (values.len() * col).saturating_sub(from.len() + to.len());
        lines.push(format!(
            "{}  {from}{}{to}",
            " ".repeat(label),
            " ".repeat(gap)
        ));
    }
    lines
}

fn counts_row(name: &str, c: &Counts, name_width: usize, cell: usize) -> String {
    let mut row = format!("  {:<name_width$}", fit(&inert(name), name_width));
    for n in [
        c.new,
        c.learning,
        c.young,
        c.mature,
        c.suspended,
        c.leech,
        c.total(),
    ] {
        let _ = write!(row, "{n:>cell$}");
    }
    row
}

fn retention(out: &mut String, stats: &Stats, width: usize, p: &Painter) {
    let r = &stats.retention;
    let _ = writeln!(out, "\n{}", p.title("Retention: reviews passed (grade 3+)"));
    if width >= 66 {
        let _ = writeln!(out, "  {:<24} {:<20} all time", "", "last 30 days");
        let _ = writeln!(
            out,
            "  {:<24} {:<20} {}",
            "young (interval < 21 d)",
            percent(&r.young_30d),
            percent(&r.young_all)
        );
        let _ = writeln!(
            out,
            "  {:<24} {:<20} {}",
            "mature",
            percent(&r.mature_30d),
            percent(&r.mature_all)
        );
    } else {
        let _ = writeln!(out, "  young, last 30 days:  {}", percent(&r.young_30d));
        let _ = writeln!(out, "  young, all time:      {}", percent(&r.young_all));
        let _ = writeln!(out, "  mature, last 30 days: {}", percent(&r.mature_30d));
        let _ = writeln!(out, "  mature, all time:     {}", percent(&r.mature_all));
    }
}

fn cards_and_outline(out: &mut String, stats: &Stats, width: usize, p: &Painter) {
    let wide = width >= 60;
    let cell = if wide { 7 } else { 4 };
    let name_width = width.saturating_sub(3 + 7 * cell).clamp(6, 40);
    let names: [&str; 7] = if wide {
        ["new", "learn", "young", "mature", "susp", "leech", "total"]
    } else {
        ["new", "lrn", "yng", "mat", "sus", "lch", "all"]
    };
    let mut header = format!("  {:<name_width$}", "");
    for name in names {
        let _ = write!(header, "{name:>cell$}");
    }
    let _ = writeln!(out, "\n{}", p.title("Cards by deck"));
    let _ = writeln!(out, "{header}");
    for (deck, counts) in &stats.by_deck {
        let _ = writeln!(out, "{}", counts_row(deck, counts, name_width, cell));
    }
    let _ = writeln!(
        out,
        "{}",
        counts_row("all decks", &stats.cards, name_width, cell)
    );
    let _ = writeln!(out, "\n{}", p.title("Cards by level"));
    let _ = writeln!(out, "{header}");
    for (level, counts) in &stats.by_level {
        let _ = writeln!(out, "{}", counts_row(level, counts, name_width, cell));
    }

    let _ = writeln!(out, "\n{}", p.title("The guide: learned cards, retention"));
    let figures = if wide { 22 } else { 13 };
    for section in &stats.outline {
        let name = section.path.rsplit(" > ").next().unwrap_or(&section.path);
        let indent = "  ".repeat(section.depth.min(4) + 1);
        let room = width.saturating_sub(indent.len() + figures + 1).max(8);
        let bar_len = 8usize;
        let filled = (section.learned * bar_len)
            .checked_div(section.total)
            .unwrap_or(0);
        let bar = if wide {
            format!("{}{} ", "■".repeat(filled), "□".repeat(bar_len - filled))
        } else {
            String::new()
        };
        let retention = section
            .retention
            .rate
            .map_or("  -".into(), |r| format!("{:>3.0}%", r * 100.0));
        let _ = writeln!(
            out,
            "{indent}{:<room$} {}{:>3}/{:<3} {retention}",
            fit(&inert(name), room),
            p.paint(&bar, "32"),
            section.learned,
            section.total
        );
    }
}

/// The whole report, fitted to `width` columns (at least 40).
pub fn render(stats: &Stats, width: usize, colour: bool) -> String {
    let width = width.max(40);
    let p = Painter { colour };
    let mut out = String::new();
    let t = &stats.today;
    let minutes = t.time_ms / 60_000;
    let seconds = (t.time_ms / 1000) % 60;
    let accuracy = t
        .accuracy
        .map_or("-".into(), |a| format!("{:.0}%", a * 100.0));
    let _ = writeln!(out, "{}", p.title(&format!("Today ({})", stats.today_date)));
    let _ = writeln!(
        out,
        "  {} reviewed ({} new), {}",
        plural(t.reviewed, "card"),
        t.new_learned,
        plural(t.answers, "answer")
    );
    let _ = writeln!(
        out,
        "  {minutes} min {seconds:02} s spent, {accuracy} correct"
    );
    let _ = writeln!(
        out,
        "  Streak: {} (longest {})",
        plural(stats.streak.current as usize, "day"),
        stats.streak.longest
    );

    let _ = writeln!(out, "\n{}", p.title("Reviews in the past year"));
    for line in heatmap(&stats.heatmap, width, &p) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\n{}", p.title("Reviews per day, last 30 days"));
    for line in bars(&stats.reviews_30d, width, &p) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\n{}", p.title("Due, next 30 days (today: + overdue)"));
    for line in bars(&stats.forecast_30d, width, &p) {
        let _ = writeln!(out, "{line}");
    }

    retention(&mut out, stats, width, &p);
    cards_and_outline(&mut out, stats, width, &p);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn days(n: usize, start: &str) -> Vec<DayCount> {
        let start: NaiveDate = start.parse().unwrap();
        (0..n)
            .map(|i| DayCount {
                day: start + chrono::Duration::days(i as i64),
                count: i % 5,
            })
            .collect()
    }

    #[test]
    fn the_heatmap_has_seven_rows_month_labels_and_fits_the_width() {
        let p = Painter { colour: false };
        for width in [40, 60, 80, 120] {
            let lines = heatmap(&days(371, "2025-02-23"), width, &p);
            assert_eq!(lines.len(), 9, "labels, 7 days, legend");
            assert!(lines[1].starts_with("Sun "));
            assert!(lines[7].starts_with("Sat "));
            for line in &lines[..8] {
                assert!(line.width() <= width, "{width}: {line}");
            }
            assert!(
                lines[0].contains("Mar") || lines[0].contains("Jan") || lines[0].contains("Feb"),
                "{}",
                lines[0]
            );
        }
    }

    #[test]
    fn shades_grow_with_the_count() {
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(1, 10), 1);
        assert_eq!(shade(10, 10), 4);
        assert!(shade(5, 10) < shade(9, 10));
    }

    #[test]
    fn bars_show_their_scale_and_fit_the_width() {
        let p = Painter { colour: false };
        let values = days(30, "2026-02-01");
        for width in [40, 80] {
            let lines = bars(&values, width, &p);
            assert!(lines[0].starts_with("4 │"), "{}", lines[0]);
            assert!(lines[5].starts_with("0 │"), "{}", lines[5]);
            for line in &lines {
                assert!(line.width() <= width, "{width}: {line}");
            }
        }
    }

    #[test]
    fn without_colour_there_are_no_escape_sequences() {
        let p = Painter { colour: false };
        assert!(
            !heatmap(&days(371, "2025-02-23"), 80, &p)
                .concat()
                .contains('\x1b')
        );
        let coloured = Painter { colour: true };
        assert!(
            heatmap(&days(371, "2025-02-23"), 80, &coloured)
                .concat()
                .contains("\x1b[32m")
        );
    }
}
