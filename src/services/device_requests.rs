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
    let headers = signature_headers(key, method, path, body).await?;
    http::send(method, path, body, &headers).await
}

/// `GET path` signed by `key`: (media type, bytes); anything but 200 is an error.
pub async fn get_signed_bytes(
    key: &DeviceKey,
    path: &str,
) -> Result<(String, Vec<u8>), StorageError> {
    let headers = signature_headers(key, "GET", path, None).await?;
    http::get_bytes_with(path, &headers).await
}

/// The header fields that sign `method path` (and its body's digest).
async fn signature_headers(
    key: &DeviceKey,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<Vec<(&'static str, String)>, StorageError> {
    let target_uri = http::absolute(path)?;
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let Some(body) = body {
        headers.push(("Content-Digest", httpsig::content_digest(body.as_bytes())));
    }
    // A v4 UUID without hyphens: 32 random hex digits, used once.
    let nonce = new_uuid().simple().to_string();
    let params = httpsig::device_params(
        body.is_some(),
        now().timestamp(),
        &nonce,
        &key.key_id.to_string(),
    );
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
