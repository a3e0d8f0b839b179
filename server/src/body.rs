//! Request bodies of machine-facing routes: read up to a size limit, then decompressed as
//! `Content-Encoding` says, with the decompressed size capped as the bytes come out, so a
//! compression bomb stops at the limit instead of filling memory.
use std::io::Read;

use axum::{
    body::{Body, Bytes},
    http::{HeaderMap, header},
};

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Over the limit as sent.
    TooLarge { limit: usize },
    /// Over the limit once decompressed.
    TooLargeDecompressed { limit: usize },
    /// A `Content-Encoding` this server does not decode.
    UnsupportedEncoding(String),
    /// The bytes are not valid for their encoding.
    Corrupt { encoding: &'static str },
    /// The client stopped sending.
    Interrupted,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge { limit } => write!(f, "the body is larger than {limit} bytes"),
            BodyError::TooLargeDecompressed { limit } => {
                write!(f, "the body is larger than {limit} bytes once decompressed")
            }
            BodyError::UnsupportedEncoding(name) => write!(
                f,
                "Content-Encoding {name:?} is not supported: use gzip, deflate, br or zstd"
            ),
            BodyError::Corrupt { encoding } => write!(f, "the body is not valid {encoding} data"),
            BodyError::Interrupted => write!(f, "the body could not be read to its end"),
        }
    }
}

/// The encodings a body may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl Encoding {
    /// From the `Content-Encoding` header. `lenient` treats an unknown value as identity (what
    /// the Sentry protocol asks for); otherwise it is an error.
    pub fn of(headers: &HeaderMap, lenient: bool) -> Result<Encoding, BodyError> {
        let Some(value) = headers.get(header::CONTENT_ENCODING) else {
            return Ok(Encoding::Identity);
        };
        let name = value.to_str().unwrap_or("").trim().to_ascii_lowercase();
        Ok(match name.as_str() {
            "" | "identity" => Encoding::Identity,
            "gzip" | "x-gzip" => Encoding::Gzip,
            "deflate" => Encoding::Deflate,
            "br" => Encoding::Brotli,
            "zstd" => Encoding::Zstd,
            _ if lenient => Encoding::Identity,
            _ => {
                let shown: String = String::from_utf8_lossy(value.as_bytes())
                    .chars()
                    .take(40)
                    .collect();
                return Err(BodyError::UnsupportedEncoding(shown));
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Deflate => "deflate",
            Encoding::Brotli => "br",
            Encoding::Zstd => "zstd",
        }
    }
}

/// Reads `body` (at most `max_body` bytes as sent) and decodes it (at most `max_decoded`).
pub async fn read(
    headers: &HeaderMap,
    body: Body,
    encoding: Encoding,
    max_body: usize,
    max_decoded: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_body as u64) {
        return Err(BodyError::TooLarge { limit: max_body });
    }
    let raw = axum::body::to_bytes(body, max_body).await.map_err(|e| {
        let over_limit = std::error::Error::source(&e)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if over_limit {
            BodyError::TooLarge { limit: max_body }
        } else {
            BodyError::Interrupted
        }
    })?;
    if encoding == Encoding::Identity {
        if raw.len() > max_decoded {
            return Err(BodyError::TooLargeDecompressed { limit: max_decoded });
        }
        return Ok(raw);
    }
    // Decompressing is CPU work: keep it off the threads that serve other requests.
    tokio::task::spawn_blocking(move || decode(&raw, encoding, max_decoded))
        .await
        .map_err(|_| BodyError::Corrupt {
            encoding: encoding.name(),
        })?
}

/// Decodes `raw`, stopping with an error as soon as the output passes `limit`.
pub fn decode(raw: &[u8], encoding: Encoding, limit: usize) -> Result<Bytes, BodyError> {
    let reader: Box<dyn Read + '_> = match encoding {
        Encoding::Identity => Box::new(raw),
        Encoding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        // "deflate" is zlib-wrapped per the HTTP spec; some clients send raw deflate.
        Encoding::Deflate if raw.first().is_some_and(|b| b & 0x0f == 8) => {
            Box::new(flate2::read::ZlibDecoder::new(raw))
        }
        Encoding::Deflate => Box::new(flate2::read::DeflateDecoder::new(raw)),
        Encoding::Brotli => Box::new(brotli_decompressor::Decompressor::new(raw, 64 << 10)),
        Encoding::Zstd => match ruzstd::decoding::StreamingDecoder::new(raw) {
            Ok(decoder) => Box::new(decoder),
            Err(_) => return Err(BodyError::Corrupt { encoding: "zstd" }),
        },
    };
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(limit));
    let read = reader.take(limit as u64 + 1).read_to_end(&mut out);
    match read {
        Ok(_) if out.len() > limit => Err(BodyError::TooLargeDecompressed { limit }),
        Ok(_) => Ok(out.into()),
        Err(_) => Err(BodyError::Corrupt {
            encoding: encoding.name(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        // 64 MiB of zeros compress to about 64 KiB.
        let bomb = gzip(&vec![0u8; 64 << 20]);
        assert!(bomb.len() < 1 << 20);
        assert_eq!(
            decode(&bomb, Encoding::Gzip, 1 << 20),
            Err(BodyError::TooLargeDecompressed { limit: 1 << 20 })
        );
    }

    #[test]
    fn raw_and_zlib_deflate_both_decode() {
        let data = b"{\"logs\":[]}";
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        zlib.write_all(data).unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(data).unwrap();
        for body in [zlib.finish().unwrap(), raw.finish().unwrap()] {
            assert_eq!(decode(&body, Encoding::Deflate, 100).unwrap(), &data[..]);
        }
        assert_eq!(
            decode(b"not gzip", Encoding::Gzip, 100),
            Err(BodyError::Corrupt { encoding: "gzip" })
        );
    }
}
