//! `pg_hba_file_rules` (hba.c's fill_hba_view): pg_hba.conf as it is on disk now, one row
//! per line that is not empty or a comment, parsed or with the error that line has.

use crate::sim::hba::{self, Address};
use crate::sim::PGDATA;

use super::value::Val;
use super::{Exec, Rows};

/// The view's columns, in PostgreSQL 15's order.
const COLUMNS: [&str; 9] = [
    "line_number",
    "type",
    "database",
    "user_name",
    "address",
    "netmask",
    "auth_method",
    "options",
    "error",
];

impl Exec<'_> {
    pub(super) fn pg_hba_file_rules(&self) -> Rows {
        let path = format!("{PGDATA}/pg_hba.conf");
        let text = self
            .c
            .host(self.h)
            .files
            .get(&path)
            .cloned()
            .unwrap_or_default();
        let texts = |v: &[String]| Val::Array(v.iter().map(|s| Val::Text(s.clone())).collect());
        let rows = hba::file_rules(&text)
            .into_iter()
            .map(|r| {
                let line = Val::Int(r.line as i64);
                match r.rule {
                    Ok(l) => {
                        let (address, netmask) = match &l.address {
                            None => (Val::Null, Val::Null),
                            Some(a) => address_columns(a),
                        };
                        // gethba_options: only the options the modelled methods take.
                        let options: Vec<Val> = ["map", "clientcert"]
                            .iter()
                            .filter_map(|k| {
                                let (n, v) = l.options.iter().rev().find(|(n, _)| n == k)?;
                                Some(Val::Text(format!("{n}={v}")))
                            })
                            .collect();
                        vec![
                            line,
                            Val::Text(l.conn_type.as_str().to_string()),
                            texts(&l.databases),
                            texts(&l.users),
                            address,
                            netmask,
                            Val::Text(l.method.as_str().to_string()),
                            if options.is_empty() {
                                Val::Null
                            } else {
                                Val::Array(options)
                            },
                            Val::Null,
                        ]
                    }
                    Err(e) => {
                        let mut row = vec![line];
                        row.extend(std::iter::repeat_n(Val::Null, 7));
                        row.push(Val::Text(e.message));
                        row
                    }
                }
            })
            .collect();
        Rows {
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows,
        }
    }
}

fn dotted(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// The address and netmask columns: a keyword or host name with no netmask, an IPv4
/// address with its mask in dotted form, an IPv6 one with its mask as inet prints it.
fn address_columns(a: &Address) -> (Val, Val) {
    match a {
        Address::All => (Val::Text("all".into()), Val::Null),
        Address::SameHost => (Val::Text("samehost".into()), Val::Null),
        Address::SameNet => (Val::Text("samenet".into()), Val::Null),
        Address::Hostname(h) => (Val::Text(h.clone()), Val::Null),
        Address::Cidr { addr, bits } => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from((*bits).min(32)))
                .unwrap_or(0);
            (
                Val::Text(dotted(*addr)),
                Val::Text(dotted(mask.to_be_bytes())),
            )
        }
        Address::Netmask { addr, mask } => (Val::Text(dotted(*addr)), Val::Text(dotted(*mask))),
        Address::Ipv6(text) => {
            let (addr, bits) = match text.split_once('/') {
                Some((a, b)) => (a, b.parse::<u32>().unwrap_or(128).min(128)),
                None => (text.as_str(), 128),
            };
            (Val::Text(addr.to_string()), Val::Text(ipv6_mask(bits)))
        }
    }
}

/// An IPv6 netmask of `bits` ones as inet_net_ntop writes it: eight 16-bit groups in
/// hex, the longest run of two or more zero groups written `::`.
fn ipv6_mask(bits: u32) -> String {
    let groups: Vec<u16> = (0..8u32)
        .map(|i| {
            let ones = bits.saturating_sub(i * 16).min(16);
            (u16::MAX).checked_shl(16 - ones).unwrap_or(0)
        })
        .collect();
    let first_zero = groups.iter().position(|g| *g == 0);
    match first_zero {
        // The mask's zero groups are all at its end.
        Some(z) if 8 - z >= 2 => {
            let head: Vec<String> = groups[..z].iter().map(|g| format!("{g:x}")).collect();
            format!("{}::", head.join(":"))
        }
        _ => groups
            .iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

#[cfg(test)]
mod tests {
    use super::ipv6_mask;

    #[test]
    fn ipv6_masks_print_as_inet_does() {
        assert_eq!(ipv6_mask(128), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_eq!(ipv6_mask(64), "ffff:ffff:ffff:ffff::");
        assert_eq!(ipv6_mask(0), "::");
        assert_eq!(ipv6_mask(120), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00");
    }
}
