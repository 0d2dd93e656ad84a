//! The few protocol-buffer messages an Anki package holds, read by hand: `PackageMetadata`
//! (the `meta` entry), `MediaEntries` (the media map of the current format), and the two
//! fields of note type and template configs that rendering needs.
//!
//! Read by hand rather than with `prost`: these are four tiny messages of which recall needs
//! six fields; a 60-line wire-format reader is smaller than the generated code and build step
//! `prost` brings, and skipping unknown fields is the wire format's own rule, so a newer Anki
//! that adds fields still reads.

/// One field of a message: its number and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Varint(u64),
    /// Length-delimited: a string, bytes or an embedded message.
    Bytes(&'a [u8]),
    /// A fixed 32- or 64-bit value, kept only to be skipped.
    Fixed,
}

/// The fields of a message in order, or `None` when the bytes are not a valid message.
pub fn fields(mut bytes: &[u8]) -> Option<Vec<(u64, Value<'_>)>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes)?;
        let value = match key & 7 {
            0 => Value::Varint(varint(&mut bytes)?),
            1 => {
                bytes = bytes.get(8..)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(varint(&mut bytes)?).ok()?;
                let (value, rest) = (bytes.get(..len)?, bytes.get(len..)?);
                bytes = rest;
                Value::Bytes(value)
            }
            5 => {
                bytes = bytes.get(4..)?;
                Value::Fixed
            }
            _ => return None,
        };
        out.push((key >> 3, value));
    }
    Some(out)
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The last varint of field `number` (protobuf's rule for repeated scalars read as one), or 0.
pub fn varint_field(fields: &[(u64, Value<'_>)], number: u64) -> u64 {
    fields
        .iter()
        .rev()
        .find_map(|(n, v)| match v {
            Value::Varint(x) if *n == number => Some(*x),
            _ => None,
        })
        .unwrap_or(0)
}

/// The last string of field `number`, or "" (a missing string is protobuf's empty default).
pub fn string_field(fields: &[(u64, Value<'_>)], number: u64) -> String {
    fields
        .iter()
        .rev()
        .find_map(|(n, v)| match v {
            Value::Bytes(b) if *n == number => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        })
        .unwrap_or_default()
}

/// `PackageMetadata.version` (field 1): 1 `collection.anki2`, 2 `collection.anki21`,
/// 3 `collection.anki21b`; `None` when the bytes are not the message.
pub fn package_version(meta: &[u8]) -> Option<u64> {
    fields(meta).map(|f| varint_field(&f, 1))
}

/// `MediaEntries`: for each media file in the order of its zip entry (`0`, `1`, …), its name.
pub fn media_names(entries: &[u8]) -> Option<Vec<String>> {
    fields(entries)?
        .into_iter()
        .filter(|(n, _)| *n == 1)
        .map(|(_, v)| match v {
            // MediaEntry: name = 1, size = 2, sha1 = 3.
            Value::Bytes(entry) => fields(entry).map(|f| string_field(&f, 1)),
            _ => None,
        })
        .collect()
}

/// `NotetypeTemplateConfig`: the question and answer formats (fields 1 and 2).
pub fn template_formats(config: &[u8]) -> Option<(String, String)> {
    let f = fields(config)?;
    Some((string_field(&f, 1), string_field(&f, 2)))
}

/// `NotetypeConfig.kind` (field 1): whether the note type is Cloze (1) rather than normal (0).
pub fn is_cloze_kind(config: &[u8]) -> Option<bool> {
    fields(config).map(|f| varint_field(&f, 1) == 1)
}

/// `NotetypeConfig.css` (field 3): the style sheet of the note type's cards.
pub fn note_type_css(config: &[u8]) -> Option<String> {
    fields(config).map(|f| string_field(&f, 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_metadata_gives_its_version() {
        // Anki 26.9's `meta` entry: version LATEST (3).
        assert_eq!(package_version(&[0x08, 0x03]), Some(3));
        assert_eq!(package_version(&[]), Some(0));
        assert_eq!(package_version(&[0x08]), None);
    }

    #[test]
    fn media_entries_give_names_in_order_skipping_other_fields() {
        let entry = |name: &str| {
            let mut e = vec![0x0a, name.len() as u8];
            e.extend_from_slice(name.as_bytes());
            e.extend_from_slice(&[0x10, 0x14, 0x1a, 0x02, 0xab, 0xcd]);
            let mut out = vec![0x0a, e.len() as u8];
            out.extend(e);
            out
        };
        let mut bytes = entry("x.mp3");
        bytes.extend(entry("dot.png"));
        assert_eq!(media_names(&bytes).unwrap(), ["x.mp3", "dot.png"]);
        assert_eq!(media_names(&[0x0a, 0x05, 0x0a]), None, "truncated");
    }

    #[test]
    fn template_and_note_type_configs() {
        let mut config = vec![0x0a, 0x09];
        config.extend_from_slice(b"{{Front}}");
        config.extend_from_slice(&[0x12, 0x08]);
        config.extend_from_slice(b"{{Back}}");
        config.extend_from_slice(&[0x40, 0x82, 0xe5, 0x01]);
        assert_eq!(
            template_formats(&config),
            Some(("{{Front}}".into(), "{{Back}}".into()))
        );
        assert_eq!(is_cloze_kind(&[0x08, 0x01, 0x1a, 0x00]), Some(true));
        assert_eq!(is_cloze_kind(&[0x1a, 0x00]), Some(false));
    }
}
