//! The module paths a file names: every `crate::…`, `super::…` and `self::…` path (`$crate::…`
//! in macros too), in `use` declarations or in code, with `use` groups expanded
//! (`use crate::{a, b::{c, d as e}}` names `crate::a`, `crate::b`, `crate::b::c` and
//! `crate::b::d`).
//! Reads code as `source.rs` leaves it, without comments or literals.

/// A path as written, and the inline modules (`mod name { … }`) it stands in, outermost
/// first, which `self::` and `super::` start from.
#[derive(Debug, PartialEq)]
pub struct NamedPath {
    pub inline_modules: Vec<String>,
    /// Starts with `crate`, `super` or `self`.
    pub segments: Vec<String>,
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

const HEADS: [&str; 3] = ["crate", "super", "self"];

pub fn named_paths(code: &str) -> Vec<NamedPath> {
    let tokens = tokens(code);
    let mut found = Vec::new();
    // Each open inline module with the brace depth inside it.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Punct('{'))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    i += 3;
                    continue;
                }
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Ident(word) if starts_path(&tokens, i, word) => {
                let (paths, next) = use_tree(&tokens, i);
                let inline_modules: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                found.extend(paths.into_iter().map(|segments| NamedPath {
                    inline_modules: inline_modules.clone(),
                    segments,
                }));
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// `crate`, `super` or `self` followed by `::`, neither in the middle of a path nor the
/// `crate::…` of a `pub(in crate::…)` visibility, which names no import.
fn starts_path(tokens: &[Token], i: usize, word: &str) -> bool {
    let before = |k: usize| i.checked_sub(k).map(|j| &tokens[j]);
    HEADS.contains(&word)
        && tokens.get(i + 1) == Some(&Token::PathSep)
        && before(1) != Some(&Token::PathSep)
        && !(before(1) == Some(&Token::Ident("in".into())) && before(2) == Some(&Token::Punct('(')))
}

/// The paths of the use tree (or plain path) starting at `i`, and where it ends.
fn use_tree(tokens: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(segment)) => {
                prefix.push(segment.clone());
                i += 1;
            }
            Some(Token::Punct('{')) => {
                let (mut paths, end) = group(tokens, i, &prefix);
                // The group's prefix names a module too (as the cycle hook counts it), unless
                // it is a bare `crate::`, `super::` or `self::`.
                if !(prefix.len() == 1 && HEADS.contains(&prefix[0].as_str())) {
                    paths.insert(0, prefix);
                }
                return (paths, end);
            }
            // A glob names the module it imports from.
            Some(Token::Punct('*')) => return (vec![prefix], i + 1),
            _ => break,
        }
        if tokens.get(i) != Some(&Token::PathSep) {
            break;
        }
        i += 1;
    }
    let renamed = tokens.get(i) == Some(&Token::Ident("as".into()));
    let end = if renamed { i + 2 } else { i };
    let paths = if prefix.is_empty() {
        vec![]
    } else {
        vec![prefix]
    };
    (paths, end)
}

/// The paths of the group `{ tree, tree, … }` opening at `open`, each after `prefix`; `self`
/// in a group names the prefix itself.
fn group(tokens: &[Token], open: usize, prefix: &[String]) -> (Vec<Vec<String>>, usize) {
    let mut paths = Vec::new();
    let mut i = open + 1;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct('}') => return (paths, i + 1),
            Token::Punct(',') => i += 1,
            _ => {
                let (trees, next) = use_tree(tokens, i);
                for tree in trees {
                    let tail = tree.into_iter().skip_while(|s| s == "self");
                    paths.push(prefix.iter().cloned().chain(tail).collect());
                }
                // A token no use tree starts with: step over it rather than stall.
                i = next.max(i + 1);
            }
        }
    }
    (paths, i)
}

/// Identifiers (`$crate` as `crate`), `::`, and every other character as punctuation.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' {
            let len = chars[i..]
                .iter()
                .take_while(|x| x.is_alphanumeric() || **x == '_')
                .count();
            let ident: String = chars[i..i + len].iter().collect();
            let raw = tokens.last() == Some(&Token::Punct('#'))
                && tokens.len() >= 2
                && tokens[tokens.len() - 2] == Token::Ident("r".into());
            if raw {
                // `r#name`: the identifier `name`, never a path head.
                tokens.truncate(tokens.len() - 2);
                tokens.push(Token::Ident(format!("r#{ident}")));
            } else {
                tokens.push(Token::Ident(ident));
            }
            i += len;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token::PathSep);
            i += 2;
        } else if c == '$' && chars[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            i += 1;
        } else {
            if !c.is_whitespace() {
                tokens.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(code: &str) -> Vec<String> {
        named_paths(code)
            .into_iter()
            .map(|p| p.segments.join("::"))
            .collect()
    }

    #[test]
    fn plain_paths_in_code_and_use() {
        assert_eq!(
            written(
                "use crate::model::Model;\nfn f() { super::super::x::y(self::z::W::<T>::new()) }"
            ),
            ["crate::model::Model", "super::super::x::y", "self::z::W"]
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
    fn dollar_crate_is_crate_and_visibility_is_no_path() {
        assert_eq!(written("$crate::lazy::load!()"), ["crate::lazy::load"]);
        assert_eq!(
            written("pub(in crate::model) fn f() {} pub(crate) fn g() { self.h() }"),
            Vec::<String>::new()
        );
        assert_eq!(written("x::crate::y; r#crate::z"), Vec::<String>::new());
    }

    #[test]
    fn paths_know_the_inline_modules_they_stand_in() {
        let code = "mod share { use super::*; mod deep { fn f() { self::g() } } }\nuse self::h;";
        let scopes: Vec<(String, Vec<String>)> = named_paths(code)
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
}
