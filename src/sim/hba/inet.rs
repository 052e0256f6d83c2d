//! Numeric host addresses as hba.c reads them: getaddrinfo(AI_NUMERICHOST) with
//! inet_aton's IPv4 forms and inet_pton's IPv6 ones, CIDR lengths and netmasks.

/// getaddrinfo(AI_NUMERICHOST): an IPv4 address (inet_aton syntax) or an IPv6 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Numeric {
    V4([u8; 4]),
    V6([u8; 16]),
}

pub(super) fn numeric_host(s: &str) -> Option<Numeric> {
    if let Some(a) = inet_aton(s) {
        return Some(Numeric::V4(a));
    }
    let (addr, scope) = match s.split_once('%') {
        Some((a, scope)) => (a, Some(scope)),
        None => (s, None),
    };
    if scope.is_some_and(str::is_empty) {
        return None;
    }
    inet_pton6(addr.as_bytes()).map(Numeric::V6)
}

/// glibc's inet_aton (exact): 1 to 4 parts, each decimal, octal (0...) or hex (0x...),
/// the last part filling the remaining bytes.
pub(super) fn inet_aton(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::with_capacity(4);
    for (i, part) in parts.iter().enumerate() {
        let (val, digit) = aton_part(part)?;
        let last = i + 1 == parts.len();
        if (last && !digit) || (!last && val > 0xff) {
            return None;
        }
        vals.push(val);
    }
    let (&last, front) = vals.split_last()?;
    let bits = if vals.len() == 1 {
        32
    } else {
        8 * (5 - vals.len() as u32)
    };
    if bits < 32 && last >> bits != 0 {
        return None;
    }
    let mut addr = last;
    for (i, v) in front.iter().enumerate() {
        addr |= v << (24 - 8 * i as u32);
    }
    Some(addr.to_be_bytes())
}

/// One inet_aton part: its value and whether it had a digit.
pub(super) fn aton_part(p: &str) -> Option<(u32, bool)> {
    let b = p.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (base, mut i, mut digit) = match b {
        [b'0', b'x' | b'X', ..] => (16, 2, false),
        [b'0', ..] => (8, 1, true),
        _ => (10, 0, false),
    };
    let mut val: u64 = 0;
    while i < b.len() {
        let d = (b[i] as char).to_digit(base)?;
        val = val * u64::from(base) + u64::from(d);
        if val > u64::from(u32::MAX) {
            return None;
        }
        digit = true;
        i += 1;
    }
    Some((val as u32, digit))
}

/// glibc's inet_pton for AF_INET6 (with an optional trailing dotted IPv4 part).
pub(super) fn inet_pton6(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0;
    if src.is_empty() {
        return None;
    }
    if src[0] == b':' {
        i = 1;
        if src.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits = 0;
    let mut val: u32 = 0;
    while i < src.len() {
        let ch = src[i];
        i += 1;
        if let Some(d) = (ch as char).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() || tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = val as u8;
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            let v4 = inet_pton4(&src[curtok..])?;
            tmp[tp..tp + 4].copy_from_slice(&v4);
            tp += 4;
            xdigits = 0;
            break;
        }
        return None;
    }
    if xdigits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = val as u8;
        tp += 2;
    }
    if let Some(c) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - c;
        let moved: Vec<u8> = tmp[c..tp].to_vec();
        tmp[c..].fill(0);
        tmp[16 - n..].copy_from_slice(&moved);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// glibc's inet_pton for AF_INET: four decimal octets, no leading zeros.
pub(super) fn inet_pton4(src: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &ch in src {
        if ch.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(ch - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = cur as u8;
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets == 4).then_some(out)
}

/// pg_sockaddr_cidr_mask's strtol: the prefix length, if valid for the family.
pub(super) fn cidr_bits(s: &str, max: i64) -> Option<u8> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().unwrap_or(i64::MAX);
    let v = if neg { -v } else { v };
    u8::try_from(v).ok().filter(|b| i64::from(*b) <= max)
}

pub(super) fn mask_bits(mask: [u8; 4]) -> Option<u8> {
    let m = u32::from_be_bytes(mask);
    let ones = m.leading_ones();
    (m.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}
