//! Recognising an archive by its first bytes, never by its name: a supplier
//! can name a file anything, and a `.png` that is a zip must still be opened.

use crate::Format;

/// Size of a tar header block.
pub(crate) const TAR_BLOCK: usize = 512;

/// The format of the content that starts with `head`, from magic numbers
/// only, or `None` when it is not an archive this crate opens (7z, rar and
/// plain files among them).
///
/// Tar has no magic number at offset 0: it is recognised by `ustar` at offset
/// 257, or by a valid old-style (v7) header checksum, so `head` must hold the
/// first 512 bytes for a tar to be recognised.
pub fn sniff(head: &[u8]) -> Option<Format> {
    const ZIP_LOCAL: &[u8] = b"PK\x03\x04";
    const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
    const ZIP_SPANNED: &[u8] = b"PK\x07\x08";
    const GZIP: &[u8] = &[0x1f, 0x8b, 0x08];
    const XZ: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
    const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

    if head.starts_with(ZIP_LOCAL) || head.starts_with(ZIP_EMPTY) || head.starts_with(ZIP_SPANNED) {
        Some(Format::Zip)
    } else if head.starts_with(GZIP) {
        Some(Format::Gzip)
    } else if head.starts_with(XZ) {
        Some(Format::Xz)
    } else if head.starts_with(ZSTD) {
        Some(Format::Zstd)
    } else if is_bzip2(head) {
        Some(Format::Bzip2)
    } else if is_tar_header(head) {
        Some(Format::Tar)
    } else {
        None
    }
}

/// `BZh` and a block size digit, then (when present) the magic of a first
/// block or of an empty stream's end: a text file may well start with `BZh1`.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: &[u8] = &[0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: &[u8] = &[0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    match head {
        [b'B', b'Z', b'h', b'1'..=b'9', rest @ ..] if rest.len() >= 6 => {
            rest.starts_with(BLOCK) || rest.starts_with(END)
        }
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => true,
        _ => false,
    }
}

/// Whether `block` starts with a tar header: `ustar` at offset 257 (POSIX and
/// GNU), or a header checksum that matches (old-style v7 tars).
pub(crate) fn is_tar_header(block: &[u8]) -> bool {
    let Some(block) = block.get(..TAR_BLOCK) else {
        return false;
    };
    if &block[257..262] == b"ustar" {
        return true;
    }
    let Some(declared) = parse_octal(&block[148..156]) else {
        return false;
    };
    let field_as_spaces = 8 * u64::from(b' ');
    let (head, tail) = (&block[..148], &block[156..]);
    let unsigned: u64 = head.iter().chain(tail).map(|&b| u64::from(b)).sum();
    // Some old tars summed signed chars.
    let signed: i64 = head
        .iter()
        .chain(tail)
        .map(|&b| i64::from(b.cast_signed()))
        .sum();
    declared == unsigned + field_as_spaces
        || i64::try_from(declared).is_ok_and(|d| d == signed + 256)
}

/// An octal number padded with spaces or NULs, as tar writes them.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let digits = field
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    let mut any = false;
    for &b in digits {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
        any = true;
    }
    any.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v7_header(name: &[u8]) -> Vec<u8> {
        let mut block = vec![0u8; TAR_BLOCK];
        block[..name.len()].copy_from_slice(name);
        block[100..107].copy_from_slice(b"0000644");
        block[124..135].copy_from_slice(b"00000000005");
        block[156] = b'0';
        block[148..156].copy_from_slice(b"        ");
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
        let field = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(field.as_bytes());
        block
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(sniff(b"PK\x05\x06\0\0"), Some(Format::Zip));
        assert_eq!(sniff(&[0x1f, 0x8b, 0x08, 0]), Some(Format::Gzip));
        assert_eq!(sniff(b"\xfd7zXZ\0\0"), Some(Format::Xz));
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Some(Format::Zstd));
        assert_eq!(
            sniff(b"BZh91AY&SY\0\0"),
            Some(Format::Bzip2),
            "bzip2 with a first block"
        );
        assert_eq!(
            sniff(b"BZh1 is my band name"),
            None,
            "text starting with BZh1"
        );
        assert_eq!(
            sniff(b"7z\xbc\xaf\x27\x1c\0\x04"),
            None,
            "7z is not supported"
        );
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"PK"), None);
        assert_eq!(sniff(&[0u8; 1024]), None, "zeros are not a tar header");
    }

    #[test]
    fn tar_by_ustar_or_v7_checksum() {
        let mut posix = vec![0u8; TAR_BLOCK];
        posix[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&posix), Some(Format::Tar));
        assert_eq!(
            sniff(&posix[..300]),
            None,
            "a tar needs its whole first block"
        );

        let v7 = v7_header(b"hello.txt");
        assert_eq!(sniff(&v7), Some(Format::Tar));
        let mut broken = v7.clone();
        broken[0] = b'j';
        assert_eq!(sniff(&broken), None, "checksum no longer matches");
        let mut high = v7_header(b"caf\xc3\xa9.txt");
        assert_eq!(sniff(&high), Some(Format::Tar));
        high[148] = b'9';
        assert_eq!(sniff(&high), None, "not octal");
    }
}
