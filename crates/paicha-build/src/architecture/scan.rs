//! What a source file names: every `crate::…`, `super::…` and `self::…` path (`$crate::…` in
//! macros too), in `use` declarations, code and macro bodies alike, with `use` groups expanded
//! (`use crate::{a, b::{c, d as e}}` names `crate::a`, `crate::b`, `crate::b::c` and
//! `crate::b::d`).
//!
//! The file is read as Rust tokens (`proc_macro2`), so comments, doc comments and literals are
//! never taken for paths. Items under `#[cfg(test)]` are passed over: only tests make their
//! imports.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// A path as written, and the inline modules (`mod name { … }`) it stands in, outermost
/// first, which `self::` and `super::` start from.
#[derive(Debug, PartialEq)]
pub struct NamedPath {
    pub inline_modules: Vec<String>,
    /// Starts with `crate`, `super` or `self`.
    pub segments: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub paths: Vec<NamedPath>,
    /// Modules declared `#[cfg(test)] mod name;`: files holding nothing but tests.
    pub test_modules: Vec<String>,
}

const HEADS: [&str; 3] = ["crate", "super", "self"];

/// The paths `text` names, or why it is not Rust.
pub fn scan(text: &str) -> Result<Scan, proc_macro2::LexError> {
    let mut scan = Scan::default();
    scan.level(text.parse()?, &mut Vec::new());
    Ok(scan)
}

impl Scan {
    /// One level of tokens: the file, or what a bracket, brace or parenthesis holds.
    fn level(&mut self, stream: TokenStream, inline: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if let Some((item, end)) = test_item(&tokens, i) {
                if inline.is_empty()
                    && let Some(name) = file_module_name(item)
                {
                    self.test_modules.push(name);
                }
                i = end;
                continue;
            }
            match &tokens[i] {
                TokenTree::Ident(word) if word == "mod" => {
                    if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                        (tokens.get(i + 1), tokens.get(i + 2))
                        && body.delimiter() == Delimiter::Brace
                    {
                        inline.push(name.to_string());
                        self.level(body.stream(), inline);
                        inline.pop();
                        i += 3;
                        continue;
                    }
                }
                TokenTree::Ident(word) if starts_path(&tokens, i, &word.to_string()) => {
                    let (paths, next) = use_tree(&tokens, i);
                    self.paths
                        .extend(paths.into_iter().map(|segments| NamedPath {
                            inline_modules: inline.clone(),
                            segments,
                        }));
                    i = next;
                    continue;
                }
                // `pub(in crate::…)` is a visibility, no import.
                TokenTree::Group(group) if !is_visibility(&tokens, i) => {
                    self.level(group.stream(), inline);
                }
                _ => {}
            }
            i += 1;
        }
    }
}

fn is_punct(token: Option<&TokenTree>, c: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(token: Option<&TokenTree>, word: &str) -> bool {
    matches!(token, Some(TokenTree::Ident(id)) if id == word)
}

/// `::` at `i`.
fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(tokens.get(i + 1), ':')
}

/// `crate`, `super` or `self` followed by `::`, and not in the middle of a path.
fn starts_path(tokens: &[TokenTree], i: usize, word: &str) -> bool {
    HEADS.contains(&word) && is_path_sep(tokens, i + 1) && !(i >= 2 && is_path_sep(tokens, i - 2))
}

fn is_visibility(tokens: &[TokenTree], i: usize) -> bool {
    matches!(&tokens[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
        && i > 0
        && is_ident(tokens.get(i - 1), "pub")
}

/// The paths of the use tree (or plain path) starting at `i`, and where it ends.
fn use_tree(tokens: &[TokenTree], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i) {
            Some(TokenTree::Ident(segment)) => {
                prefix.push(segment.to_string());
                i += 1;
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                let mut paths = use_group(group.stream(), &prefix);
                // The group's prefix names a module too (as the cycle hook counts it), unless
                // it is a bare `crate::`, `super::` or `self::`.
                if !(prefix.len() == 1 && HEADS.contains(&prefix[0].as_str())) {
                    paths.insert(0, prefix);
                }
                return (paths, i + 1);
            }
            // A glob names the module it imports from.
            Some(token) if is_punct(Some(token), '*') => return (vec![prefix], i + 1),
            _ => break,
        }
        if !is_path_sep(tokens, i) {
            break;
        }
        i += 2;
    }
    let end = if is_ident(tokens.get(i), "as") {
        i + 2
    } else {
        i
    };
    let paths = if prefix.is_empty() {
        vec![]
    } else {
        vec![prefix]
    };
    (paths, end)
}

/// The paths of the use trees in a `{ tree, tree, … }` group, each after `prefix`; `self`
/// in a group names the prefix itself.
fn use_group(stream: TokenStream, prefix: &[String]) -> Vec<Vec<String>> {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    tokens
        .split(|token| is_punct(Some(token), ','))
        .flat_map(|tree| use_tree(tree, 0).0)
        .map(|tree| {
            let tail = tree.into_iter().skip_while(|s| s == "self");
            prefix.iter().cloned().chain(tail).collect()
        })
        .collect()
}

/// The item under a `#[cfg(test)]` starting at `i` (its attributes excluded) and where it
/// ends: at its `;` or its body in braces, whichever comes first.
fn test_item(tokens: &[TokenTree], i: usize) -> Option<(&[TokenTree], usize)> {
    if !is_cfg_test(tokens, i) {
        return None;
    }
    let mut start = i;
    while is_punct(tokens.get(start), '#')
        && matches!(tokens.get(start + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
    {
        start += 2;
    }
    let end = (start..tokens.len())
        .find(|&k| match &tokens[k] {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        })
        .map_or(tokens.len(), |k| k + 1);
    Some((&tokens[start..end], end))
}

/// `#[cfg(test)]` at `i`.
fn is_cfg_test(tokens: &[TokenTree], i: usize) -> bool {
    is_punct(tokens.get(i), '#')
        && matches!(tokens.get(i + 1), Some(TokenTree::Group(g))
            if g.delimiter() == Delimiter::Bracket
                && g.stream().to_string().split_whitespace().collect::<String>() == "cfg(test)")
}

/// `name` when `item` is `[pub[(…)]] mod name;`.
fn file_module_name(item: &[TokenTree]) -> Option<String> {
    let item = match item {
        [TokenTree::Ident(vis), TokenTree::Group(_), rest @ ..] if vis == "pub" => rest,
        [TokenTree::Ident(vis), rest @ ..] if vis == "pub" => rest,
        _ => item,
    };
    match item {
        [TokenTree::Ident(keyword), TokenTree::Ident(name), semicolon]
            if keyword == "mod" && is_punct(Some(semicolon), ';') =>
        {
            Some(name.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(code: &str) -> Vec<String> {
        scan(code)
            .unwrap()
            .paths
            .into_iter()
            .map(|p| p.segments.join("::"))
            .collect()
    }

    #[test]
    fn paths_in_use_code_and_macro_bodies() {
        assert_eq!(
            written(
                "use crate::model::Model;\n\
                 fn f() { super::super::x::y(self::z::W::<T>::new()) }\n\
                 view! { <crate::widgets::Field/> }\n\
                 fn g() { for i in crate::items() {} }"
            ),
            [
                "crate::model::Model",
                "super::super::x::y",
                "self::z::W",
                "crate::widgets::Field",
                "crate::items"
            ]
        );
    }

    #[test]
    fn groups_are_expanded_nested_renamed_and_with_self() {
        let code = "use crate::{\n  a,\n  b::{c, d as e, f::{self, g}},\n  h::*,\n} ;";
        assert_eq!(
            written(code),
            [
                "crate::a",
                "crate::b",
                "crate::b::c",
                "crate::b::d",
                "crate::b::f",
                "crate::b::f",
                "crate::b::f::g",
                "crate::h"
            ]
        );
        assert_eq!(written("use super::{self as parent};"), ["super"]);
        assert_eq!(
            written("use self::x::{y};"),
            ["self::x", "self::x::y"],
            "a prefix past `self::` names a module"
        );
    }

    #[test]
    fn comments_and_literals_name_no_paths() {
        let code = r####"
            //! See [`crate::a`].
            /// Drawn by crate::b.
            /* crate::c /* nested crate::d */ */
            const E: &str = "crate::e \" crate::f";
            const G: &[u8] = br#"crate::g"#;
            const H: char = '"'; const I: &str = c"crate::i";
            fn lifetimes<'a>(x: &'a str) -> &'a str { crate::kept(x) }
        "####;
        assert_eq!(written(code), ["crate::kept"]);
    }

    #[test]
    fn dollar_crate_is_crate_and_visibility_is_no_path() {
        assert_eq!(written("$crate::lazy::load!()"), ["crate::lazy::load"]);
        assert_eq!(
            written("pub(in crate::model) fn f() {} pub(crate) fn g() { self.h() }"),
            Vec::<String>::new()
        );
        assert_eq!(written("x::crate::y; r#type::z"), Vec::<String>::new());
    }

    #[test]
    fn test_items_are_passed_over_and_test_module_files_named() {
        let scanned = scan(
            "use crate::a;\n\
             #[cfg(test)]\nmod tests {\n    use crate::b;\n}\n\
             # [ cfg ( test ) ] #[allow(unused)] use crate::c;\n\
             #[cfg(test)]\npub(crate) mod fixtures;\n\
             #[cfg(test)]\nfn f() -> [u8; 2] { crate::g(); [1, 2] }\n\
             impl X { #[cfg(test)] fn h() { crate::h() } }\n\
             #[cfg(testing)] use crate::d;\nuse crate::e;",
        )
        .unwrap();
        let written: Vec<String> = scanned
            .paths
            .iter()
            .map(|p| p.segments.join("::"))
            .collect();
        assert_eq!(written, ["crate::a", "crate::d", "crate::e"]);
        assert_eq!(scanned.test_modules, ["fixtures"]);
    }

    #[test]
    fn paths_know_the_inline_modules_they_stand_in() {
        let code = "mod share { use super::*; mod deep { fn f() { self::g() } } }\nuse self::h;";
        let scopes: Vec<(String, Vec<String>)> = scan(code)
            .unwrap()
            .paths
            .into_iter()
            .map(|p| (p.segments.join("::"), p.inline_modules))
            .collect();
        assert_eq!(
            scopes,
            [
                ("super".to_string(), vec!["share".to_string()]),
                ("self::g".to_string(), vec!["share".into(), "deep".into()]),
                ("self::h".to_string(), vec![]),
            ]
        );
    }

    #[test]
    fn text_that_is_not_rust_is_an_error() {
        assert!(scan("fn f() { (").is_err());
    }
}
