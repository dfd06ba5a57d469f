//! The compression methods of zip members, and their decompressors.

use std::io::{self, Cursor, Read};

use crate::stream::XZ_MEMORY_LIMIT;

/// A compression method this crate decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    Stored,
    Deflate,
    Deflate64,
    Bzip2,
    Lzma,
    Zstd,
    Xz,
}

/// Zip's code for AES-encrypted members (the real method is in an extra field).
pub(super) const AES: u16 = 99;

impl Method {
    /// The method of `code`, or `None` when it is not supported.
    pub(super) fn from_code(code: u16) -> Option<Method> {
        Some(match code {
            0 => Method::Stored,
            8 => Method::Deflate,
            9 => Method::Deflate64,
            12 => Method::Bzip2,
            14 => Method::Lzma,
            93 => Method::Zstd,
            95 => Method::Xz,
            _ => return None,
        })
    }
}

/// A readable name for a method code, for messages.
pub(super) fn name(code: u16) -> &'static str {
    match code {
        0 => "stored",
        1 => "shrink",
        2..=5 => "reduce",
        6 => "implode",
        8 => "deflate",
        9 => "deflate64",
        10 => "PKWARE DCL implode",
        12 => "bzip2",
        14 => "LZMA",
        16 => "IBM z/OS CMPSC",
        18 => "IBM TERSE",
        19 => "IBM LZ77",
        93 => "zstd",
        94 => "MP3",
        95 => "xz",
        96 => "JPEG",
        97 => "WavPack",
        98 => "PPMd",
        AES => "AES encryption",
        _ => "unknown",
    }
}

/// Bit 1 of the general-purpose flags: an LZMA member ends with an
/// end-of-stream marker.
const LZMA_END_MARKER: u16 = 1 << 1;

/// The decompressor for `method` over the member's compressed bytes.
pub(super) fn decoder<'a>(
    method: Method,
    flags: u16,
    uncompressed_size: u64,
    raw: impl Read + 'a,
) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match method {
        Method::Stored => Box::new(raw),
        Method::Deflate => Box::new(flate2::read::DeflateDecoder::new(raw)),
        Method::Deflate64 => Box::new(deflate64::Deflate64Decoder::new(raw)),
        Method::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        Method::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
        Method::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                XZ_MEMORY_LIMIT,
                liblzma::stream::CONCATENATED,
            )?;
            Box::new(liblzma::read::XzDecoder::new_stream(raw, stream))
        }
        Method::Lzma => lzma(flags, uncompressed_size, raw)?,
    })
}

/// Zip's LZMA members start with a version, the size of the properties and
/// the properties; liblzma reads the `.lzma` ("alone") format, whose header
/// is the properties and the uncompressed size. Rewrite one into the other.
fn lzma<'a>(
    flags: u16,
    uncompressed_size: u64,
    mut raw: impl Read + 'a,
) -> io::Result<Box<dyn Read + 'a>> {
    let mut prefix = [0u8; 4];
    raw.read_exact(&mut prefix)?;
    let properties_size = u16::from_le_bytes([prefix[2], prefix[3]]);
    if properties_size != 5 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("LZMA properties are {properties_size} bytes, expected 5"),
        ));
    }
    let mut header = [0u8; 13];
    raw.read_exact(&mut header[..5])?;
    let size = if flags & LZMA_END_MARKER != 0 {
        u64::MAX
    } else {
        uncompressed_size
    };
    header[5..].copy_from_slice(&size.to_le_bytes());
    let stream = liblzma::stream::Stream::new_lzma_decoder(XZ_MEMORY_LIMIT)?;
    Ok(Box::new(liblzma::read::XzDecoder::new_stream(
        Cursor::new(header).chain(raw),
        stream,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lzma_members_are_rewritten_for_liblzma() {
        // Compress with liblzma's alone encoder, then turn its header into
        // zip's: version 9.20, 5 bytes of properties, the properties.
        let content = b"lzma in zip, lzma in zip, lzma in zip".repeat(50);
        let options = liblzma::stream::LzmaOptions::new_preset(6).expect("preset");
        let stream = liblzma::stream::Stream::new_lzma_encoder(&options).expect("encoder");
        let mut alone = Vec::new();
        liblzma::read::XzEncoder::new_stream(&content[..], stream)
            .read_to_end(&mut alone)
            .expect("compress");
        let mut zipped = vec![9, 20, 5, 0];
        zipped.extend_from_slice(&alone[..5]);
        zipped.extend_from_slice(&alone[13..]);
        let mut out = Vec::new();
        decoder(
            Method::Lzma,
            LZMA_END_MARKER,
            content.len() as u64,
            &zipped[..],
        )
        .expect("decoder")
        .read_to_end(&mut out)
        .expect("decompress");
        assert_eq!(out, content);
    }

    #[test]
    fn methods() {
        assert_eq!(Method::from_code(8), Some(Method::Deflate));
        assert_eq!(Method::from_code(98), None);
        assert_eq!(name(98), "PPMd");
        assert_eq!(name(AES), "AES encryption");
    }
}
