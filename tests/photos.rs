//! Photo down-scaling and storage in headless Chromium (wasm-bindgen-test): large images come
//! out as JPEG with the longest side at most 1600 px, EXIF orientation is applied, and stored
//! photos are content-addressed.
#![cfg(target_arch = "wasm32")]

use paicha::platform::storage::{self, Db};
use paicha::services::photos::{self, MAX_SIDE};
use paicha_core::sha256_hex;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let canvas: HtmlCanvasElement = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let context = photos::context_2d(&canvas).unwrap();
    // Left half red, right half blue: the orientation test can tell where "left" went.
    context.set_fill_style_str("#ff0000");
    context.fill_rect(0.0, 0.0, f64::from(width) / 2.0, f64::from(height));
    context.set_fill_style_str("#0000ff");
    context.fill_rect(
        f64::from(width) / 2.0,
        0.0,
        f64::from(width) / 2.0,
        f64::from(height),
    );
    canvas
}

async fn encoded(width: u32, height: u32, media_type: &str) -> Vec<u8> {
    let blob = photos::canvas_blob(&canvas(width, height), media_type, Some(0.9))
        .await
        .unwrap();
    photos::blob_bytes(&blob).await.unwrap()
}

async fn size_of(bytes: &[u8]) -> (u32, u32) {
    let bitmap = photos::decode(&photos::bytes_blob(bytes, "application/octet-stream").unwrap())
        .await
        .unwrap();
    (bitmap.width(), bitmap.height())
}

#[wasm_bindgen_test]
async fn a_large_png_becomes_a_jpeg_of_at_most_1600_px() {
    let png = encoded(3000, 2000, photos::PNG).await;
    assert_eq!(photos::media_type_of(&png), Some(photos::PNG));
    let out = photos::downscale(&photos::bytes_blob(&png, photos::PNG).unwrap())
        .await
        .unwrap();
    assert_eq!((out.width, out.height), (MAX_SIDE, 1067));
    assert_eq!(photos::media_type_of(&out.bytes), Some(photos::JPEG));
    assert_eq!(size_of(&out.bytes).await, (1600, 1067));
    assert!(out.bytes.len() < 400_000, "{} bytes", out.bytes.len());

    // Portrait, and an image that is already small enough keeps its size.
    let tall = encoded(1000, 2500, photos::JPEG).await;
    let out = photos::downscale(&photos::bytes_blob(&tall, photos::JPEG).unwrap())
        .await
        .unwrap();
    assert_eq!((out.width, out.height), (640, 1600));
    let small = encoded(320, 240, photos::PNG).await;
    let out = photos::downscale(&photos::bytes_blob(&small, photos::PNG).unwrap())
        .await
        .unwrap();
    assert_eq!((out.width, out.height), (320, 240));
    assert_eq!(photos::media_type_of(&out.bytes), Some(photos::JPEG));
}

/// A JPEG with an EXIF APP1 segment saying "rotate 90° clockwise to display" (orientation 6).
fn with_exif_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let app1: [u8; 36] = [
        0xff, 0xe1, 0x00, 0x22, // APP1, length 34
        b'E', b'x', b'i', b'f', 0, 0, // "Exif\0\0"
        b'M', b'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
        0x00, 0x01, // one entry
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00,
        0x00, // Orientation = 6
        0x00, 0x00, 0x00, 0x00, // no next IFD
    ];
    assert_eq!(&jpeg[..2], &[0xff, 0xd8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[wasm_bindgen_test]
async fn exif_orientation_is_applied() {
    let jpeg = with_exif_orientation_6(&encoded(200, 100, photos::JPEG).await);
    let out = photos::downscale(&photos::bytes_blob(&jpeg, photos::JPEG).unwrap())
        .await
        .unwrap();
    assert_eq!(
        (out.width, out.height),
        (100, 200),
        "a landscape sensor image marked 'rotate 90°' is stored upright (portrait)"
    );
    // The stored JPEG carries no orientation of its own: it decodes upright as it is.
    assert_eq!(size_of(&out.bytes).await, (100, 200));
}

#[wasm_bindgen_test]
async fn photos_are_stored_once_under_their_hash_and_become_attachments() {
    let db = Db::open_named(&format!("paicha-test-photos-{}", js_sys::Math::random()))
        .await
        .unwrap();
    let bytes = encoded(64, 48, photos::JPEG).await;
    let first = photos::store(&db, &bytes, photos::JPEG).await.unwrap();
    let again = photos::store(&db, &bytes, photos::JPEG).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first, sha256_hex(&bytes));
    assert_eq!(db.get_all(storage::PHOTOS).await.unwrap().len(), 1);

    let blob = photos::load(&db, &first).await.unwrap().unwrap();
    assert_eq!(blob.type_(), photos::JPEG);
    assert_eq!(photos::blob_bytes(&blob).await.unwrap(), bytes);

    // Named for a version 2 payload (no bytes inside), with the CRC-32 the transfer archive
    // needs; read through the byte stream into a reused buffer, also a file larger than it.
    let large = vec![7u8; (1 << 20) + 12_345];
    let second = photos::store(&db, &large, photos::PNG).await.unwrap();
    let hashes = [first.clone(), second.clone()];
    let (attachments, crcs) = photos::attachments(&db, &hashes).await.unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0].sha256, first);
    assert_eq!(attachments[0].media_type, "image/jpeg");
    assert_eq!(attachments[0].size, bytes.len() as u64);
    assert_eq!(attachments[0].data, None);
    assert_eq!(attachments[0].check_blob(&bytes), Ok(()));
    assert_eq!(attachments[1].media_type, "image/png", "by the stored type");
    assert_eq!(attachments[1].check_blob(&large), Ok(()));
    assert_eq!(
        crcs,
        [
            paicha_core::archive::crc32(&bytes),
            paicha_core::archive::crc32(&large)
        ]
    );

    // Read twice with one reader: the same bytes each time.
    let mut reader = photos::Reader::default();
    let mut out = Vec::new();
    for (hash, expected) in [(&second, &large), (&first, &bytes), (&second, &large)] {
        let blob = photos::load(&db, hash).await.unwrap().unwrap();
        reader.read(&blob, &mut out).await.unwrap();
        assert_eq!(&out, expected);
    }

    let missing = sha256_hex(b"never stored");
    let err = photos::attachments(&db, &[missing]).await.unwrap_err();
    assert!(err.to_string().contains("不在本机存储中"), "{err}");

    // A file no record refers to goes; one stored since the page opened stays.
    let keep: std::collections::HashSet<String> = [first.clone()].into_iter().collect();
    photos::prune(&db, &keep).await.unwrap();
    assert_eq!(db.get_all(storage::PHOTOS).await.unwrap().len(), 2);
}
