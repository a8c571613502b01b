//! Requests the device signs (RFC 9421, the Paicha profile in `paicha_core::httpsig`): the
//! ledger knows who asks by the device's non-extractable Ed25519 key, the same key that signs
//! its bundles. Used for enrolment now and for pulling work later.

use crate::platform::clock::now;
use crate::platform::device_key::DeviceKey;
use crate::platform::http::{self, Reply};
use crate::platform::ids::new_uuid;
use crate::platform::storage::StorageError;
use paicha_core::httpsig;

/// Sends `method path` (with `body`, JSON, if any) signed by `key`. An error only when no
/// answer came or the key could not sign.
pub async fn send_signed(
    key: &DeviceKey,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<Reply, StorageError> {
    let digest = body.map(|b| httpsig::content_digest(b.as_bytes()));
    let headers = signature_headers(key, method, path, digest).await?;
    http::send(method, path, body, &headers).await
}

/// Sends `method path` with `body` (a stored file, e.g. a photo's Blob, of type `media_type`)
/// signed by `key`. The file is named by `sha256`, the hex SHA-256 of its bytes: the
/// `Content-Digest` is made from it, so the bytes are never read here (the browser streams the
/// Blob from disk), and the ledger checks them against the name.
pub async fn send_signed_file(
    key: &DeviceKey,
    method: &str,
    path: &str,
    body: &wasm_bindgen::JsValue,
    media_type: &str,
    sha256: &str,
) -> Result<Reply, StorageError> {
    let digest =
        hex_bytes(sha256).ok_or_else(|| StorageError(format!("not a SHA-256: {sha256}")))?;
    let digest = format!("sha-256=:{}:", paicha_core::dsse::b64_encode(&digest));
    let headers = signature_headers(key, method, path, Some(digest)).await?;
    http::send_bytes(method, path, body, media_type, &headers).await
}

/// The bytes `hex` spells (pairs of lower- or upper-case hex digits).
fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `GET path` signed by `key`: (media type, bytes); anything but 200 is an error.
pub async fn get_signed_bytes(
    key: &DeviceKey,
    path: &str,
) -> Result<(String, Vec<u8>), StorageError> {
    let headers = signature_headers(key, "GET", path, None).await?;
    http::get_bytes_with(path, &headers).await
}

/// The header fields that sign `method path` (and, for a request with a body, its
/// `Content-Digest` field `digest`).
async fn signature_headers(
    key: &DeviceKey,
    method: &str,
    path: &str,
    digest: Option<String>,
) -> Result<Vec<(&'static str, String)>, StorageError> {
    let target_uri = http::absolute(path)?;
    let mut headers: Vec<(&str, String)> = Vec::new();
    let has_body = digest.is_some();
    if let Some(digest) = digest {
        headers.push(("Content-Digest", digest));
    }
    // A v4 UUID without hyphens: 32 random hex digits, used once.
    let nonce = new_uuid().simple().to_string();
    let params =
        httpsig::device_params(has_body, now().timestamp(), &nonce, &key.key_id.to_string());
    let covered: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let request = httpsig::Request {
        method,
        target_uri: &target_uri,
        headers: &covered,
    };
    let base = httpsig::signature_base(&request, &params)
        .ok_or_else(|| StorageError("the request cannot be signed".into()))?;
    let signature = key.sign(base.as_bytes()).await?;
    let (input, signature) = httpsig::signature_headers(&params, &signature);
    headers.push(("Signature-Input", input));
    headers.push(("Signature", signature));
    Ok(headers)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_named_by_its_hash_has_the_digest_of_its_bytes() {
        let bytes = b"{\"hello\": \"world\"}\n";
        let named = super::hex_bytes(&paicha_core::sha256_hex(bytes)).unwrap();
        assert_eq!(
            format!("sha-256=:{}:", paicha_core::dsse::b64_encode(&named)),
            paicha_core::httpsig::content_digest(bytes)
        );
        assert_eq!(super::hex_bytes("0aFf"), Some(vec![10, 255]));
        assert_eq!(super::hex_bytes("abc"), None);
        assert_eq!(super::hex_bytes("zz"), None);
    }
}
