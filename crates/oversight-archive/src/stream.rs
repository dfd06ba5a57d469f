//! Compressed streams: gzip, xz, zstd and bzip2.
//!
//! The first 512 decompressed bytes decide what the stream holds: a tar
//! (tar.gz, tgz, `.crate`, npm's `.tgz`, tar.xz, tar.zst, tar.bz2) is visited
//! as one, anything else is a single member named `""`, which the engine
//! names after the outer file without its compression suffix.
//!
//! One [`Meter`] sits right above the decompressor: it charges the budget and
//! holds the stream to the expansion ratio against the compressed bytes
//! consumed, whether the content turns out to be a tar or a single file.

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read};
use std::rc::Rc;

use crate::meter::{Counting, Meter, Ratio};
use crate::sniff::{TAR_BLOCK, is_tar_header};
use crate::tar::{self, Charge};
use crate::{Context, Format, Input, Member};

/// The most memory the xz (and zip LZMA) decoder may use: far above the
/// 65 MiB that `xz -9` needs, yet a header declaring a huge dictionary fails
/// instead of allocating it.
pub(crate) const XZ_MEMORY_LIMIT: u64 = 1 << 30;

/// Visits a compressed stream of `format` (one of the compression formats).
pub(crate) fn visit(format: Format, input: Input<'_>, context: &mut Context<'_>) {
    match input {
        Input::File(file) => visit_reader(format, BufReader::new(file), context),
        Input::Stream(reader) => visit_reader(format, reader, context),
    }
}

fn visit_reader(format: Format, input: impl Read, context: &mut Context<'_>) {
    let consumed = Rc::new(Cell::new(0));
    let counted = Counting::new(input, Rc::clone(&consumed));
    let decoder = match decoder(format, counted) {
        Ok(decoder) => decoder,
        Err(error) => {
            let what = format!("{} stream cannot be opened", capitalised(format));
            context.report_error(&error, &what);
            return;
        }
    };
    let limits = context.limits;
    let mut meter = Meter::new(decoder, None, format!("{format} stream"))
        .ratio(Ratio::Counted(consumed), limits.max_ratio)
        .budget(context.budget)
        .corrupt_context(format!(
            "{} stream is corrupt or truncated",
            capitalised(format)
        ));

    let mut head = Vec::with_capacity(TAR_BLOCK);
    if let Err(error) = (&mut meter).take(TAR_BLOCK as u64).read_to_end(&mut head) {
        let what = format!("{} stream cannot be read", capitalised(format));
        context.report_error(&error, &what);
        return;
    }
    if is_tar_header(&head) {
        tar::visit_stream(
            Cursor::new(head).chain(meter),
            Charge::AlreadyCharged,
            context,
        );
        return;
    }
    // A single compressed file: the stream is the member, held to the
    // per-member limit too.
    let mut meter = meter.max_bytes(limits.max_entry_bytes);
    let mut reader = Cursor::new(head).chain(&mut meter);
    context.visitor.member(Member {
        name: String::new(),
        size: None,
        reader: &mut reader,
    });
}

/// The decompressor for `format`, reading all concatenated streams.
fn decoder<'a>(format: Format, input: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match format {
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
        Format::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                XZ_MEMORY_LIMIT,
                liblzma::stream::CONCATENATED,
            )?;
            Box::new(liblzma::read::XzDecoder::new_stream(input, stream))
        }
        Format::Zstd => Box::new(zstd::stream::read::Decoder::new(input)?),
        Format::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
        Format::Zip | Format::Tar => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{format} is not a compression format"),
            ));
        }
    })
}

/// `Gzip`, `Xz`, ... for the start of a sentence.
fn capitalised(format: Format) -> String {
    let name = format.as_str();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
