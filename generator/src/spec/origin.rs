//! Where a node of the loaded document came from: the spec as written, a Swagger 2.0 node it was
//! converted from, or an overlay action, so that diagnostics point into the file a user edits.

use crate::error::Diagnostic;

/// Maps locations in the document the generator reads back to the files they came from.
///
/// Each record says "the subtree at this pointer came from there"; the longest matching record
/// wins, so a record for `#/a/b` overrides one for `#/a` below `#/a/b`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    /// Converted document (OpenAPI 3.0) → the Swagger 2.0 document it came from.
    converted: Vec<(String, String)>,
    /// Document as overlaid → the overlay action that set the node (`file#/actions/0/update/x`).
    overlaid: Vec<(String, String)>,
}

impl Origins {
    /// Records that the converted subtree at `converted` came from `original` in the 2.0 document.
    pub(crate) fn converted_from(&mut self, converted: String, original: String) {
        self.converted.push((converted, original));
    }

    /// Records that the subtree at `pointer` was read from another file (`location` is
    /// `file#/pointer`), as bundling a multi-file spec does.
    pub(crate) fn bundled_from(&mut self, pointer: String, location: String) {
        self.overlaid.push((pointer, location));
    }

    /// Records that an overlay set the subtree at `pointer` (`overlay_location` names its file).
    pub(crate) fn overlaid_by(&mut self, pointer: String, overlay_location: String) {
        self.overlaid.push((pointer, overlay_location));
    }

    /// The location a user should look at for `location` (a `#/…` pointer into the loaded
    /// document); anything else (config locations, overlay locations) is returned unchanged.
    pub fn locate(&self, location: &str) -> String {
        if !location.starts_with('#') {
            return location.to_owned();
        }
        let original = rewrite(&self.converted, location).unwrap_or_else(|| location.to_owned());
        rewrite(&self.overlaid, &original).unwrap_or(original)
    }

    /// Rewrites each diagnostic's location with [`Origins::locate`].
    pub fn relocate(&self, diagnostics: &mut [Diagnostic]) {
        if self.converted.is_empty() && self.overlaid.is_empty() {
            return;
        }
        for diagnostic in diagnostics {
            diagnostic.location = self.locate(&diagnostic.location);
        }
    }
}

/// The longest record whose pointer is `location` or an ancestor of it, applied; among equally
/// long records the latest wins (a later overlay action overrides an earlier one).
fn rewrite(records: &[(String, String)], location: &str) -> Option<String> {
    let mut best: Option<(&str, &str)> = None;
    for (from, to) in records {
        let matches = location == from
            || (location.starts_with(from.as_str())
                && location.as_bytes().get(from.len()) == Some(&b'/'));
        if matches && best.is_none_or(|(kept, _)| from.len() >= kept.len()) {
            best = Some((from, to));
        }
    }
    best.map(|(from, to)| format!("{to}{}", &location[from.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_record_decides_segment_by_segment() {
        let mut origins = Origins::default();
        origins.converted_from("#/components/schemas".into(), "#/definitions".into());
        origins.converted_from(
            "#/paths/~1a/post/requestBody/content/application~1json/schema".into(),
            "#/paths/~1a/post/parameters/1/schema".into(),
        );
        assert_eq!(
            origins.locate("#/components/schemas/Pet/properties/id"),
            "#/definitions/Pet/properties/id"
        );
        assert_eq!(
            origins.locate("#/paths/~1a/post/requestBody/content/application~1json/schema/items"),
            "#/paths/~1a/post/parameters/1/schema/items"
        );
        // A shared prefix that is not a whole segment does not match.
        assert_eq!(
            origins.locate("#/components/schemasX"),
            "#/components/schemasX"
        );
        assert_eq!(origins.locate("config:operations"), "config:operations");
    }

    #[test]
    fn overlay_records_apply_after_conversion_and_the_latest_wins() {
        let mut origins = Origins::default();
        origins.converted_from("#/components/schemas".into(), "#/definitions".into());
        origins.overlaid_by(
            "#/definitions/Pet/properties/id".into(),
            "a.yaml#/actions/0/update/properties/id".into(),
        );
        origins.overlaid_by(
            "#/definitions/Pet/properties/id".into(),
            "b.yaml#/actions/2/update/properties/id".into(),
        );
        assert_eq!(
            origins.locate("#/components/schemas/Pet/properties/id/format"),
            "b.yaml#/actions/2/update/properties/id/format"
        );
        assert_eq!(
            origins.locate("#/components/schemas/Pet/properties/name"),
            "#/definitions/Pet/properties/name"
        );
    }
}
