//! Functions extensions add: pgcrypto's `digest(text, type)` and
//! `pg_stat_statements_reset()`. Each exists once `CREATE EXTENSION` has put it in the
//! catalog (a standby has it from the WAL), and calling it loads the extension's
//! library, which the host may not have.
//!
//! walscope has no bytea type: digest() answers the bytea's text output (`\x...`).

use sha2::Digest;

use super::super::value::Val;
use super::super::{Exec, Res};
use crate::sql::ServerError;

/// pgcrypto's `digest(data text, type text)`: md5, sha1 or sha256 of the text.
pub(super) fn digest(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    if !x.has_extension("pgcrypto") {
        return Err(x.no_function(name, &args));
    }
    x.load_library("pgcrypto")?;
    let (Some(data), Some(kind)) = (args[0].text(), args[1].text()) else {
        return Ok(Val::Null);
    };
    let Some(bytes) = hash(&kind, data.as_bytes()) else {
        // pgcrypto's px_find_digest() error (pgcrypto.c).
        return Err(ServerError::new(format!(
            "Cannot use \"{kind}\": No such hash algorithm"
        )));
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Val::Text(format!("\\x{hex}")))
}

pub(super) fn pg_stat_statements_reset(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    if !x.has_extension("pg_stat_statements") {
        return Err(x.no_function(name, &args));
    }
    x.pg_stat_statements_reset()
}

/// The digest pgcrypto's `digest()` computes with OpenSSL for `kind` (its names, in any
/// case), `None` for a kind it does not know.
fn hash(kind: &str, data: &[u8]) -> Option<Vec<u8>> {
    Some(match kind.to_ascii_lowercase().as_str() {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The values `SELECT digest('abc', 'sha256')` and `... 'sha1'` printed on
    /// PostgreSQL 15.18 with pgcrypto 1.3, and RFC 1321's for md5; FIPS 180-2's for the
    /// other SHA-2 lengths.
    #[test]
    fn digests_match_pgcrypto() {
        let h = |kind: &str, data: &str| hex(&hash(kind, data.as_bytes()).expect(kind));
        assert_eq!(
            h("sha256", "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h("SHA1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(h("md5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(h("md5", ""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            h("sha224", "abc"),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
        assert!(h("sha512", "abc").starts_with("ddaf35a193617aba"));
        assert_eq!(hash("sha3", b"abc"), None);
    }
}
