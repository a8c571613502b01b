//! HTTP Message Signatures (RFC 9421) and `Content-Digest` (RFC 9530), for the requests a
//! device signs with its Ed25519 key and the ledger verifies.
//!
//! Only what the profile below needs is implemented, exactly as the RFCs define it: the
//! signature base (§2.5) over derived components and header fields without component
//! parameters, the `Signature-Input` and `Signature` dictionaries (RFC 8941 structured fields:
//! inner lists of strings with integer, string and token parameters; byte sequences), and
//! `Content-Digest` with `sha-256`. The RFCs' own examples are the tests (RFC 9421 appendix
//! B.2.6 for Ed25519).
//!
//! **The Paicha profile** (what the ledger requires of a device's request):
//! - label `paicha`; covered components, in this order: `"@method" "@target-uri"`, plus
//!   `"content-digest"` when the request has a body (with a `Content-Digest: sha-256=:…:`
//!   header over that body);
//! - parameters `created`, `expires` (at most [`MAX_LIFETIME_SECS`] after `created`), `nonce`
//!   (at least 16 characters, used once), `keyid` (the device key id, 64 hex digits) and
//!   `alg="ed25519"`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256, Sha512};

/// The label of the device's signature in `Signature-Input` and `Signature`.
pub const LABEL: &str = "paicha";
/// The algorithm name of Ed25519 in the HTTP Signature Algorithms registry.
pub const ALG_ED25519: &str = "ed25519";
/// The longest validity a device may give a signature.
pub const MAX_LIFETIME_SECS: i64 = 300;
/// How far a device's clock may run ahead of the ledger's.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The shortest nonce accepted.
pub const MIN_NONCE_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request has no {0} header")]
    Missing(&'static str),
    #[error("the {header} header is malformed: {detail}")]
    Malformed {
        header: &'static str,
        detail: String,
    },
    #[error("no signature labelled {LABEL:?}")]
    NoLabel,
    #[error("the signature must cover {expected}, it covers {found}")]
    Components { expected: String, found: String },
    #[error("the signature parameter {0} is missing or of the wrong type")]
    Parameter(&'static str),
    #[error("the algorithm must be {ALG_ED25519:?}")]
    Algorithm,
    #[error("the nonce must have at least {MIN_NONCE_LEN} characters")]
    ShortNonce,
    #[error("the signature was created in the future")]
    Future,
    #[error("the signature has expired")]
    Expired,
    #[error("the signature is valid for longer than {MAX_LIFETIME_SECS} seconds")]
    TooLong,
    #[error("the Content-Digest does not match the body")]
    Digest,
    #[error("the body has no Content-Digest covered by the signature")]
    UncoveredBody,
    #[error("the signature does not verify")]
    Invalid,
}

/// What the signature base is built from: the request as the signer sent it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The absolute target URI, `https://host[:port]/path?query`.
    pub target_uri: &'a str,
    /// Header fields, names in any case; repeated names are combined as RFC 9110 does.
    pub headers: &'a [(&'a str, &'a str)],
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The value of a covered component (§2.1 fields, §2.2 derived components).
    fn component(&self, name: &str) -> Option<String> {
        let uri = Uri::parse(self.target_uri);
        match name {
            "@method" => Some(self.method.to_string()),
            "@target-uri" => Some(self.target_uri.to_string()),
            "@authority" => uri.map(|u| u.authority()),
            "@scheme" => uri.map(|u| u.scheme.to_ascii_lowercase()),
            "@request-target" => uri.map(|u| u.request_target()),
            "@path" => uri.map(|u| u.path()),
            "@query" => uri.map(|u| format!("?{}", u.query.unwrap_or(""))),
            derived if derived.starts_with('@') => None,
            field => self.header(field),
        }
    }
}

/// The parts of an absolute URI the derived components need.
struct Uri<'a> {
    scheme: &'a str,
    host_port: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Uri<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (host_port, path_query) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => match rest.find('?') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            },
        };
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_query, None),
        };
        Some(Self {
            scheme,
            host_port,
            path,
            query,
        })
    }

    /// Lower case, without the scheme's default port (§2.2.3).
    fn authority(&self) -> String {
        let lower = self.host_port.to_ascii_lowercase();
        let default = match self.scheme.to_ascii_lowercase().as_str() {
            "http" => ":80",
            "https" => ":443",
            _ => "",
        };
        match lower.strip_suffix(default) {
            Some(host) if !default.is_empty() => host.to_string(),
            _ => lower,
        }
    }

    fn path(&self) -> String {
        if self.path.is_empty() {
            "/".into()
        } else {
            self.path.to_string()
        }
    }

    fn request_target(&self) -> String {
        match self.query {
            Some(q) => format!("{}?{q}", self.path()),
            None => self.path(),
        }
    }
}

/// A signature parameter's value (RFC 8941 bare items the profile uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Integer(i64),
    String(String),
    Token(String),
}

/// One signature's metadata: the covered components and the parameters, in their order
/// (the order is part of what is signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    pub components: Vec<String>,
    pub params: Vec<(String, Value)>,
}

impl SignatureParams {
    /// The value serialised as RFC 8941 §4 does: `("a" "b");k=1;s="x"`.
    pub fn serialize(&self) -> String {
        let components: Vec<String> = self.components.iter().map(|c| sf_string(c)).collect();
        let mut out = format!("({})", components.join(" "));
        for (key, value) in &self.params {
            out.push(';');
            out.push_str(key);
            out.push('=');
            match value {
                Value::Integer(n) => out.push_str(&n.to_string()),
                Value::String(s) => out.push_str(&sf_string(s)),
                Value::Token(t) => out.push_str(t),
            }
        }
        out
    }

    fn param(&self, key: &str) -> Option<&Value> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn integer(&self, key: &'static str) -> Result<i64, SignatureError> {
        match self.param(key) {
            Some(Value::Integer(n)) => Ok(*n),
            _ => Err(SignatureError::Parameter(key)),
        }
    }

    fn string(&self, key: &'static str) -> Result<&str, SignatureError> {
        match self.param(key) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(SignatureError::Parameter(key)),
        }
    }
}

fn sf_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The signature base (RFC 9421 §2.5): one line per covered component, then
/// `"@signature-params"`. None when a covered component is absent from the request.
pub fn signature_base(request: &Request<'_>, params: &SignatureParams) -> Option<String> {
    let mut lines = Vec::with_capacity(params.components.len() + 1);
    for name in &params.components {
        let value = request.component(name)?;
        lines.push(format!("\"{name}\": {value}"));
    }
    lines.push(format!("\"@signature-params\": {}", params.serialize()));
    Some(lines.join("\n"))
}

/// `Content-Digest` of `body` with SHA-256 (RFC 9530): `sha-256=:<base64>:`.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Whether a `Content-Digest` field matches `body`: every `sha-256` or `sha-512` member
/// must, and at least one of them must be present (other algorithms are ignored).
pub fn digest_matches(field: &str, body: &[u8]) -> bool {
    let mut checked = false;
    for member in field.split(',') {
        let Some((alg, value)) = member.trim().split_once('=') else {
            return false;
        };
        let Some(encoded) = value.strip_prefix(':').and_then(|v| v.strip_suffix(':')) else {
            return false;
        };
        let expected = match alg {
            "sha-256" => STANDARD.encode(Sha256::digest(body)),
            "sha-512" => STANDARD.encode(Sha512::digest(body)),
            _ => continue,
        };
        if encoded != expected {
            return false;
        }
        checked = true;
    }
    checked
}

/// The Paicha profile's parameters for a request signed now.
pub fn device_params(has_body: bool, created: i64, nonce: &str, key_id: &str) -> SignatureParams {
    let mut components = vec!["@method".to_string(), "@target-uri".to_string()];
    if has_body {
        components.push("content-digest".to_string());
    }
    SignatureParams {
        components,
        params: vec![
            ("created".into(), Value::Integer(created)),
            (
                "expires".into(),
                Value::Integer(created + MAX_LIFETIME_SECS),
            ),
            ("nonce".into(), Value::String(nonce.to_string())),
            ("keyid".into(), Value::String(key_id.to_string())),
            ("alg".into(), Value::String(ALG_ED25519.to_string())),
        ],
    }
}

/// The two headers that carry a signature: (`Signature-Input`, `Signature`).
pub fn signature_headers(params: &SignatureParams, signature: &[u8]) -> (String, String) {
    (
        format!("{LABEL}={}", params.serialize()),
        format!("{LABEL}=:{}:", STANDARD.encode(signature)),
    )
}

/// A device's signature, read from a request and checked against the profile; the key is
/// looked up by [`DeviceSignature::key_id`] and the signature checked with
/// [`DeviceSignature::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSignature {
    pub params: SignatureParams,
    pub signature: Vec<u8>,
    pub base: String,
    pub key_id: String,
    pub nonce: String,
    pub created: i64,
    pub expires: i64,
}

impl DeviceSignature {
    /// Reads and checks the signature of `request` (with `body`) at `now` (Unix seconds):
    /// the label, the covered components, the parameters, the validity window and the body's
    /// digest. Whether the nonce was used before, and whom the key belongs to, is for the
    /// caller to decide.
    pub fn read(request: &Request<'_>, body: &[u8], now: i64) -> Result<Self, SignatureError> {
        let input = request
            .header("signature-input")
            .ok_or(SignatureError::Missing("Signature-Input"))?;
        let signature = request
            .header("signature")
            .ok_or(SignatureError::Missing("Signature"))?;
        let params = parse_signature_input(&input)?
            .into_iter()
            .find(|(label, _)| label == LABEL)
            .map(|(_, p)| p)
            .ok_or(SignatureError::NoLabel)?;
        let signature = parse_signature(&signature)?
            .into_iter()
            .find(|(label, _)| label == LABEL)
            .map(|(_, s)| s)
            .ok_or(SignatureError::NoLabel)?;
        let has_body = !body.is_empty();
        let expected = device_params(has_body, 0, "", "").components;
        if params.components != expected {
            return Err(SignatureError::Components {
                expected: expected.join(" "),
                found: params.components.join(" "),
            });
        }
        if has_body {
            let field = request
                .header("content-digest")
                .ok_or(SignatureError::UncoveredBody)?;
            if !digest_matches(&field, body) {
                return Err(SignatureError::Digest);
            }
        }
        if params.string("alg")? != ALG_ED25519 {
            return Err(SignatureError::Algorithm);
        }
        let created = params.integer("created")?;
        let expires = params.integer("expires")?;
        let nonce = params.string("nonce")?.to_string();
        let key_id = params.string("keyid")?.to_string();
        if nonce.chars().count() < MIN_NONCE_LEN {
            return Err(SignatureError::ShortNonce);
        }
        if created > now + CLOCK_SKEW_SECS {
            return Err(SignatureError::Future);
        }
        if expires < now {
            return Err(SignatureError::Expired);
        }
        if expires - created > MAX_LIFETIME_SECS || expires < created {
            return Err(SignatureError::TooLong);
        }
        let base = signature_base(request, &params).ok_or(SignatureError::Missing("component"))?;
        Ok(Self {
            params,
            signature,
            base,
            key_id,
            nonce,
            created,
            expires,
        })
    }

    /// Checks the signature with the device's public key (32 bytes).
    pub fn verify(&self, public_key: &[u8; 32]) -> Result<(), SignatureError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(public_key)
            .map_err(|_| SignatureError::Invalid)?;
        let signature = ed25519_dalek::Signature::from_slice(&self.signature)
            .map_err(|_| SignatureError::Invalid)?;
        key.verify_strict(self.base.as_bytes(), &signature)
            .map_err(|_| SignatureError::Invalid)
    }
}

// ---- RFC 8941 structured fields, the subset Signature-Input and Signature use ---------------

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    header: &'static str,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, header: &'static str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            header,
        }
    }

    fn fail<T>(&self, detail: &str) -> Result<T, SignatureError> {
        Err(SignatureError::Malformed {
            header: self.header,
            detail: format!("{detail} at character {}", self.at + 1),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn key(&mut self) -> Result<String, SignatureError> {
        let start = self.at;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.at += 1,
            _ => return self.fail("expected a key"),
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.at += 1;
        }
        Ok(String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    fn string(&mut self) -> Result<String, SignatureError> {
        if !self.eat(b'"') {
            return self.fail("expected a string");
        }
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return self.fail("unterminated string"),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.at += 1;
                        }
                        _ => return self.fail("bad escape in a string"),
                    }
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(c as char);
                    self.at += 1;
                }
                Some(_) => return self.fail("a string holds printable ASCII only"),
            }
        }
    }

    fn bare_item(&mut self) -> Result<Value, SignatureError> {
        match self.peek() {
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.at;
                self.eat(b'-');
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.at += 1;
                }
                let digits = std::str::from_utf8(&self.text[start..self.at]).unwrap_or("");
                if digits.trim_start_matches('-').is_empty() || digits.len() > 16 {
                    return self.fail("bad integer");
                }
                digits
                    .parse()
                    .map(Value::Integer)
                    .or_else(|_| self.fail("bad integer"))
            }
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => {
                let start = self.at;
                self.at += 1;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c))
                {
                    self.at += 1;
                }
                Ok(Value::Token(
                    String::from_utf8_lossy(&self.text[start..self.at]).into_owned(),
                ))
            }
            _ => self.fail("unsupported parameter value"),
        }
    }

    fn params(&mut self) -> Result<Vec<(String, Value)>, SignatureError> {
        let mut params: Vec<(String, Value)> = Vec::new();
        while self.eat(b';') {
            self.skip_spaces();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare_item()?
            } else {
                return self.fail("a parameter without a value");
            };
            // RFC 8941: a repeated key overwrites the earlier value in place.
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }

    fn inner_list(&mut self) -> Result<SignatureParams, SignatureError> {
        if !self.eat(b'(') {
            return self.fail("expected an inner list");
        }
        let mut components = Vec::new();
        loop {
            self.skip_spaces();
            if self.eat(b')') {
                break;
            }
            let name = self.string()?;
            if self.peek() == Some(b';') {
                return self.fail("component parameters are not supported");
            }
            if components.contains(&name) {
                return self.fail("a component is covered twice");
            }
            components.push(name);
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return self.fail("expected a space or ')'");
            }
        }
        let params = self.params()?;
        Ok(SignatureParams { components, params })
    }

    fn byte_sequence(&mut self) -> Result<Vec<u8>, SignatureError> {
        if !self.eat(b':') {
            return self.fail("expected a byte sequence");
        }
        let start = self.at;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=')
        {
            self.at += 1;
        }
        let encoded = std::str::from_utf8(&self.text[start..self.at]).unwrap_or("");
        if !self.eat(b':') {
            return self.fail("unterminated byte sequence");
        }
        STANDARD
            .decode(encoded)
            .or_else(|_| self.fail("bad base64 in a byte sequence"))
    }

    /// A dictionary whose members are read by `member`.
    fn dictionary<T>(
        &mut self,
        mut member: impl FnMut(&mut Self) -> Result<T, SignatureError>,
    ) -> Result<Vec<(String, T)>, SignatureError> {
        let mut out: Vec<(String, T)> = Vec::new();
        self.skip_spaces();
        loop {
            let key = self.key()?;
            if !self.eat(b'=') {
                return self.fail("expected '='");
            }
            let value = member(self)?;
            out.retain(|(k, _)| *k != key);
            out.push((key, value));
            self.skip_spaces();
            if self.at == self.text.len() {
                return Ok(out);
            }
            if !self.eat(b',') {
                return self.fail("expected ','");
            }
            self.skip_spaces();
        }
    }
}

/// `Signature-Input`: label → covered components and parameters.
pub fn parse_signature_input(
    field: &str,
) -> Result<Vec<(String, SignatureParams)>, SignatureError> {
    Parser::new(field.trim(), "Signature-Input").dictionary(Parser::inner_list)
}

/// `Signature`: label → signature bytes.
pub fn parse_signature(field: &str) -> Result<Vec<(String, Vec<u8>)>, SignatureError> {
    let mut parser = Parser::new(field.trim(), "Signature");
    parser.dictionary(|p| {
        let bytes = p.byte_sequence()?;
        if p.peek() == Some(b';') {
            return p.fail("parameters on a signature are not supported");
        }
        Ok(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ed25519_dalek::{Signer, SigningKey};

    /// RFC 9421 appendix B.1.4, `test-key-ed25519` (JWK `d`, base64url).
    const RFC_KEY_D: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    /// Its public key (JWK `x`).
    const RFC_KEY_X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";

    fn rfc_key() -> SigningKey {
        let d: [u8; 32] = URL_SAFE_NO_PAD
            .decode(RFC_KEY_D)
            .unwrap()
            .try_into()
            .unwrap();
        SigningKey::from_bytes(&d)
    }

    /// RFC 9421 appendix B.2: the test request's header fields.
    const TEST_REQUEST_HEADERS: [(&str, &str); 5] = [
        ("Host", "example.com"),
        ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("Content-Type", "application/json"),
        (
            "Content-Digest",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        ),
        ("Content-Length", "18"),
    ];
    const TEST_REQUEST_BODY: &[u8] = br#"{"hello": "world"}"#;

    #[test]
    fn rfc_9421_b_2_6_signature_base_and_ed25519_signature() {
        let request = Request {
            method: "POST",
            target_uri: "https://example.com/foo?param=Value&Pet=dog",
            headers: &TEST_REQUEST_HEADERS,
        };
        let input = r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#;
        let (label, params) = parse_signature_input(input).unwrap().remove(0);
        assert_eq!(label, "sig-b26");
        let base = signature_base(&request, &params).unwrap();
        assert_eq!(
            base,
            concat!(
                "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n",
                "\"@method\": POST\n",
                "\"@path\": /foo\n",
                "\"@authority\": example.com\n",
                "\"content-type\": application/json\n",
                "\"content-length\": 18\n",
                "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" ",
                "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
            )
        );
        let signature = rfc_key().sign(base.as_bytes());
        let expected = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
        assert_eq!(
            format!("sig-b26=:{}:", STANDARD.encode(signature.to_bytes())),
            expected
        );
        // And the public key of B.1.4 verifies it.
        let x: [u8; 32] = URL_SAFE_NO_PAD
            .decode(RFC_KEY_X)
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(rfc_key().verifying_key().to_bytes(), x);
        let (_, bytes) = parse_signature(expected).unwrap().remove(0);
        assert_eq!(bytes, signature.to_bytes());
    }

    #[test]
    fn content_digests_of_the_rfcs_examples() {
        // RFC 9421 B.2's test request carries sha-512 of its body.
        assert!(digest_matches(TEST_REQUEST_HEADERS[3].1, TEST_REQUEST_BODY));
        assert!(!digest_matches(
            TEST_REQUEST_HEADERS[3].1,
            b"{\"hello\": \"World\"}"
        ));
        // RFC 9530 appendix B: sha-256 of `{"hello": "world"}` and a line feed.
        let with_lf = b"{\"hello\": \"world\"}\n";
        assert_eq!(
            content_digest(with_lf),
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
        );
        assert!(digest_matches(&content_digest(with_lf), with_lf));
        assert!(
            !digest_matches("md5=:abc:", with_lf),
            "no supported algorithm"
        );
        assert!(
            !digest_matches("sha-256=abc", with_lf),
            "not a byte sequence"
        );
    }

    #[test]
    fn derived_components_follow_section_2_2() {
        let request = Request {
            method: "GET",
            target_uri: "HTTPS://Example.COM:443/a/b?x=1&y",
            headers: &[("X-Two", "a"), ("x-two", " b ")],
        };
        let c = |name| request.component(name).unwrap();
        assert_eq!(c("@authority"), "example.com");
        assert_eq!(c("@scheme"), "https");
        assert_eq!(c("@path"), "/a/b");
        assert_eq!(c("@query"), "?x=1&y");
        assert_eq!(c("@request-target"), "/a/b?x=1&y");
        assert_eq!(c("x-two"), "a, b");
        let bare = Request {
            method: "GET",
            target_uri: "http://localhost:8080",
            headers: &[],
        };
        assert_eq!(bare.component("@path").unwrap(), "/");
        assert_eq!(bare.component("@query").unwrap(), "?");
        assert_eq!(bare.component("@authority").unwrap(), "localhost:8080");
        assert_eq!(bare.component("@unknown"), None);
        assert_eq!(bare.component("missing-header"), None);
    }

    fn signed(
        key: &SigningKey,
        method: &'static str,
        uri: &'static str,
        body: &[u8],
        created: i64,
        nonce: &str,
    ) -> Vec<(String, String)> {
        let key_id = crate::KeyId::from_public_key(&key.verifying_key().to_bytes()).to_string();
        let params = device_params(!body.is_empty(), created, nonce, &key_id);
        let mut headers = vec![];
        if !body.is_empty() {
            headers.push(("content-digest".to_string(), content_digest(body)));
        }
        let view: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = Request {
            method,
            target_uri: uri,
            headers: &view,
        };
        let base = signature_base(&request, &params).unwrap();
        let (input, signature) = signature_headers(&params, &key.sign(base.as_bytes()).to_bytes());
        headers.push(("signature-input".into(), input));
        headers.push(("signature".into(), signature));
        headers
    }

    fn read(
        method: &str,
        uri: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: i64,
    ) -> Result<DeviceSignature, SignatureError> {
        let view: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = Request {
            method,
            target_uri: uri,
            headers: &view,
        };
        DeviceSignature::read(&request, body, now)
    }

    #[test]
    fn a_device_signature_verifies_and_every_change_is_refused() {
        let key = rfc_key();
        let public = key.verifying_key().to_bytes();
        let uri = "http://localhost:8080/api/bundles";
        let body = br#"{"payload":"..."}"#;
        let now = 1_800_000_000;
        let headers = signed(&key, "POST", uri, body, now, "0123456789abcdef");
        let good = read("POST", uri, &headers, body, now).unwrap();
        good.verify(&public).unwrap();
        assert_eq!(good.nonce, "0123456789abcdef");
        assert_eq!(good.key_id.len(), 64);

        // Another body, URL or method, and another key: refused.
        assert_eq!(
            read("POST", uri, &headers, b"{}", now).unwrap_err(),
            SignatureError::Digest
        );
        let moved = read(
            "POST",
            "http://localhost:8080/api/other",
            &headers,
            body,
            now,
        )
        .unwrap();
        assert_eq!(moved.verify(&public), Err(SignatureError::Invalid));
        let method = read("PUT", uri, &headers, body, now).unwrap();
        assert_eq!(method.verify(&public), Err(SignatureError::Invalid));
        let other = SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
        assert_eq!(good.verify(&other), Err(SignatureError::Invalid));
        // A digest header swapped with the body, the signature left alone: the base changes.
        let mut swapped = headers.clone();
        swapped[0].1 = content_digest(b"{}");
        assert_eq!(
            read("POST", uri, &swapped, b"{}", now)
                .unwrap()
                .verify(&public),
            Err(SignatureError::Invalid)
        );

        // Time: expired, from the future, or valid too long.
        assert_eq!(
            read("POST", uri, &headers, body, now + MAX_LIFETIME_SECS + 1).unwrap_err(),
            SignatureError::Expired
        );
        assert_eq!(
            read("POST", uri, &headers, body, now - CLOCK_SKEW_SECS - 1).unwrap_err(),
            SignatureError::Future
        );
        let long = headers
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    v.replace(
                        &format!("expires={}", now + 300),
                        &format!("expires={}", now + 3600),
                    ),
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            read("POST", uri, &long, body, now).unwrap_err(),
            SignatureError::TooLong
        );

        // The profile: no body digest covered, a short nonce, another algorithm, no signature.
        let get = signed(&key, "GET", uri, b"", now, "0123456789abcdef");
        assert!(matches!(
            read("POST", uri, &get, body, now).unwrap_err(),
            SignatureError::Components { .. } | SignatureError::UncoveredBody
        ));
        read("GET", uri, &get, b"", now)
            .unwrap()
            .verify(&public)
            .unwrap();
        let short = signed(&key, "GET", uri, b"", now, "short");
        assert_eq!(
            read("GET", uri, &short, b"", now).unwrap_err(),
            SignatureError::ShortNonce
        );
        let rsa = get
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    v.replace("alg=\"ed25519\"", "alg=\"rsa-pss-sha512\""),
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            read("GET", uri, &rsa, b"", now).unwrap_err(),
            SignatureError::Algorithm
        );
        assert_eq!(
            read("GET", uri, &[], b"", now).unwrap_err(),
            SignatureError::Missing("Signature-Input")
        );
    }

    #[test]
    fn malformed_fields_are_named_not_guessed() {
        for bad in [
            "paicha",
            "paicha=(\"@method\"",
            "paicha=(\"@method\";sf)",
            "paicha=(\"@method\" \"@method\")",
            "paicha=(\"@method\");created",
            "paicha=(\"@method\");created=12345678901234567",
            "paicha=(\"@method\");nonce=\"\\x\"",
            "Paicha=(\"@method\")",
            "paicha=(\"@method\"),",
        ] {
            assert!(
                matches!(
                    parse_signature_input(bad),
                    Err(SignatureError::Malformed { .. })
                ),
                "{bad}"
            );
        }
        for bad in [
            "paicha=:not base64!:",
            "paicha=:YWJj",
            "paicha=:YWJj:;x=1",
            "paicha=YWJj",
        ] {
            assert!(parse_signature(bad).is_err(), "{bad}");
        }
        // Parameters keep their order, and a repeated one is overwritten in place.
        let (_, params) = parse_signature_input("s=();b=1;a=\"x\";b=2")
            .unwrap()
            .remove(0);
        assert_eq!(params.serialize(), "();b=2;a=\"x\"");
    }
}
