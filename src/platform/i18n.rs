//! The interface language: Simplified Chinese by default, English on request.
//!
//! Texts are written in pairs where they are used (`t("保存", "Save")`), so a screen reads in
//! one language and its accessible names follow. The choice is kept in `localStorage`
//! (a preference, not a record) and mirrored to `<html lang>`, which the loader also sets
//! before the app starts, so fonts and screen readers pick the right language at once.

use leptos::prelude::*;

const KEY: &str = "paicha.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    // Read from browser storage, which only the wasm build has.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn parse(code: &str) -> Self {
        if code.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

thread_local! {
    // Reference-counted, not arena-allocated: it is created on first use, inside whichever
    // screen asks first, and no owner's cleanup may dispose of it. It lives as long as the page.
    static LANG: ArcRwSignal<Lang> = ArcRwSignal::new(stored());
}

/// The language chosen earlier; Chinese when none was (and in native tests, which have no
/// browser storage).
fn stored() -> Lang {
    #[cfg(target_arch = "wasm32")]
    {
        local_storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .map(|json| Lang::parse(unquote(&json)))
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Lang::default()
    }
}

// The value is stored as a JSON string (`"en"`), which `loader.js` parses and earlier versions
// wrote. Read without a JSON parser: language codes hold no escapes, and this module is in the
// app shell, where serde_json cost 9 KiB brotli (issue 8).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn unquote(json: &str) -> &str {
    json.trim().trim_matches('"')
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn current() -> Lang {
    LANG.with(|l| l.get_untracked())
}

/// The current language, tracked: the screen switch in `lib.rs` reads it, so choosing a
/// language rebuilds the screen once and every text is simply picked when it is built.
pub fn lang() -> Lang {
    LANG.with(|l| l.get())
}

/// The current language, not tracked (see [`t`]).
pub fn lang_untracked() -> Lang {
    current()
}

/// Switches the interface language (the screen is rebuilt) and remembers the choice.
pub fn set_lang(lang: Lang) {
    if let Some(storage) = local_storage() {
        // A preference: if storage refuses it, the choice still holds for this session.
        let _ = storage.set_item(KEY, &format!("\"{}\"", lang.code()));
    }
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", lang.code());
    }
    LANG.with(|l| l.set(lang));
}

/// A text in the current language. Not reactive on purpose: a plain `&'static str` costs
/// nothing per use, and a language switch rebuilds the screen (see [`lang`]).
pub fn t(zh: &'static str, en: &'static str) -> &'static str {
    current().pick(zh, en)
}

/// Like [`t`] for texts built at run time.
pub fn t_string(zh: String, en: String) -> String {
    current().pick(zh, en)
}

/// A message written as "中文 / English" (the domain's errors are) in the current language;
/// text without the separator is returned whole.
pub fn localize(message: &str) -> String {
    localize_in(current(), message)
}

/// Messages that name user text (a site name, a phone number) name it in both halves, so a
/// " / " inside that text appears twice: with 2k + 1 separators the halves meet at the middle
/// one. An even count cannot be split safely: the message is kept whole.
fn localize_in(lang: Lang, message: &str) -> String {
    let separators: Vec<usize> = message.match_indices(" / ").map(|(i, _)| i).collect();
    if separators.len().is_multiple_of(2) {
        return message.to_string();
    }
    let at = separators[separators.len() / 2];
    let mut text = lang
        .pick(&message[..at], &message[at + 3..])
        .trim()
        .to_string();
    // The domain's English halves start in lower case ("inspector name is required").
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// A sector's name (`fireworks` → 烟花爆竹 or Fireworks); empty for an unknown sector.
pub fn sector_name(sector: &str) -> &'static str {
    paicha_core::checklist::SECTORS
        .iter()
        .find(|s| s.0 == sector)
        .map_or("", |s| t(s.1, s.2))
}

/// Checklist content (item, section, title, question) in the current language.
pub fn text_of<'a>(zh: &'a str, en: &'a str) -> &'a str {
    current().pick(zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_default_to_chinese() {
        assert_eq!(Lang::parse(Lang::En.code()), Lang::En);
        assert_eq!(Lang::parse(Lang::Zh.code()), Lang::Zh);
        assert_eq!(Lang::parse("fr"), Lang::Zh);
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::En.pick("保存", "Save"), "Save");
    }

    #[test]
    fn stored_choice_is_read_as_the_json_string_it_was_written_as() {
        // What set_lang writes and gloo-storage wrote before it.
        for lang in [Lang::Zh, Lang::En] {
            let json = serde_json::to_string(lang.code()).unwrap();
            assert_eq!(Lang::parse(unquote(&json)), lang);
        }
        assert_eq!(Lang::parse(unquote("\"en\"\n")), Lang::En);
        assert_eq!(Lang::parse(unquote("null")), Lang::Zh);
    }

    #[test]
    fn localize_picks_one_side_of_a_bilingual_message() {
        let message = "请填写执法证号 / certificate number is required";
        assert_eq!(localize_in(Lang::Zh, message), "请填写执法证号");
        assert_eq!(
            localize_in(Lang::En, message),
            "Certificate number is required"
        );
        // An even number of separators cannot be split safely: kept whole.
        assert_eq!(localize_in(Lang::En, "甲 / a / b"), "甲 / a / b");
        // Text without the separator (a browser's message, data) is kept whole.
        assert_eq!(localize_in(Lang::En, "HTTP 503"), "HTTP 503");
        assert_eq!(localize_in(Lang::Zh, "A/B 类"), "A/B 类");
        // Chinese by default; the current language is followed.
        assert_eq!(localize(message), "请填写执法证号");
        assert_eq!(t("保存", "Save"), "保存");
        LANG.with(|l| l.set(Lang::En));
        assert_eq!(localize(message), "Certificate number is required");
        assert_eq!(t("保存", "Save"), "Save");
        assert_eq!(t_string("保存".into(), "Save".into()), "Save");
        LANG.with(|l| l.set(Lang::Zh));
    }

    #[test]
    fn user_text_with_the_separator_stays_whole_in_either_language() {
        // A site name holding " / ", named in both halves (the credit-code conflict).
        let conflict = crate::model::sites::SiteConflict {
            existing: uuid::Uuid::from_u128(1),
            name: "甲厂 / 东区".into(),
        };
        let message = conflict.to_string();
        assert_eq!(
            localize_in(Lang::Zh, &message),
            "该统一社会信用代码已登记为“甲厂 / 东区”"
        );
        assert_eq!(
            localize_in(Lang::En, &message),
            "This credit code is already saved as 甲厂 / 东区"
        );
        // Two such names: five separators, still split in the middle.
        let two = "甲 a / b 乙 c / d / x a / b y c / d";
        assert_eq!(localize_in(Lang::Zh, two), "甲 a / b 乙 c / d");
        assert_eq!(localize_in(Lang::En, two), "X a / b y c / d");
    }
}
