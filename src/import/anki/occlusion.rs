//! Anki's Image Occlusion notes, which recall cannot draw: each card hides one mask of an
//! image, and its cloze text is the mask's geometry (`{{c1::image-occlusion:rect:left=.1:…}}`),
//! which the cloze renderer would show as the question. A card whose mask carries a label
//! (`text=…`, as Anki's text shapes do) becomes a card that says what it is — the header, the
//! image, which mask is hidden — with the label as its answer; one without a label cannot be
//! answered from text and is left out with a reason. The note itself is kept as Anki has it,
//! so it goes back to Anki unchanged.

use super::html;
use crate::store::anki::NoteType;

/// The marker of a mask in an Image Occlusion note's cloze text.
const MARKER: &str = "image-occlusion:";

/// The question and answer of card `ord` of an Image Occlusion note, or why it is left out;
/// `None` for any other note.
pub fn card(
    note_type: &NoteType,
    fields: &[String],
    ord: u32,
) -> Option<Result<(String, String), String>> {
    let field = |name: &str| {
        note_type
            .fields
            .iter()
            .position(|f| f == name)
            .and_then(|i| fields.get(i))
            .map_or("", String::as_str)
    };
    let occlusion = field("Occlusion");
    if !note_type.cloze || !occlusion.contains(MARKER) {
        return None;
    }
    let number = ord + 1;
    let masks = masks(occlusion, number);
    if masks.is_empty() {
        return Some(Err(format!("image occlusion: no mask {number}")));
    }
    let labels: Vec<&str> = masks.iter().filter_map(|m| property(m, "text")).collect();
    if labels.is_empty() {
        return Some(Err(format!(
            "image occlusion: mask {number} has no label, and recall cannot show which part of the image it hides"
        )));
    }
    let shapes: Vec<String> = masks
        .iter()
        .map(|m| {
            let shape = m.split(':').next().unwrap_or("shape");
            match (property(m, "left"), property(m, "top")) {
                (Some(left), Some(top)) => format!("{shape} at left {left}, top {top}"),
                _ => shape.to_string(),
            }
        })
        .collect();
    let mut front = String::new();
    let header = html::to_text(field("Header"));
    if !header.is_empty() {
        front.push_str(&header);
        front.push('\n');
    }
    let image = html::to_text(field("Image"));
    if !image.is_empty() {
        front.push_str(&image);
        front.push('\n');
    }
    front.push_str(&format!(
        "Image occlusion: what is under mask {number} ({})?",
        shapes.join("; ")
    ));
    let mut back = labels.join(", ");
    let extra = html::to_text(field("Back Extra"));
    if !extra.is_empty() {
        back.push('\n');
        back.push_str(&extra);
    }
    Some(Ok((front, back)))
}

/// The mask specifications (after `image-occlusion:`) of cloze number `number`.
fn masks(text: &str, number: u32) -> Vec<&str> {
    let open = format!("{{{{c{number}::{MARKER}");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        let end = rest.find("}}").unwrap_or(rest.len());
        found.push(&rest[..end]);
        rest = &rest[end..];
    }
    found
}

/// The value of `key=` in a mask specification (`rect:left=.1:top=.2:text=Aorta`).
fn property<'a>(mask: &'a str, key: &str) -> Option<&'a str> {
    mask.split(':')
        .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
        .filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io() -> NoteType {
        NoteType {
            name: "Image Occlusion".into(),
            cloze: true,
            fields: ["Occlusion", "Image", "Header", "Back Extra", "Comments"]
                .map(String::from)
                .to_vec(),
            ..NoteType::default()
        }
    }

    #[test]
    fn a_labelled_mask_is_a_card_and_an_unlabelled_one_a_reason() {
        let fields = [
            "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}{{c2::image-occlusion:rect:left=.5:top=.5:width=.1:height=.1:oi=1:text=Aorta}}",
            "<img src=\"heart.png\">",
            "The heart",
            "",
            "",
        ]
        .map(String::from);
        let (front, back) = card(&io(), &fields, 1).unwrap().unwrap();
        assert_eq!(
            front,
            "The heart\n[image: heart.png]\nImage occlusion: what is under mask 2 (rect at left .5, top .5)?"
        );
        assert_eq!(back, "Aorta");
        let why = card(&io(), &fields, 0).unwrap().unwrap_err();
        assert!(why.contains("mask 1 has no label"), "{why}");
        let mut plain = io();
        plain.name = "Cloze".into();
        plain.fields = vec!["Text".into(), "Back Extra".into()];
        assert!(card(&plain, &["{{c1::x}}".into(), String::new()], 0).is_none());
    }
}
