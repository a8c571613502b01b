//! Parts that several screens share: form fields and their messages, the team editor, photos
//! and thumbnails, the signature pad, the save indicator, the language switch, banners.
//!
//! Widgets use services, the model and the platform; only screens use widgets.

pub mod field_error;
pub mod form;
pub mod lang_switch;
pub mod open_elsewhere;
pub mod photos;
pub mod profile_form;
pub mod record_links;
pub mod retry;
pub mod save_indicator;
pub mod signature_pad;
pub mod site_form;
pub mod team;
pub mod update_banner;
