//! Inputs: files, directories, standard input, and transparent decompression by magic bytes
//! (never by file name: rotated logs are named `access.log.1` whether compressed or not).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::SweepError;

/// Read-ahead of the compressed stream: large enough that the inflaters see big slices.
const RAW_BUFFER: usize = 256 * 1024;

/// A compression recognised from the first bytes of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
}

impl Compression {
    pub fn from_magic(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// Wraps a stream in the decoder its magic bytes call for. Multi-member gzip and multi-stream
/// bzip2 (as `cat a.gz b.gz` and parallel compressors write them) are read to the end.
pub fn decode<'r, R: Read + Send + 'r>(reader: R) -> io::Result<Box<dyn Read + Send + 'r>> {
    let mut br = BufReader::with_capacity(RAW_BUFFER, reader);
    let head = br.fill_buf()?;
    Ok(match Compression::from_magic(head) {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(br)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(br)?),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(br)),
        Compression::None => {
            // Plain data is read straight into the caller's blocks after the peeked bytes:
            // through the buffer, every block smaller than it would be copied once more.
            let head = io::Cursor::new(br.buffer().to_vec());
            Box::new(head.chain(br.into_inner()))
        }
    })
}

/// One thing to sweep: a file, standard input, or a caller's reader.
pub enum Source<'r> {
    Path(PathBuf),
    Stdin,
    Reader {
        name: String,
        reader: Box<dyn Read + Send + 'r>,
    },
}

impl<'r> Source<'r> {
    pub(crate) fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".to_owned(),
            Source::Reader { name, .. } => name.clone(),
        }
    }

    pub(crate) fn open(self) -> io::Result<Box<dyn Read + Send + 'r>> {
        match self {
            Source::Path(p) => decode(File::open(p)?),
            Source::Stdin => decode(io::stdin()),
            Source::Reader { reader, .. } => decode(reader),
        }
    }
}

/// Expands paths into sources: `-` is standard input, a directory is every regular file below
/// it in name order (so output order is stable), symbolic links to directories are not
/// followed (they can loop). Unreadable directories are reported and skipped.
pub(crate) fn expand<P: AsRef<Path>>(
    paths: &[P],
    errors: &mut Vec<SweepError>,
) -> Vec<Source<'static>> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if p.is_dir() {
            walk(p, &mut out, errors);
        } else {
            out.push(Source::Path(p.to_path_buf()));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Source<'static>>, errors: &mut Vec<SweepError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(SweepError::Open {
                file: dir.display().to_string(),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, out, errors),
            Ok(m) if m.is_file() => out.push(Source::Path(p)),
            Ok(m) if m.file_type().is_symlink() && p.is_file() => out.push(Source::Path(p)),
            Ok(_) => {}
            Err(source) => errors.push(SweepError::Open {
                file: p.display().to_string(),
                source,
            }),
        }
    }
}
