//! Why an envelope was refused.

/// Why an envelope was refused, naming the item (0-based) and the byte offset in the body
/// where the problem starts. Nothing of a refused envelope is to be stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the envelope is {size} bytes; at most {limit} are accepted")]
    EnvelopeTooLarge { size: usize, limit: usize },
    #[error("the body is empty: an envelope starts with a JSON header line")]
    Empty,
    #[error("the envelope header (the first line) is not a JSON object: {reason}")]
    InvalidHeader { reason: String },
    #[error("item {index} (byte {offset}): the item header is not a JSON object: {reason}")]
    InvalidItemHeader {
        index: usize,
        offset: usize,
        reason: String,
    },
    #[error("item {index} (byte {offset}): the item header has no type")]
    MissingItemType { index: usize, offset: usize },
    #[error(
        "item {index} (byte {offset}): length {length} runs past the end of the envelope \
         ({available} bytes are left)"
    )]
    LengthPastEnd {
        index: usize,
        offset: usize,
        length: usize,
        available: usize,
    },
    #[error(
        "item {index} (byte {offset}): the {length}-byte payload is not followed by a newline; \
         is its length right?"
    )]
    MissingNewline {
        index: usize,
        offset: usize,
        length: usize,
    },
    #[error(
        "item {index} ({kind}, byte {offset}): the payload is {size} bytes; at most {limit} \
         are accepted"
    )]
    ItemTooLarge {
        index: usize,
        offset: usize,
        kind: String,
        size: usize,
        limit: usize,
    },
    #[error("the envelope holds more than {limit} items")]
    TooManyItems { limit: usize },
}

impl EnvelopeError {
    /// A stable code for the JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            EnvelopeError::EnvelopeTooLarge { .. } => "envelope_too_large",
            EnvelopeError::Empty => "empty_envelope",
            EnvelopeError::InvalidHeader { .. } => "invalid_envelope_header",
            EnvelopeError::InvalidItemHeader { .. } => "invalid_item_header",
            EnvelopeError::MissingItemType { .. } => "missing_item_type",
            EnvelopeError::LengthPastEnd { .. } => "length_past_end",
            EnvelopeError::MissingNewline { .. } => "missing_newline",
            EnvelopeError::ItemTooLarge { .. } => "item_too_large",
            EnvelopeError::TooManyItems { .. } => "too_many_items",
        }
    }

    /// Whether the envelope broke a size limit (413) rather than being malformed (400).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            EnvelopeError::EnvelopeTooLarge { .. }
                | EnvelopeError::ItemTooLarge { .. }
                | EnvelopeError::TooManyItems { .. }
        )
    }

    /// The item to blame (0-based), when one is.
    pub fn item_index(&self) -> Option<usize> {
        match self {
            EnvelopeError::InvalidItemHeader { index, .. }
            | EnvelopeError::MissingItemType { index, .. }
            | EnvelopeError::LengthPastEnd { index, .. }
            | EnvelopeError::MissingNewline { index, .. }
            | EnvelopeError::ItemTooLarge { index, .. } => Some(*index),
            _ => None,
        }
    }
}
