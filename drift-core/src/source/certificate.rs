//! X.509 certificates in PEM (a TLS Secret's `tls.crt`, a CA bundle in a ConfigMap): compared by
//! what they say — subject, issuer, subject alternative names, expiry — not by their bytes (nor by
//! when they were issued, which always differs).
//! Certificates are public: they are shown, unlike the private keys beside them.

use x509_parser::extensions::GeneralName;
use x509_parser::pem::Pem;

use crate::model::{Field, List, Node};

/// The certificates in PEM text as nodes: one map per certificate (a list for a chain, leaf
/// first); `None` when the text holds no certificate that parses.
pub(crate) fn certificates(bytes: &[u8]) -> Option<Node> {
    if !bytes.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return None;
    }
    let mut nodes = Vec::new();
    for pem in Pem::iter_from_buffer(bytes) {
        let Ok(pem) = pem else { break };
        if pem.label != "CERTIFICATE" {
            continue;
        }
        let Ok(cert) = pem.parse_x509() else { return None };
        let mut sans = Vec::new();
        if let Ok(Some(extension)) = cert.subject_alternative_name() {
            for name in &extension.value.general_names {
                sans.push(Node::string(match name {
                    GeneralName::DNSName(dns) => format!("DNS:{dns}"),
                    GeneralName::RFC822Name(email) => format!("email:{email}"),
                    GeneralName::URI(uri) => format!("URI:{uri}"),
                    GeneralName::IPAddress(ip) => format!("IP:{}", ip_text(ip)),
                    other => format!("{other:?}"),
                }));
            }
        }
        let validity = cert.validity();
        nodes.push(Node::map(vec![
            Field::new("subject", 0, Node::string(cert.subject().to_string())),
            Field::new("issuer", 0, Node::string(cert.issuer().to_string())),
            Field::new("sans", 0, Node::List(List::set(sans))),
            Field::new("not_after", 0, Node::string(rfc3339(validity.not_after.timestamp()))),
        ]));
    }
    match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node::List(List::sequence(nodes))),
    }
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => bytes.iter().map(u8::to_string).collect::<Vec<_>>().join("."),
        _ => bytes
            .chunks(2)
            .map(|c| format!("{:x}", u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub(crate) fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_748_736_000), "2025-06-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn not_a_certificate() {
        assert!(certificates(b"hello").is_none());
        assert!(certificates(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n").is_none());
    }
}
