//! The device's side of enrolment without a server shell: the phone asks the ledger, with a
//! request signed by its key, to be enrolled for the inspector whose profile it holds; the
//! ledger answers with a six-digit code that a supervisor compares in the console together
//! with the key id, and tells the phone when it is enrolled.

use crate::platform::device_key::DeviceKey;
use crate::platform::http::{self, Reply};
use crate::platform::i18n::t;
use crate::services::device_requests::send_signed;
use paicha_core::Inspector;
use paicha_core::wire::{
    DEVICE_ENROLMENT_PATH, DEVICE_PATH, DeviceEnrolmentRequest, DeviceState, DeviceStatus,
    ErrorBody,
};

/// Where this device stands with the ledger.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// The ledger has never heard of this key: nobody asked yet.
    NotAsked,
    /// Asked, enrolled, refused or revoked, as the ledger says.
    Known(DeviceStatus),
}

/// Why the ledger could not be asked; a message in "中文 / English" form.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable(pub String);

fn read(reply: Reply) -> Result<Standing, Unreachable> {
    match reply.status {
        200 => serde_json::from_str(&reply.body)
            .map(Standing::Known)
            .map_err(|e| {
                Unreachable(format!(
                    "台账的答复无法读取 / the ledger's answer cannot be read: {e}"
                ))
            }),
        status => match serde_json::from_str::<ErrorBody>(&reply.body) {
            Ok(e) if status == 403 && e.code == "unknown_key" => Ok(Standing::NotAsked),
            Ok(e) if status == 403 && e.code == "revoked_key" => {
                Ok(Standing::Known(DeviceStatus {
                    key_id: String::new(),
                    state: DeviceState::Revoked,
                    short_code: String::new(),
                    account_name: String::new(),
                }))
            }
            Ok(e) => Err(Unreachable(e.message)),
            Err(_) => Err(Unreachable(format!("HTTP {status}"))),
        },
    }
}

/// Sends a signed request and reads how the device stands from the answer.
async fn signed(
    key: &DeviceKey,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<Standing, Unreachable> {
    if !http::online() {
        return Err(Unreachable(
            t(
                "离线：联网后再查看登记状态",
                "Offline: the enrolment can be checked once online",
            )
            .into(),
        ));
    }
    let reply = send_signed(key, method, path, body)
        .await
        .map_err(|e| Unreachable(e.to_string()))?;
    read(reply)
}

/// Asks the ledger how this device stands (`GET /api/device`, signed).
pub async fn standing(key: &DeviceKey) -> Result<Standing, Unreachable> {
    signed(key, "GET", DEVICE_PATH, None).await
}

/// Asks to be enrolled for `inspector` (`POST /api/device/enrolment`, signed); asking again
/// is harmless and answers how the device stands.
pub async fn ask(key: &DeviceKey, inspector: &Inspector) -> Result<Standing, Unreachable> {
    let request = DeviceEnrolmentRequest {
        public_key: paicha_core::dsse::b64_encode(&key.public_raw),
        inspector_name: inspector.name.clone(),
        cert_no: inspector.cert_no.clone(),
        organisation: inspector.organisation.clone(),
        region: inspector.region.clone(),
    };
    let body = serde_json::to_string(&request).expect("a request serialises");
    signed(key, "POST", DEVICE_ENROLMENT_PATH, Some(&body)).await
}
