//! A bound on message nesting, enforced before mail-parser sees the bytes.
//!
//! mail-parser walks multiparts with a heap stack, but every attached message
//! (message/rfc822, message/global, or a part of multipart/digest) becomes a `Message`
//! nested inside its parent, and building and dropping that tree recurses: about 20,000
//! levels overflow a 2 MiB thread stack. Each level needs its own Content-Type line naming
//! `rfc822`, `global` or `digest`, so counting those names on Content-Type lines bounds the
//! depth. Past the limit the names are altered in a copy (`rfc822` → `rfc82x`, same length,
//! so offsets stay valid) and those parts arrive as plain attachments. A limit in the
//! parser's own recursion was rejected: it is not ours to change, and a thread with a huge
//! stack only moves the cliff.

/// Content-Type declarations of message kinds honoured; far above real mail (a digest of 200
/// forwarded messages), far below what overflows a stack.
pub(crate) const MAX_MESSAGE_DECLARATIONS: usize = 256;

const NAMES: [&[u8; 6]; 3] = [b"rfc822", b"global", b"digest"];

/// A copy of `raw` with message declarations beyond `limit` defused, or `None` when there
/// are not that many.
pub(crate) fn defuse_message_nesting(raw: &[u8], limit: usize) -> Option<Vec<u8>> {
    let positions = declaration_positions(raw);
    if positions.len() <= limit {
        return None;
    }
    let mut copy = raw.to_vec();
    for &pos in &positions[limit..] {
        if let Some(last) = copy.get_mut(pos + 5) {
            *last = b'x';
        }
    }
    Some(copy)
}

/// Start offsets of `rfc822`/`global`/`digest` (any case) on Content-Type lines, including
/// their folded continuation lines.
fn declaration_positions(raw: &[u8]) -> Vec<usize> {
    let mut positions = Vec::new();
    let mut in_content_type = false;
    let mut start = 0;
    while start < raw.len() {
        let end = raw[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| start + i + 1);
        let line = &raw[start..end];
        let continuation = line.first().is_some_and(|&b| b == b' ' || b == b'\t');
        in_content_type = if continuation {
            in_content_type
        } else {
            is_content_type_line(line)
        };
        if in_content_type {
            for i in 0..line.len().saturating_sub(5) {
                let word = &line[i..i + 6];
                if NAMES
                    .iter()
                    .any(|name| word.eq_ignore_ascii_case(&name[..]))
                {
                    positions.push(start + i);
                }
            }
        }
        start = end;
    }
    positions
}

fn is_content_type_line(line: &[u8]) -> bool {
    const NAME: &[u8] = b"content-type";
    line.len() > NAME.len()
        && line[..NAME.len()].eq_ignore_ascii_case(NAME)
        && line[NAME.len()..]
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_some_and(|&b| b == b':')
}

#[cfg(test)]
mod tests {
    use super::defuse_message_nesting;

    #[test]
    fn only_declarations_past_the_limit_on_content_type_lines_are_defused() {
        let raw =
            b"Content-Type: message/rfc822\r\n\r\nContent-type :\r\n multipart/DIGEST; x=1\r\n\
            \r\nbody mentions rfc822 and global\r\nContent-Type: message/global\r\n";
        assert_eq!(defuse_message_nesting(raw, 3), None);
        let defused = defuse_message_nesting(raw, 1).unwrap();
        let text = String::from_utf8(defused).unwrap();
        assert_eq!(
            text,
            "Content-Type: message/rfc822\r\n\r\nContent-type :\r\n multipart/DIGESx; x=1\r\n\
            \r\nbody mentions rfc822 and global\r\nContent-Type: message/globax\r\n"
        );
    }
}
